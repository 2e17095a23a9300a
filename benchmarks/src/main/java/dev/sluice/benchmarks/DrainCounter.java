package dev.sluice.benchmarks;

import java.nio.ByteBuffer;

/**
 * The work of the draining thread in the cross-thread scenarios, identical for Sluice and every peer: count the chunk
 * and its bytes. It is used by one draining thread at a time (each side has exactly one), so plain fields suffice; the
 * fields are read only for sanity checks after a run.
 */
final class DrainCounter {

    long chunks;

    long bytes;

    void take(ByteBuffer chunk) {
        this.chunks++;
        this.bytes += chunk.remaining();
    }
}
