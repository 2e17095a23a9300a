package dev.sluice.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.FlowControlledProducer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Scenario 2, the cross-thread hand-off: the benchmark thread produces chunks into a bounded buffer and one other thread
 * drains it. Score: chunks per second handed over (each invocation produces {@value #BATCH} chunks; in steady state
 * the producer can run ahead of the drainer by the bound only, so this is the hand-off rate).
 *
 * <ul>
 *   <li>{@code arrayBlockingQueue}: the JDK baseline. {@code put} on the producer, {@code take} in a loop on a
 *       dedicated thread; capacity 64 KiB / chunk.</li>
 *   <li>{@code sluice}: a {@link BufferedConsumer} with {@code drainOn(a single-thread executor)}, a byte weigher and
 *       64 KiB / 32 KiB water marks; the producer writes through a {@link FlowControlledProducer} and parks in its
 *       {@code awaitWritable()} while paused.</li>
 *   <li>{@code submissionPublisher}: {@link SubmissionPublisher} on a single-thread executor with
 *       {@code maxBufferCapacity} 64 KiB / chunk; {@code submit} blocks the producer when the buffer is full.</li>
 *   <li>{@code reactor}: {@code Flux.create} fed by a producer that parks while there is no demand
 *       ({@link DemandWaitingEmitter}), {@code publishOn(a single-thread executor, prefetch 64 KiB / chunk)}.</li>
 * </ul>
 *
 * <p>Fair because the bound is the same for all (64 KiB: 64 chunks of 1 KiB), the drainer does the same work
 * ({@link DrainCounter}), the three executor-driven sides drain on the same kind of executor
 * ({@code Executors.newSingleThreadExecutor}), which they re-arm in the same way (a drain task submitted when work
 * arrives at an idle drainer), and every waiting producer parks, without spinning. The queue's consumer is a dedicated
 * thread, as it would be in real use.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(CrossThreadHandOffBenchmark.BATCH)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class CrossThreadHandOffBenchmark {

    /** Chunks produced per invocation. */
    static final int BATCH = 1024;

    /** The state of one side; built once per trial, torn down after it. */
    @State(Scope.Thread)
    public abstract static class Side {

        /** Bytes per chunk. */
        @Param({"1024"})
        public int chunkSize;

        ByteBuffer chunk;

        final DrainCounter drained = new DrainCounter();

        @Setup(Level.Trial)
        public void setUp() {
            this.chunk = Chunks.chunk(this.chunkSize);
            start();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            stop();
        }

        abstract void start();

        abstract void stop();
    }

    public static class SluiceSide extends Side {

        ExecutorService executor;

        BufferedConsumer<ByteBuffer> consumer;

        FlowControlledProducer<ByteBuffer> producer;

        @Override
        void start() {
            this.executor = DaemonThreads.singleThreadExecutor("sluice-drain");
            DrainCounter counter = this.drained;
            Sink<ByteBuffer> sink = item -> {
                counter.take(item);
                return true;
            };
            this.consumer = BufferedConsumer.builder(sink)
                    .name("cross-thread")
                    .weigher(Weigher.bytes())
                    .waterMarks(WaterMarks.ofHigh(Chunks.BOUND_BYTES))
                    .drainOn(this.executor)
                    .build();
            this.producer = FlowControlledProducer.builder(this.consumer).build();
            this.consumer.registerProducer(this.producer, true);
        }

        @Override
        void stop() {
            this.consumer.unregisterProducer();
            this.consumer.loseConnection();
            this.consumer.whenClosed().orTimeout(10, TimeUnit.SECONDS).join();
            DaemonThreads.shutdown(this.executor);
        }
    }

    public static class QueueSide extends Side {

        private static final ByteBuffer POISON = ByteBuffer.allocate(0);

        ArrayBlockingQueue<ByteBuffer> queue;

        Thread drainer;

        @Override
        void start() {
            this.queue = new ArrayBlockingQueue<>(Chunks.boundInChunks(this.chunkSize));
            ArrayBlockingQueue<ByteBuffer> source = this.queue;
            DrainCounter counter = this.drained;
            this.drainer = DaemonThreads.start("queue-drain", () -> {
                try {
                    for (ByteBuffer item = source.take(); item != POISON; item = source.take()) {
                        counter.take(item);
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Override
        void stop() {
            try {
                this.queue.put(POISON);
                this.drainer.join(10_000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static class SubmissionPublisherSide extends Side {

        ExecutorService executor;

        SubmissionPublisher<ByteBuffer> publisher;

        @Override
        void start() {
            this.executor = DaemonThreads.singleThreadExecutor("publisher-drain");
            this.publisher = new SubmissionPublisher<>(this.executor, Chunks.boundInChunks(this.chunkSize));
            DrainCounter counter = this.drained;
            this.publisher.subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscription.request(Long.MAX_VALUE); // the publisher's own buffer is the bound
                }

                @Override
                public void onNext(ByteBuffer item) {
                    counter.take(item);
                }

                @Override
                public void onError(Throwable throwable) {
                }

                @Override
                public void onComplete() {
                }
            });
        }

        @Override
        void stop() {
            this.publisher.close();
            DaemonThreads.shutdown(this.executor);
        }
    }

    public static class ReactorSide extends Side {

        ExecutorService executor;

        Scheduler scheduler;

        DemandWaitingEmitter emitter;

        final AtomicReference<Throwable> failure = new AtomicReference<>();

        BaseSubscriber<ByteBuffer> subscriber;

        @Override
        void start() {
            this.executor = DaemonThreads.singleThreadExecutor("reactor-drain");
            this.scheduler = Schedulers.fromExecutorService(this.executor);
            AtomicReference<FluxSink<ByteBuffer>> sink = new AtomicReference<>();
            DrainCounter counter = this.drained;
            this.subscriber = new BaseSubscriber<>() {
                @Override
                protected void hookOnNext(ByteBuffer value) {
                    counter.take(value);
                }

                @Override
                protected void hookOnError(Throwable throwable) {
                    ReactorSide.this.failure.set(throwable);
                }
            };
            Flux.<ByteBuffer>create(sink::set, FluxSink.OverflowStrategy.IGNORE)
                    .publishOn(this.scheduler, Chunks.boundInChunks(this.chunkSize))
                    .subscribe(this.subscriber);
            this.emitter = new DemandWaitingEmitter(sink.get());
        }

        void check() {
            Throwable error = this.failure.get();
            if (error != null) {
                throw new IllegalStateException("the Reactor pipe failed", error);
            }
        }

        @Override
        void stop() {
            this.subscriber.dispose();
            this.scheduler.dispose();
            DaemonThreads.shutdown(this.executor);
        }
    }

    @Benchmark
    public void arrayBlockingQueue(QueueSide side) throws InterruptedException {
        ByteBuffer chunk = side.chunk;
        ArrayBlockingQueue<ByteBuffer> queue = side.queue;
        for (int i = 0; i < BATCH; i++) {
            queue.put(chunk);
        }
    }

    @Benchmark
    public void sluice(SluiceSide side) throws InterruptedException {
        ByteBuffer chunk = side.chunk;
        FlowControlledProducer<ByteBuffer> producer = side.producer;
        for (int i = 0; i < BATCH; i++) {
            if (!producer.awaitWritable()) {
                throw new IllegalStateException("the consumer stopped the producer");
            }
            producer.write(chunk);
        }
    }

    @Benchmark
    public void submissionPublisher(SubmissionPublisherSide side) {
        ByteBuffer chunk = side.chunk;
        SubmissionPublisher<ByteBuffer> publisher = side.publisher;
        for (int i = 0; i < BATCH; i++) {
            publisher.submit(chunk);
        }
    }

    @Benchmark
    public void reactor(ReactorSide side) {
        ByteBuffer chunk = side.chunk;
        DemandWaitingEmitter emitter = side.emitter;
        emitter.bindToCurrentThread();
        for (int i = 0; i < BATCH; i++) {
            if (!emitter.emit(chunk)) {
                side.check();
                throw new IllegalStateException("the Reactor subscription was cancelled");
            }
        }
        side.check();
    }
}
