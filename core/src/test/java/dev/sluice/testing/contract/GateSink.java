package dev.sluice.testing.contract;

import java.nio.ByteBuffer;

import dev.sluice.Sink;

/**
 * A sink of bytes that takes what its {@link Gate} allows. A sink that could not take a whole item expects its consumer
 * to be drained again when more is granted: the subject that owns it does that ({@code grant} then {@code drain()}).
 *
 * @param gate the far end
 */
public record GateSink(Gate gate) implements Sink<ByteBuffer> {

    @Override
    public boolean offer(ByteBuffer item) {
        return this.gate.take(item);
    }
}
