package dev.sluice.servlet;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

/**
 * The spare chunk buffers of all file transfers of one {@link HttpTransfers}: a sink gives a buffer back once the
 * container is done with its bytes, and the next read of any transfer takes it, so the transfers allocate only what
 * they have in flight. A fresh buffer per chunk made the chunks of slow clients live long enough to be copied and
 * promoted by every young collection; spares kept per transfer would sit idle while a slow client's transfer is paused.
 *
 * <p>Two sizes are kept: buffers of exactly {@link #chunkSize()} bytes, and, in fewer slots, the grown buffers of
 * {@link #grownSize()} bytes that a client that keeps up reads into (a read of any length up to that size takes one
 * and sets its limit). Other sizes are neither kept nor handed out from the spares. The slots are atomic: a buffer
 * given on one thread is seen whole by the thread that takes it, and nobody waits; a taker or giver probes a few slots
 * from a random one and otherwise allocates or drops.
 */
final class ChunkPool {

    private static final int PROBES = 8;

    private final AtomicReferenceArray<ByteBuffer> slots;

    private final AtomicReferenceArray<ByteBuffer> grownSlots;

    private final int chunkSize;

    private final int grownSize;

    /** A pool of chunk buffers only. */
    ChunkPool(int slots, int chunkSize) {
        this(slots, chunkSize, 0, chunkSize);
    }

    /**
     * A pool of chunk buffers and grown ones.
     *
     * @param slots how many chunk buffers are kept
     * @param chunkSize their size
     * @param grownSlots how many grown buffers are kept (0 for none)
     * @param grownSize their size, at least {@code chunkSize}
     */
    ChunkPool(int slots, int chunkSize, int grownSlots, int grownSize) {
        if (slots <= 0 || chunkSize <= 0) {
            throw new IllegalArgumentException("slots and chunkSize must be positive, were " + slots + " and "
                    + chunkSize);
        }
        if (grownSlots < 0 || grownSize < chunkSize) {
            throw new IllegalArgumentException("grownSlots must not be negative and grownSize not below chunkSize, "
                    + "were " + grownSlots + " and " + grownSize);
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.grownSlots = new AtomicReferenceArray<>(grownSlots);
        this.chunkSize = chunkSize;
        this.grownSize = grownSize;
    }

    /** The size of the chunk buffers kept. */
    int chunkSize() {
        return this.chunkSize;
    }

    /** The size of the grown buffers kept. */
    int grownSize() {
        return this.grownSize;
    }

    /**
     * A cleared buffer of exactly {@code capacity} bytes, a spare one if there is one, else a new one; or, for a
     * length between the chunk size and the grown size where grown buffers are kept, a grown buffer whose limit is
     * {@code capacity}.
     */
    ByteBuffer take(int capacity) {
        if (capacity == this.chunkSize) {
            ByteBuffer spare = takeFrom(this.slots);
            return (spare != null) ? spare.clear() : ByteBuffer.allocate(capacity);
        }
        if (capacity > this.chunkSize && capacity <= this.grownSize && this.grownSlots.length() > 0) {
            ByteBuffer spare = takeFrom(this.grownSlots);
            return ((spare != null) ? spare.clear() : ByteBuffer.allocate(this.grownSize)).limit(capacity);
        }
        return ByteBuffer.allocate(capacity);
    }

    /** Takes back a buffer whose bytes nobody needs any more; the caller must not touch it afterwards. */
    void give(ByteBuffer buffer) {
        if (!buffer.hasArray() || buffer.isReadOnly()) {
            return;
        }
        if (buffer.capacity() == this.chunkSize) {
            giveTo(this.slots, buffer);
        }
        else if (buffer.capacity() == this.grownSize) {
            giveTo(this.grownSlots, buffer);
        }
    }

    private static @Nullable ByteBuffer takeFrom(AtomicReferenceArray<ByteBuffer> slots) {
        int length = slots.length();
        int start = ThreadLocalRandom.current().nextInt(length);
        for (int i = 0; i < Math.min(PROBES, length); i++) {
            int slot = (start + i) % length;
            ByteBuffer spare = slots.get(slot);
            if (spare != null && slots.compareAndSet(slot, spare, null)) {
                return spare;
            }
        }
        return null;
    }

    private static void giveTo(AtomicReferenceArray<ByteBuffer> slots, ByteBuffer buffer) {
        int length = slots.length();
        if (length == 0) {
            return;
        }
        int start = ThreadLocalRandom.current().nextInt(length);
        for (int i = 0; i < Math.min(PROBES, length); i++) {
            int slot = (start + i) % length;
            if (slots.get(slot) == null && slots.compareAndSet(slot, null, buffer)) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "ChunkPool[" + this.slots.length() + " spares of " + this.chunkSize + " bytes, "
                + this.grownSlots.length() + " of " + this.grownSize + "]";
    }
}
