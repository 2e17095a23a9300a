package dev.sluice.benchmarks;

import java.nio.ByteBuffer;

import org.openjdk.jmh.infra.Blackhole;

/**
 * What the final sink of a same-thread pipe does with a chunk, identical for Sluice and every peer.
 * {@code reference} hands the chunk to JMH's {@link Blackhole} and nothing else: it isolates the pure per-chunk cost of
 * the pipe machinery. {@code copy} copies the chunk's bytes into a destination array first, as a socket or file
 * channel write would copy them out of the heap: it shows what that machinery costs next to a sink that touches the
 * data.
 */
final class ChunkWork {

    private final Blackhole blackhole;

    private final boolean copy;

    private final byte[] destination;

    ChunkWork(Blackhole blackhole, String mode, int chunkSize) {
        this.blackhole = blackhole;
        switch (mode) {
            case "reference" -> this.copy = false;
            case "copy" -> this.copy = true;
            default -> throw new IllegalArgumentException("sinkWork must be reference or copy, was " + mode);
        }
        this.destination = new byte[chunkSize];
    }

    void take(ByteBuffer chunk) {
        if (this.copy) {
            chunk.get(chunk.position(), this.destination, 0, chunk.remaining());
            this.blackhole.consume(this.destination);
        }
        else {
            this.blackhole.consume(chunk);
        }
    }
}
