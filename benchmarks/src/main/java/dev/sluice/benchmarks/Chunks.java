package dev.sluice.benchmarks;

import java.nio.ByteBuffer;

/**
 * The data every benchmark moves: one heap {@link ByteBuffer} of a given size, filled once and handed over again and
 * again. No side consumes it (the sinks read it without moving its position), so Sluice and every peer see exactly the
 * same object and nobody pays for allocating chunks.
 */
final class Chunks {

    /** The bound on buffered data shared by every scenario: Sluice's default high-water mark, 64 KiB. */
    static final int BOUND_BYTES = 64 * 1024;

    private Chunks() {
    }

    /** A chunk of {@code size} bytes holding a repeating pattern. */
    static ByteBuffer chunk(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) i;
        }
        return ByteBuffer.wrap(bytes);
    }

    /** The bound in chunks of {@code chunkSize} bytes, for peers that bound a number of items: never less than 1. */
    static int boundInChunks(int chunkSize) {
        return Math.max(1, BOUND_BYTES / chunkSize);
    }
}
