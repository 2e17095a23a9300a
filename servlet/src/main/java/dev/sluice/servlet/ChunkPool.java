package dev.sluice.servlet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

/**
 * The spare chunk buffers of all file transfers of one {@link HttpTransfers}: a sink gives a buffer back once the
 * container is done with its bytes, and the next read of any transfer takes it, so the transfers allocate only what
 * they have in flight. A fresh buffer per chunk made the chunks of slow clients live long enough to be copied and
 * promoted by every young collection; spares kept per transfer would sit idle while a slow client's transfer is paused.
 *
 * <p>Buffers of exactly {@link #chunkSize()} bytes are kept, and, in fewer slots each, the grown buffers that a client
 * that keeps up reads into: twice the chunk size, four times, and so on up to {@link #grownSize()}. A read of any length
 * between the chunk size and the grown size takes a buffer of the smallest grown size that holds it, with its limit
 * set to the length, so a read of a few bytes more than a chunk holds twice a chunk and not the largest size (a slow
 * client's last grown read may be held for seconds). Other sizes are neither kept nor handed out from the spares. The
 * slots are atomic: a buffer given on one thread is seen whole by the thread that takes it, and nobody waits; a taker
 * or giver probes a few slots from a random one and otherwise allocates or drops.
 */
final class ChunkPool {

    private static final int PROBES = 8;

    private final AtomicReferenceArray<ByteBuffer> slots;

    /** The spares of each grown size, smallest first. */
    private final List<AtomicReferenceArray<ByteBuffer>> grownSlots;

    /** The grown sizes: twice the chunk size, four times, ..., then {@link #grownSize}. */
    private final int[] grownSizes;

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
        this.chunkSize = chunkSize;
        this.grownSize = grownSize;
        int classes = 0;
        for (long size = chunkSize; size < grownSize; size *= 2) {
            classes++;
        }
        this.grownSizes = new int[(grownSlots > 0) ? classes : 0];
        List<AtomicReferenceArray<ByteBuffer>> spares = new ArrayList<>(this.grownSizes.length);
        for (int i = 0; i < this.grownSizes.length; i++) {
            this.grownSizes[i] = (int) Math.min((long) chunkSize << (i + 1), grownSize);
            spares.add(new AtomicReferenceArray<>(grownSlots));
        }
        this.grownSlots = List.copyOf(spares);
    }

    /** The size of the chunk buffers kept. */
    int chunkSize() {
        return this.chunkSize;
    }

    /** The largest grown buffers kept. */
    int grownSize() {
        return this.grownSize;
    }

    /**
     * A cleared buffer of exactly {@code capacity} bytes, a spare one if there is one, else a new one; or, for a
     * length between the chunk size and the grown size where grown buffers are kept, a buffer of the smallest grown
     * size that holds it, whose limit is {@code capacity}.
     */
    ByteBuffer take(int capacity) {
        if (capacity == this.chunkSize) {
            ByteBuffer spare = takeFrom(this.slots);
            return (spare != null) ? spare.clear() : ByteBuffer.allocate(capacity);
        }
        for (int i = 0; i < this.grownSizes.length; i++) {
            if (capacity > this.chunkSize && capacity <= this.grownSizes[i]) {
                ByteBuffer spare = takeFrom(this.grownSlots.get(i));
                return ((spare != null) ? spare.clear() : ByteBuffer.allocate(this.grownSizes[i])).limit(capacity);
            }
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
            return;
        }
        for (int i = 0; i < this.grownSizes.length; i++) {
            if (buffer.capacity() == this.grownSizes[i]) {
                giveTo(this.grownSlots.get(i), buffer);
                return;
            }
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
                + (this.grownSlots.isEmpty() ? 0 : this.grownSlots.get(0).length()) + " of each of "
                + Arrays.toString(this.grownSizes) + "]";
    }
}
