package dev.sluice.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.FlowControlledProducer;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Scenario 5, the memory bound: a producer 100 times faster than its consumer runs for {@code durationMs}, and the
 * peak of the data in flight is compared with the bound. One invocation is one such run (single-shot mode: the score is
 * just its length). The results are the secondary counters of each run:
 *
 * <ul>
 *   <li>{@code peakBytes}: the most data ever in flight, in bytes. In flight means written by the producer and not yet
 *       fully handled by the consumer, the one chunk inside the consumer's hands included. It is sampled on the
 *       producer thread right after every write, where the peak can occur.</li>
 *   <li>{@code boundBytes}: the bound given to the side: the high-water mark for Sluice, the capacity for the peers
 *       (64 KiB, that is 64 chunks of 1 KiB). The report divides the two; for Sluice the target is
 *       {@code peak <= high-water mark + one chunk}, i.e. a ratio of at most 65/64.</li>
 *   <li>{@code pauses}: how often the producer had to wait.</li>
 * </ul>
 *
 * <p>The producer spends {@value #PRODUCER_TOKENS} {@link Blackhole#consumeCPU} tokens per chunk and the consumer 100
 * times as many; the consumer runs on its own thread. Sluice drains on a single-thread executor and its producer parks
 * while paused; the peers are those of scenario 2, set up the same way, with the same bound. The same in-flight
 * measure is applied to every side, so a side can only look better by bounding better.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 1)
@Fork(3)
@State(Scope.Thread)
public class MemoryBoundBenchmark {

    static final int PRODUCER_TOKENS = 10;

    static final int CONSUMER_TOKENS = 100 * PRODUCER_TOKENS;

    private static final int CHUNK = 1024;

    /** How long the producer runs, in milliseconds: 10 s in full mode. */
    @Param({"10000"})
    public long durationMs;

    private final ByteBuffer chunk = Chunks.chunk(CHUNK);

    /** Chunks fully handled by the consumer; written by the consumer's thread only. */
    private final AtomicLong completed = new AtomicLong();

    private long written;

    private long peakChunks;

    /** The results of a run. JMH adds up {@code EVENTS} counters over forks: the report takes the per-run values. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Peak {

        /** The most bytes in flight seen. */
        public long peakBytes;

        /** The bound the side was given, in bytes. */
        public long boundBytes;

        /** How often the producer waited. */
        public long pauses;

