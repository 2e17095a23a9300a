package dev.sluice.servlet;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The spare chunk buffers of all file transfers of one {@link HttpTransfers}: a sink gives a buffer back once the
 * container has copied its bytes, and the next read of any transfer takes it, so the transfers allocate only what they
 * have in flight. A fresh buffer per chunk made the chunks of slow clients live long enough to be copied and promoted
 * by every young collection; spares kept per transfer would sit idle while a slow client's transfer is paused.
 *
 * <p>Only buffers of exactly {@link #chunkSize()} bytes are kept (a grown read of a fast client allocates, and its
 * buffer dies young). The slots are atomic: a buffer given on one thread is seen whole by the thread that takes it,
 * and nobody waits; a taker or giver probes a few slots from a random one and otherwise allocates or drops.
 */
final class ChunkPool {

    private static final int PROBES = 8;

    private final AtomicReferenceArray<ByteBuffer> slots;

    private final int chunkSize;

    ChunkPool(int slots, int chunkSize) {
        if (slots <= 0 || chunkSize <= 0) {
            throw new IllegalArgumentException("slots and chunkSize must be positive, were " + slots + " and "
                    + chunkSize);
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.chunkSize = chunkSize;
    }

    /** The size of the buffers kept. */
    int chunkSize() {
        return this.chunkSize;
    }

    /** A cleared buffer of exactly {@code capacity} bytes: a spare one if there is one, else a new one. */
    ByteBuffer take(int capacity) {
        if (capacity == this.chunkSize) {
            int length = this.slots.length();
            int start = ThreadLocalRandom.current().nextInt(length);
            for (int i = 0; i < Math.min(PROBES, length); i++) {
                int slot = (start + i) % length;
                ByteBuffer spare = this.slots.get(slot);
                if (spare != null && this.slots.compareAndSet(slot, spare, null)) {
                    return spare.clear();
                }
            }
        }
        return ByteBuffer.allocate(capacity);
    }

    /** Takes back a buffer whose bytes nobody needs any more; the caller must not touch it afterwards. */
    void give(ByteBuffer buffer) {
        if (buffer.capacity() != this.chunkSize || !buffer.hasArray()) {
            return;
        }
        int length = this.slots.length();
        int start = ThreadLocalRandom.current().nextInt(length);
        for (int i = 0; i < Math.min(PROBES, length); i++) {
            int slot = (start + i) % length;
            if (this.slots.get(slot) == null && this.slots.compareAndSet(slot, null, buffer)) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "ChunkPool[" + this.slots.length() + " spares of " + this.chunkSize + " bytes]";
    }
}
