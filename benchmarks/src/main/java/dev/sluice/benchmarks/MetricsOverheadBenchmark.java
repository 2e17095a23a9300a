package dev.sluice.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.FlowControlledProducer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.micrometer.ProducerRegistryMetrics;
import dev.sluice.registry.ProducerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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

/**
 * Scenario 4, the cost of metrics: the Sluice side of scenario 2 (a producer thread writing 1 KiB chunks into a
 * {@link BufferedConsumer} drained on a single-thread executor, 64 KiB / 32 KiB water marks, parking while paused),
 * with the producer and consumer registered in a {@link ProducerRegistry} whose {@link ProducerRegistryMetrics} binder
 * is bound to a meter registry, against the same pipe with no registry at all. Score: chunks per second.
 *
 * <p>{@code drain = executor} is that pipe. Its throughput depends on how the OS schedules two threads on a machine
 * shared with other work far more than on anything measured here, so {@code drain = inline} runs the same cycle on
 * one thread: the sink refuses while shut, the writes fill the buffer to the high-water mark (the consumer pauses
 * the producer), then the sink opens and the drain empties it (the consumer resumes the producer). Every pause and
 * resume, and so all the work the registry and the meters could add, is still there, without the scheduler's noise.
 * {@code benchmarks/scenario4.py} runs the variants as paired rounds for error bars that mean something.
 *
 * <ul>
 *   <li>{@code none}: no registry, no binder;</li>
 *   <li>{@code simple}: registry and binder on a {@link SimpleMeterRegistry};</li>
 *   <li>{@code prometheus}: registry and binder on a {@link PrometheusMeterRegistry}.</li>
 * </ul>
 *
 * <p>Fair because the pipe, the data and the threads are identical; only the instrumentation differs. The pipe pauses
 * and resumes the producer about once per 32 chunks, so the pause timers are exercised at their real rate. Nothing
 * scrapes the registries during the run (a scrape every 15 s or more would not show at this scale).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(MetricsOverheadBenchmark.BATCH)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Thread)
public class MetricsOverheadBenchmark {

    static final int BATCH = 1024;

    /** The meter registry: {@code none}, {@code simple} or {@code prometheus}. */
    @Param({"none", "simple", "prometheus"})
    public String meters;

    /** Where the consumer drains: {@code executor} (scenario 2's pipe) or {@code inline} (one thread, see above). */
    @Param({"executor", "inline"})
    public String drain;

    private final ByteBuffer chunk = Chunks.chunk(1024);

    private final DrainCounter drained = new DrainCounter();

    private ExecutorService executor;

    private BufferedConsumer<ByteBuffer> consumer;

    private FlowControlledProducer<ByteBuffer> producer;

    private MeterRegistry meterRegistry;

    private ProducerRegistryMetrics binder;

    /** Whether the sink takes chunks; always with {@code executor}, between fills with {@code inline}. */
    private volatile boolean sinkOpen;

    @Setup
    public void setUp() {
        this.executor = DaemonThreads.singleThreadExecutor("metrics-drain");
        DrainCounter counter = this.drained;
        Sink<ByteBuffer> sink = item -> {
            if (!this.sinkOpen) {
                return false;
            }
            counter.take(item);
            return true;
        };
        BufferedConsumer.Builder<ByteBuffer> builder = BufferedConsumer.builder(sink)
                .name("out")
                .weigher(Weigher.bytes())
                .waterMarks(WaterMarks.ofHigh(Chunks.BOUND_BYTES));
        switch (this.drain) {
            case "executor" -> {
                this.sinkOpen = true;
                builder.drainOn(this.executor);
            }
            case "inline" -> this.sinkOpen = false;
            default -> throw new IllegalArgumentException("drain must be executor or inline");
        }
        this.consumer = builder.build();
        this.producer = FlowControlledProducer.builder(this.consumer).build();
        switch (this.meters) {
            case "none" -> this.meterRegistry = null;
            case "simple" -> this.meterRegistry = new SimpleMeterRegistry();
            case "prometheus" -> this.meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            default -> throw new IllegalArgumentException("meters must be none, simple or prometheus");
        }
        if (this.meterRegistry != null) {
            ProducerRegistry registry = new ProducerRegistry();
            this.binder = new ProducerRegistryMetrics(registry);
            this.binder.bindTo(this.meterRegistry);
            registry.registerConsumer("out", this.consumer);
            registry.registerProducer("feed", this.producer);
        }
        this.consumer.registerProducer(this.producer, true);
    }

    @TearDown
    public void tearDown() {
        this.sinkOpen = true;
        this.consumer.drain();
        this.consumer.unregisterProducer();
        this.consumer.loseConnection();
        this.consumer.whenClosed().orTimeout(10, TimeUnit.SECONDS).join();
        DaemonThreads.shutdown(this.executor);
        if (this.binder != null) {
            this.binder.close();
            this.meterRegistry.close();
        }
    }

    @Benchmark
    public void sluice() throws InterruptedException {
        ByteBuffer chunk = this.chunk;
        BufferedConsumer<ByteBuffer> consumer = this.consumer;
        FlowControlledProducer<ByteBuffer> producer = this.producer;
        if ("inline".equals(this.drain)) {
            for (int i = 0; i < BATCH; i++) {
                if (producer.isPaused()) {
                    this.sinkOpen = true;
                    consumer.drain(); // empties the buffer: the resume comes from inside this call
                    this.sinkOpen = false;
                }
                consumer.write(chunk);
            }
            return;
        }
        for (int i = 0; i < BATCH; i++) {
            if (!producer.awaitWritable()) {
                throw new IllegalStateException("the consumer stopped the producer");
            }
            producer.write(chunk);
        }
    }
}
