package dev.sluice.twisted.contract;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

import dev.sluice.testing.contract.BufferedConsumerSubject;
import dev.sluice.testing.contract.ConsumerContract;
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
 *
 * <p>Where the proxies follow Twisted rather than {@link dev.sluice.Consumer}'s defaults, the subject says so, and the
 * contract skips those checks:
 * <ul>
 *   <li>pull producers above: the basic proxy never asks a producer at registration (PCP-B7) and asks it only when the
 *       consumer below resumes the proxy (PCP-B3), which it never does while it is not full; the bounded proxy asks at
 *       registration (PCP-4), then only when a resume finds nothing to send or a {@code false} it got has been worked
 *       off, never because the consumer below has drained (PCP-2, the note on streaming proxies). Neither drives a pull
 *       producer to its end by itself ({@link #asksAPullProducerWhenItRegisters()},
 *       {@link #asksAPullProducerAgainOnceDrained()});</li>
 *   <li>holds, for the bounded proxy: the hold is placed on the consumer below, which pauses the proxy, and the
 *       bounded proxy absorbs its own pause in its buffer without passing it up (PCP-1); its producer is answered
 *       {@code false} only once that buffer is full, and what the proxy buffered waits below the hold
 *       ({@link #holdsReachTheProducer()}). The basic proxy passes the pause up (PCP-B2), so its holds are checked.</li>
 * </ul>
 */
final class ProxySubject extends ForwardingSubject {

    private final BasicProducerConsumerProxy<ByteBuffer> proxy;

    private final OptionalLong high;

    private final LongSupplier proxyBuffered;

    /** Whether the proxy asks a pull producer as it registers: the bounded proxy does (PCP-4), the basic not (PCP-B7). */
    private final boolean pullsAtRegistration;

    /** Whether a hold on the consumer below reaches the producer above: through the basic proxy only (PCP-B2, PCP-1). */
    private final boolean passesPauseUp;

    private ProxySubject(BufferedConsumerSubject below, BasicProducerConsumerProxy<ByteBuffer> proxy,
            OptionalLong high, LongSupplier proxyBuffered, boolean basic) {
        super(below);
        this.proxy = proxy;
        this.high = high;
        this.proxyBuffered = proxyBuffered;
        this.pullsAtRegistration = !basic;
        this.passesPauseUp = basic;
    }

    /** The basic proxy: it buffers while paused and passes its pause up; bounded by the consumer below. */
    static ProxySubject basic(ContractSettings settings) {
        BufferedConsumerSubject below = BufferedConsumerSubject.inline(settings);
        BasicProducerConsumerProxy<ByteBuffer> proxy = BasicProducerConsumerProxy.create(below.consumer(),
                ChunkType.byteBuffers(), true);
        return new ProxySubject(below, proxy, OptionalLong.of(settings.marks().high()),
                () -> (long) proxy.bufferedChunks() * settings.chunkBytes(), true);
    }

    /**
     * The bounded proxy with a buffer of the high mark's size. Its bound: the proxy's own (below {@code size}; the
     * contract adds each writer's one write past it) plus the most the consumer below can hold, which is the larger of
     * its mark plus one chunk (a chunk passed down while the proxy is not paused, the one write past the mark of the
     * consumer's only writer, DESIGN §4.5) and its low mark plus a whole proxy buffer: when the consumer below resumes
     * the proxy, it has drained to its low mark, and the proxy sends its buffer down as one merged write (PCP-2),
     * which can hold up to {@code size - 1} plus each writer's one write past it; the proxy then fills again while the
     * consumer works that off (seen on JDK 25 as 36 chunks of 256 bytes against the old bound of one chunk past each).
     * The sum read here counts a chunk being handed down twice while that write runs (the proxy lets go of it after
     * the consumer below has counted it, so that its own bound never forgets memory still held); the flush is the
     * largest such chunk, and it is handed down before the proxy fills again, so the bound above covers it.
     */
    static ProxySubject bounded(ContractSettings settings) {
        BufferedConsumerSubject below = BufferedConsumerSubject.inline(settings);
        long size = settings.marks().high();
        ProducerConsumerProxy<ByteBuffer> proxy = ProducerConsumerProxy.create(below.consumer(),
                ChunkType.byteBuffers(), true, size);
        long chunk = settings.chunkBytes();
        long belowAtMost = Math.max(settings.marks().high() + chunk,
                settings.marks().low() + (size - 1) + ConsumerContract.WRITERS * chunk);
        return new ProxySubject(below, proxy, OptionalLong.of((size - 1) + belowAtMost), proxy::bufferedUnits, false);
    }

    /** The bounded proxy with a buffer too large to fill: only the consumer below ever asks for a pause. */
    static ProxySubject unbounded(ContractSettings settings) {
        BufferedConsumerSubject below = BufferedConsumerSubject.inline(settings);
        ProducerConsumerProxy<ByteBuffer> proxy = ProducerConsumerProxy.create(below.consumer(),
                ChunkType.byteBuffers(), true, Long.MAX_VALUE);
        return new ProxySubject(below, proxy, OptionalLong.empty(), proxy::bufferedUnits, false);
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

    /** The basic proxy never asks a producer as it registers (PCP-B7); the bounded proxy does (PCP-4). */
    @Override
    public boolean asksAPullProducerWhenItRegisters() {
        return this.pullsAtRegistration;
    }

    /** No proxy asks a pull producer again because the consumer below drained (PCP-B3, PCP-2). */
    @Override
    public boolean asksAPullProducerAgainOnceDrained() {
        return false;
    }

    /** The bounded proxy absorbs the pause a hold below gives it (PCP-1); the basic proxy passes it up (PCP-B2). */
    @Override
    public boolean holdsReachTheProducer() {
        return this.passesPauseUp;
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
