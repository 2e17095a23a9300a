package dev.sluice.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.FlowControlledProducer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import io.vertx.core.streams.Pipe;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Scenario 1, the same-thread pipe: a push producer hands chunks to a flow-controlled pipe whose sink runs on the same
 * thread. Score: chunks per second (each invocation moves {@value #BATCH} chunks).
 *
 * <ul>
 *   <li>{@code direct}: the producer calls the sink's work itself. No flow control at all: the upper bound.</li>
 *   <li>{@code sluice}: a {@link BufferedConsumer} with the default inline drain, a byte weigher and 64 KiB / 32 KiB
 *       water marks; a registered push producer that checks its pause flag before each write.</li>
 *   <li>{@code vertx}: a Vert.x 5 {@link Pipe} from an in-memory {@code ReadStream} to an in-memory {@code WriteStream}
 *       whose write queue limit is 64 KiB. It runs on the benchmark thread, as it would on its one context: the pipe
 *       and both streams are single-threaded by contract, so no context hop is needed and none is measured.</li>
 *   <li>{@code reactor}: a Reactor 3.8 {@code Flux.push} source that emits only while
 *       {@code requestedFromDownstream() > 0} (the producer honours demand, so it needs no overflow buffer:
 *       {@code IGNORE}), through {@code limitRate(64 KiB / chunk)}, into a subscriber.</li>
 * </ul>
 *
 * <p>Fair because every side moves the same chunk object to the same {@link ChunkWork}, with the same 64 KiB bound on
 * buffered data (in items for Reactor: 64 KiB divided by the chunk size), all on one thread, and no side allocates
 * chunks. {@code sinkWork = reference} measures the pipes' own cost per chunk; {@code sinkWork = copy} adds a copy of the
 * chunk's bytes, as a real channel write would, to show the cost relative to a sink that touches the data.
 *
 * <p>Every side does the same work per chunk, and does it once per chunk: {@link ChunkWork#take} consumes the chunk
 * (or its copy) and a running count of the chunks taken into the {@link Blackhole}. Before the count was added, the
 * {@code reference} figures of the direct call and of the Vert.x pipe (about 3 to 4 × 10¹⁰ chunks/s, 0.03 ns per
 * chunk) measured nothing: the JIT inlines both loops down to the sink, and a compiler blackhole fed the same
 * loop-invariant chunk 256 times costs nothing, so the loop was folded away. The count differs for each chunk, so
 * the blackhole must see every one of them. The tear-down checks that the work took a whole number of batches,
 * i.e. that every side delivered every chunk it was given to the sink.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(SameThreadPipeBenchmark.BATCH)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Thread)
public class SameThreadPipeBenchmark {

    /** Chunks moved per invocation. */
    static final int BATCH = 256;

    /** Bytes per chunk. */
    @Param({"1024", "16384"})
    public int chunkSize;

    /** What the sink does with a chunk: {@code reference} or {@code copy} (see {@link ChunkWork}). */
    @Param({"reference", "copy"})
    public String sinkWork;

    private ByteBuffer chunk;

    private ChunkWork work;

    private BufferedConsumer<ByteBuffer> sluice;

    private FlowControlledProducer<ByteBuffer> sluiceProducer;

    private VertxMemoryStreams.Source vertxSource;

    private FluxSink<ByteBuffer> reactorSink;

    private Disposable reactorSubscription;

    @Setup
    public void setUp(Blackhole blackhole) {
        this.chunk = Chunks.chunk(this.chunkSize);
        this.work = new ChunkWork(blackhole, this.sinkWork, this.chunkSize);

        ChunkWork sinkWork = this.work;
        Sink<ByteBuffer> sink = item -> {
            sinkWork.take(item);
            return true;
        };
        this.sluice = BufferedConsumer.builder(sink)
                .name("same-thread")
                .weigher(Weigher.bytes())
                .waterMarks(WaterMarks.ofHigh(Chunks.BOUND_BYTES))
                .build();
        this.sluiceProducer = FlowControlledProducer.builder(this.sluice).build();
        this.sluice.registerProducer(this.sluiceProducer, true);

        this.vertxSource = new VertxMemoryStreams.Source();
        VertxMemoryStreams.Sink vertxSink = new VertxMemoryStreams.Sink(this.work);
        vertxSink.setWriteQueueMaxSize(Chunks.BOUND_BYTES);
        this.vertxSource.pause();
        this.vertxSource.pipe().endOnComplete(false).to(vertxSink);

        Flux<ByteBuffer> flux = Flux.push(emitter -> this.reactorSink = emitter, FluxSink.OverflowStrategy.IGNORE);
        ReactorSubscriber subscriber = new ReactorSubscriber(this.work);
        flux.limitRate(Chunks.boundInChunks(this.chunkSize)).subscribe(subscriber);
        this.reactorSubscription = subscriber;
    }

    @TearDown
    public void tearDown() {
        long taken = this.work.taken();
        if (taken == 0 || taken % BATCH != 0) {
            throw new IllegalStateException("the sink took " + taken + " chunks, not a whole number of batches");
        }
        this.sluice.unregisterProducer();
        this.sluice.loseConnection();
        this.reactorSubscription.dispose();
    }

    @Benchmark
    public void direct() {
        ByteBuffer chunk = this.chunk;
        ChunkWork work = this.work;
        for (int i = 0; i < BATCH; i++) {
            work.take(chunk);
        }
    }

    @Benchmark
    public void sluice() {
        ByteBuffer chunk = this.chunk;
        BufferedConsumer<ByteBuffer> consumer = this.sluice;
        FlowControlledProducer<ByteBuffer> producer = this.sluiceProducer;
        for (int i = 0; i < BATCH; i++) {
            if (producer.isPaused()) {
                throw new IllegalStateException("an inline drain never leaves the producer paused");
            }
            consumer.write(chunk);
        }
    }

    @Benchmark
    public void vertx() {
        if (this.vertxSource.emit(this.chunk, BATCH) != BATCH) {
            throw new IllegalStateException("the pipe paused a source whose sink never queues");
        }
    }

    @Benchmark
    public void reactor() {
        ByteBuffer chunk = this.chunk;
        FluxSink<ByteBuffer> sink = this.reactorSink;
        for (int i = 0; i < BATCH; i++) {
            if (sink.requestedFromDownstream() == 0) {
                throw new IllegalStateException("limitRate left no demand on one thread");
            }
            sink.next(chunk);
        }
    }

    /** Takes everything limitRate lets through (its default request is unbounded) and hands it to the work. */
    static final class ReactorSubscriber extends BaseSubscriber<ByteBuffer> {

        private final ChunkWork work;

        ReactorSubscriber(ChunkWork work) {
            this.work = work;
        }

        @Override
        protected void hookOnNext(ByteBuffer value) {
            this.work.take(value);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            throw new IllegalStateException("the Reactor pipe failed", throwable);
        }
    }
}
