package dev.sluice.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.BufferedConsumer;
import dev.sluice.PushProducer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 6, pause latency of a Sluice {@link BufferedConsumer}. One invocation is one full flow-control cycle: with
 * the sink shut, the producer writes 1 KiB chunks until it is paused; then the sink opens and drains until the producer
 * is resumed. The primary score is cycles per second; the secondary results are the sums of the latencies in
 * nanoseconds and the number of cycles, so that the mean is exact however JMH aggregates ({@link Latencies}):
 *
 * <ul>
 *   <li>pause: from just before the write that takes the buffer over the high-water mark to the start of
 *       {@code pauseProducing};</li>
 *   <li>resume: from the sink taking the chunk that brings the buffer to the low-water mark to the start of
 *       {@code resumeProducing};</li>
 *   <li>wake (cross-thread only): from the same point to the producer's thread running again after it parked,
 *       the latency a parked producer really sees.</li>
 * </ul>
 *
 * <p>{@code threading = same-thread} drains inline, so both callbacks are made on the benchmark thread;
 * {@code cross-thread} drains on a single-thread executor, so the resume is made on the drain thread and has to wake
 * the parked producer. Each time stamp costs a {@code System.nanoTime()} call (about 20 ns), which is included in
 * the figures. No peer has a comparable callback (a blocking queue has no pause event), so this scenario has no ratio.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Thread)
public class PauseLatencyBenchmark {

    private static final int CHUNK = 1024;

    /** Where the drain runs: {@code same-thread} (inline) or {@code cross-thread} (a single-thread executor). */
    @Param({"same-thread", "cross-thread"})
    public String threading;

    private final ByteBuffer chunk = Chunks.chunk(CHUNK);

    private GatedSink sink;

    private TimedProducer producer;

    private BufferedConsumer<ByteBuffer> consumer;

    private ExecutorService executor;

    /**
     * The latencies, reported by JMH next to the score. JMH adds up {@code EVENTS} counters over iterations and forks,
     * so they are kept as sums: a mean latency is {@code pauseNsSum / cycles} (the report script divides them).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Latencies {

        /** Cycles measured. */
        public long cycles;

        /** Sum of the pause latencies, ns. */
        public long pauseNsSum;

        /** Sum of the resume latencies, ns. */
        public long resumeNsSum;

        /** Sum of the wake latencies, ns (cross-thread only). */
        public long wakeNsSum;

        @Setup(Level.Iteration)
        public void reset() {
            this.cycles = 0;
            this.pauseNsSum = 0;
            this.resumeNsSum = 0;
            this.wakeNsSum = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        this.sink = new GatedSink();
        this.producer = new TimedProducer(this.sink);
        BufferedConsumer.Builder<ByteBuffer> builder = BufferedConsumer.builder(this.sink)
                .name("latency")
                .weigher(Weigher.bytes())
                .waterMarks(WaterMarks.ofHigh(Chunks.BOUND_BYTES));
        switch (this.threading) {
            case "same-thread" -> {
            }
            case "cross-thread" -> {
                this.executor = DaemonThreads.singleThreadExecutor("latency-drain");
                builder.drainOn(this.executor);
            }
            default -> throw new IllegalArgumentException("threading must be same-thread or cross-thread");
        }
        this.consumer = builder.build();
        this.sink.consumer = this.consumer;
        this.consumer.registerProducer(this.producer, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        this.sink.open = true;
        this.consumer.drain();
        this.consumer.unregisterProducer();
        this.consumer.loseConnection();
        this.consumer.whenClosed().orTimeout(10, TimeUnit.SECONDS).join();
        if (this.executor != null) {
            DaemonThreads.shutdown(this.executor);
        }
    }

    @Benchmark
    public void cycle(Latencies latencies) {
        TimedProducer producer = this.producer;
        producer.thread = Thread.currentThread();
        this.sink.open = false;
        while (!producer.paused) {
            producer.writeStarted = System.nanoTime();
            this.consumer.write(this.chunk);
        }
        this.sink.open = true;
        this.consumer.drain();
        while (producer.paused) {
            LockSupport.park(this);
        }
        long woke = System.nanoTime();
        latencies.cycles++;
        latencies.pauseNsSum += producer.pausedAt - producer.crossingWriteStarted;
        latencies.resumeNsSum += producer.resumedAt - producer.crossingOffer;
        if (this.executor != null) {
            // on one thread the producer runs again only after drain() has emptied the buffer: not a wake-up latency
            latencies.wakeNsSum += woke - producer.crossingOffer;
        }
    }

    /** A sink that refuses everything while shut and stamps each chunk it takes. */
    static final class GatedSink implements Sink<ByteBuffer> {

        volatile boolean open;

        BufferedConsumer<ByteBuffer> consumer;

        /** When the last chunk was taken; written and read on the drain loop's thread only. */
        long lastOffer;

        @Override
        public boolean offer(ByteBuffer item) {
            if (!this.open) {
                return false;
            }
            this.lastOffer = System.nanoTime();
            return true;
        }
    }

    /** A push producer that stamps its callbacks; the producing thread parks on it while paused. */
    static final class TimedProducer implements PushProducer {

        private final GatedSink sink;

        volatile boolean paused;

        volatile Thread thread;

        /** Written by the producing thread before each write. */
        volatile long writeStarted;

        long crossingWriteStarted;

        long pausedAt;

        long crossingOffer;

        long resumedAt;

        TimedProducer(GatedSink sink) {
            this.sink = sink;
        }

        @Override
        public void pauseProducing() {
            this.pausedAt = System.nanoTime();
            this.crossingWriteStarted = this.writeStarted;
            this.paused = true; // publishes the stamps to the producing thread
        }

        @Override
        public void resumeProducing() {
            this.resumedAt = System.nanoTime();
            this.crossingOffer = this.sink.lastOffer; // the drain loop calls this right after the crossing offer
            this.paused = false;
            LockSupport.unpark(this.thread);
        }

        @Override
        public void stopProducing() {
        }
    }
}