        @Setup(Level.Iteration)
        public void reset() {
            this.peakBytes = 0;
            this.boundBytes = 0;
            this.pauses = 0;
        }
    }

    @Setup(Level.Iteration)
    public void reset() {
        this.completed.set(0);
        this.written = 0;
        this.peakChunks = 0;
    }

    private void consume(ByteBuffer item) {
        Blackhole.consumeCPU(CONSUMER_TOKENS);
        this.completed.lazySet(this.completed.get() + 1); // one writer: the consumer's thread
    }

    /** Called by the producer right after each write. */
    private void sample() {
        this.written++;
        long inFlight = this.written - this.completed.get();
        if (inFlight > this.peakChunks) {
            this.peakChunks = inFlight;
        }
    }

    private void report(Peak peak, long pauses) {
        peak.peakBytes = this.peakChunks * CHUNK;
        peak.boundBytes = Chunks.BOUND_BYTES;
        peak.pauses = pauses;
    }

    private long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(this.durationMs);
    }

    /** Waits until the consumer has handled everything written, so the next run starts empty. */
    private void awaitDrained() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (this.completed.get() < this.written) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("the consumer did not drain in 30 s");
            }
            Thread.onSpinWait();
        }
    }

    @Benchmark
    public void sluice(Peak peak) throws InterruptedException {
        ExecutorService executor = DaemonThreads.singleThreadExecutor("bound-sluice");
        Sink<ByteBuffer> sink = item -> {
            consume(item);
            return true;
        };
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(sink)
                .name("memory-bound")
                .weigher(Weigher.bytes())
                .waterMarks(WaterMarks.ofHigh(Chunks.BOUND_BYTES))
                .drainOn(executor)
                .build();
        FlowControlledProducer<ByteBuffer> producer = FlowControlledProducer.builder(consumer).build();
        consumer.registerProducer(producer, true);
        try {
            long deadline = deadline();
            while (System.nanoTime() < deadline) {
                Blackhole.consumeCPU(PRODUCER_TOKENS);
                if (!producer.awaitWritable()) {
                    throw new IllegalStateException("the consumer stopped the producer");
                }
                producer.write(this.chunk);
                sample();
            }
            awaitDrained();
        }
        finally {
            consumer.unregisterProducer();
            consumer.loseConnection();
            DaemonThreads.shutdown(executor);
        }
        report(peak, consumer.producerPauses());
    }

    @Benchmark
    public void arrayBlockingQueue(Peak peak) throws InterruptedException {
        ArrayBlockingQueue<ByteBuffer> queue = new ArrayBlockingQueue<>(Chunks.boundInChunks(CHUNK));
        ByteBuffer poison = ByteBuffer.allocate(0);
        Thread drainer = DaemonThreads.start("bound-queue", () -> {
            try {
                for (ByteBuffer item = queue.take(); item != poison; item = queue.take()) {
                    consume(item);
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        long waits = 0;
        long deadline = deadline();
        while (System.nanoTime() < deadline) {
            Blackhole.consumeCPU(PRODUCER_TOKENS);
            if (!queue.offer(this.chunk)) {
                waits++;
                queue.put(this.chunk);
            }
            sample();
        }
        awaitDrained();
        queue.put(poison);
        drainer.join(10_000);
        report(peak, waits);
    }

    @Benchmark
    public void submissionPublisher(Peak peak) {
        ExecutorService executor = DaemonThreads.singleThreadExecutor("bound-publisher");
        long waits = 0;
        try (SubmissionPublisher<ByteBuffer> publisher =
                new SubmissionPublisher<>(executor, Chunks.boundInChunks(CHUNK))) {
            publisher.subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(ByteBuffer item) {
                    consume(item);
                }

                @Override
                public void onError(Throwable throwable) {
                }

                @Override
                public void onComplete() {
                }
            });
            long deadline = deadline();
            while (System.nanoTime() < deadline) {
                Blackhole.consumeCPU(PRODUCER_TOKENS);
                if (publisher.estimateMaximumLag() >= Chunks.boundInChunks(CHUNK)) {
                    waits++; // submit is about to block
                }
                publisher.submit(this.chunk);
                sample();
            }
            awaitDrained();
        }
        finally {
            DaemonThreads.shutdown(executor);
        }
        report(peak, waits);
    }

    @Benchmark
    public void reactor(Peak peak) {
        ExecutorService executor = DaemonThreads.singleThreadExecutor("bound-reactor");
        Scheduler scheduler = Schedulers.fromExecutorService(executor);
        AtomicReference<FluxSink<ByteBuffer>> sink = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        BaseSubscriber<ByteBuffer> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnNext(ByteBuffer value) {
                consume(value);
            }

            @Override
            protected void hookOnError(Throwable throwable) {
                failure.set(throwable);
            }
        };
        Flux.<ByteBuffer>create(sink::set, FluxSink.OverflowStrategy.IGNORE)
                .publishOn(scheduler, Chunks.boundInChunks(CHUNK))
                .subscribe(subscriber);
        DemandWaitingEmitter emitter = new DemandWaitingEmitter(sink.get());
        emitter.bindToCurrentThread();
        long waits = 0;
        try {
            long deadline = deadline();
            while (System.nanoTime() < deadline) {
                Blackhole.consumeCPU(PRODUCER_TOKENS);
                if (emitter.demand() == 0) {
                    waits++;
                }
                if (!emitter.emit(this.chunk)) {
                    break;
                }
                sample();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("the Reactor pipe failed", failure.get());
            }
            awaitDrained();
        }
        finally {
            subscriber.dispose();
            scheduler.dispose();
            DaemonThreads.shutdown(executor);
        }
        report(peak, waits);
    }
}
