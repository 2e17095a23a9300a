package dev.sluice.testing;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAccumulator;

import dev.sluice.BufferView;
import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.Producer;

/**
 * A consumer that passes everything on to {@code target}, shows the buffer it writes to, and records the deepest level
 * seen right after a write in {@code maxDepth}.
 *
 * @param target the consumer written to
 * @param maxDepth where the deepest level goes
 */
public record MeasuringConsumer(BufferedConsumer<ByteBuffer> target, LongAccumulator maxDepth)
    implements Consumer<ByteBuffer>, BufferView {

    @Override
    public void registerProducer(Producer producer, boolean streaming) {
        this.target.registerProducer(producer, streaming);
    }

    @Override
    public void unregisterProducer() {
        this.target.unregisterProducer();
    }

    @Override
    public boolean write(ByteBuffer data) {
        boolean writable = this.target.write(data);
        this.maxDepth.accumulate(this.target.bufferedUnits());
        return writable;
    }

    @Override
    public boolean isWritable() {
        return this.target.isWritable();
    }

    @Override
    public long bufferedUnits() {
        return this.target.bufferedUnits();
    }

    @Override
    public long highWaterMark() {
        return this.target.highWaterMark();
    }

    @Override
    public long lowWaterMark() {
        return this.target.lowWaterMark();
    }

    @Override
    public long acceptedUnits() {
        return this.target.acceptedUnits();
    }

    @Override
    public long sentUnits() {
        return this.target.sentUnits();
    }

    @Override
    public long droppedUnits() {
        return this.target.droppedUnits();
    }

    @Override
    public String unit() {
        return this.target.unit();
    }
}
