package dev.sluice.twisted.contract;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

import dev.sluice.testing.contract.BufferedConsumerSubject;
import dev.sluice.testing.contract.ContractSettings;
import dev.sluice.testing.contract.ForwardingSubject;
import dev.sluice.twisted.pcp.BasicProducerConsumerProxy;
import dev.sluice.twisted.pcp.ChunkType;
import dev.sluice.twisted.pcp.ProducerConsumerProxy;

/**
 * A pcp proxy registered as a push producer with a {@link BufferedConsumerSubject} below it (inline drain), as a
 * contract subject: the far end is the consumer below's, finishing is the proxy's {@code finish()} then the consumer
 * below's {@code loseConnection()}, aborting is the consumer below's {@code abortConnection()} (which stops the proxy,
 * which stops its producer), and holds are the consumer below's (an operator holding the pipe). What is buffered counts
 * the proxy's buffer and the consumer's below, and so does the high mark.
 */
final class ProxySubject extends ForwardingSubject {

    private final BasicProducerConsumerProxy<ByteBuffer> proxy;

    private final OptionalLong high;

    private final LongSupplier proxyBuffered;

    private ProxySubject(BufferedConsumerSubject below, BasicProducerConsumerProxy<ByteBuffer> proxy,
            OptionalLong high, LongSupplier proxyBuffered) {
        super(below);
        this.proxy = proxy;
        this.high = high;
        this.proxyBuffered = proxyBuffered;
    }

    /** The basic proxy: it buffers while paused and passes its pause up; bounded by the consumer below. */
    static ProxySubject basic(ContractSettings settings) {
        BufferedConsumerSubject below = BufferedConsumerSubject.inline(settings);
        BasicProducerConsumerProxy<ByteBuffer> proxy = BasicProducerConsumerProxy.create(below.consumer(),
                ChunkType.byteBuffers(), true);
        return new ProxySubject(below, proxy, OptionalLong.of(settings.marks().high()),
                () -> (long) proxy.bufferedChunks() * settings.chunkBytes());
    }

    /** The bounded proxy with a buffer of the high mark's size: the proxy's bound plus the consumer's below. */
    static ProxySubject bounded(ContractSettings settings) {
        BufferedConsumerSubject below = BufferedConsumerSubject.inline(settings);
        long size = settings.marks().high();
        ProducerConsumerProxy<ByteBuffer> proxy = ProducerConsumerProxy.create(below.consumer(),
                ChunkType.byteBuffers(), true, size);
        return new ProxySubject(below, proxy, OptionalLong.of((size - 1) + settings.marks().high()),
                proxy::bufferedUnits);
    }

    /** The bounded proxy with a buffer too large to fill: only the consumer below ever asks for a pause. */
    static ProxySubject unbounded(ContractSettings settings) {
        BufferedConsumerSubject below = BufferedConsumerSubject.inline(settings);
        ProducerConsumerProxy<ByteBuffer> proxy = ProducerConsumerProxy.create(below.consumer(),
                ChunkType.byteBuffers(), true, Long.MAX_VALUE);
        return new ProxySubject(below, proxy, OptionalLong.empty(), proxy::bufferedUnits);
    }

    @Override
    public BasicProducerConsumerProxy<ByteBuffer> consumer() {
        return this.proxy;
    }

    @Override
    public void finish() {
        this.proxy.finish();
        super.finish();
    }

    @Override
    public OptionalLong highWaterMark() {
        return this.high;
    }

    /** The consumer's below first: a chunk moving down meanwhile is missed rather than counted twice. */
    @Override
    public long bufferedUnits() {
        long below = super.bufferedUnits();
        return below + this.proxyBuffered.getAsLong();
    }

    @Override
    public String toString() {
        return "ProxySubject[" + this.proxy + " over " + behind() + "]";
    }
}
