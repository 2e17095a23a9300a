package dev.sluice.servlet;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The chunk buffers of one file transfer, handed back by the sink once the container has copied their bytes, so that
 * a transfer reuses a few buffers instead of allocating one per chunk: a fresh 16 KiB buffer per chunk made the
 * chunks of slow clients live long enough to be copied and promoted by every young collection.
 *
 * <p>One thread at a time takes (the transfer's read task) and one at a time gives (the consumer's drain loop); the
 * slots are atomic, so a buffer given on one thread is seen whole by the next taker, and neither side waits. A buffer
 * given to a full pool, or one of another size than is asked for, is left to the garbage collector.
 */
final class ChunkPool {

    private final AtomicReferenceArray<ByteBuffer> slots;

    ChunkPool(int slots) {
        if (slots <= 0) {
            throw new IllegalArgumentException("slots must be positive, was " + slots);
        }
        this.slots = new AtomicReferenceArray<>(slots);
    }

    /** A cleared buffer of exactly {@code capacity} bytes: a pooled one if there is one, else a new one. */
    ByteBuffer take(int capacity) {
        for (int i = 0; i < this.slots.length(); i++) {
            ByteBuffer pooled = this.slots.get(i);
            if (pooled != null && this.slots.compareAndSet(i, pooled, null) && pooled.capacity() == capacity) {
                return pooled.clear();
            }
        }
        return ByteBuffer.allocate(capacity);
    }

    /** Takes back a buffer whose bytes nobody needs any more; the caller must not touch it afterwards. */
    void give(ByteBuffer buffer) {
        for (int i = 0; i < this.slots.length(); i++) {
            if (this.slots.get(i) == null && this.slots.compareAndSet(i, null, buffer)) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "ChunkPool[" + this.slots.length() + " slots]";
    }
}
