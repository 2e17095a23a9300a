package dev.sluice.benchmarks;

import java.nio.ByteBuffer;

import org.openjdk.jmh.infra.Blackhole;

/**
 * What the final sink of a same-thread pipe does with a chunk, identical for Sluice and every peer.
 * {@code reference} hands the chunk to JMH's {@link Blackhole} and nothing else: it isolates the pure per-chunk cost of
 * the pipe machinery. {@code copy} copies the chunk's bytes into a destination array first, as a socket or file
 * channel write would copy them out of the heap: it shows what that machinery costs next to a sink that touches the
 * data.
 *
 * <p>In both modes the sink also counts the chunk and hands the running count to the {@link Blackhole}. Without that,
 * {@code reference} could not be measured: every side hands the same chunk object again and again, and with JMH's
 * compiler blackholes (the default on JDK 17) consuming a loop-invariant reference costs nothing, so the JIT folded
 * the whole loop of the sides it inlines completely (the direct call and the Vert.x pipe reported 3 to 4 × 10¹⁰
 * chunks/s, 0.03 ns per chunk). A count that changes with every chunk must reach the blackhole once per chunk, so
 * every side pays for exactly one sink call per chunk, and {@link #taken()} lets a benchmark check that it did.
 */
final class ChunkWork {

    private final Blackhole blackhole;

    private final boolean copy;

    private final byte[] destination;

    private long taken;

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
        this.blackhole.consume(++this.taken);
    }

    /** Chunks taken so far. */
    long taken() {
        return this.taken;
    }
}
