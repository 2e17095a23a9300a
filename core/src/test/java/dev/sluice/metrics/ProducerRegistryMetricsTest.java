package dev.sluice.metrics;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.testing.RecordingPullProducer;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProducerRegistryMetricsTest {

    private final ProducerRegistry registry = new ProducerRegistry();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final RecordingSink<ByteBuffer> sink = RecordingSink.limited();

    private final BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(this.sink).name("out")
        .weigher(Weigher.bytes()).waterMarks(new WaterMarks(1024, 512)).build();

    @Test
    void pauseTimerActivePausesAndBufferGaugesFollowAPipeWithASlowConsumer() throws Exception {
        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);
        this.registry.registerConsumer("out", this.consumer);
        StrictPushProducer producer = new StrictPushProducer();
        this.registry.registerProducer("feed", producer);
        this.consumer.registerProducer(producer, true);

        long maxDepthSeen = 0;
        ExecutorService slowSide = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 50; round++) {
                while (!producer.isPaused()) {
                    this.consumer.write(ByteBuffer.allocate(100));
                    maxDepthSeen = Math.max(maxDepthSeen, depthGauge());
                }
                LongTaskTimer active = this.meters.get("sluice.producer.paused.active")
                    .tags("producer", "feed", "consumer", "out").longTaskTimer();
                assertThat(active.activeTasks()).isEqualTo(1);
                slowSide.submit(() -> {
                    this.sink.grant(700);
                    this.consumer.drain();
                }).get(10, TimeUnit.SECONDS);
                assertThat(active.activeTasks()).isZero();
            }
        }
        finally {
            slowSide.shutdownNow();
        }

        Timer paused = this.meters.get("sluice.producer.paused").tags("producer", "feed", "consumer", "out").timer();
        assertThat(paused.count()).isEqualTo(50);
        assertThat(paused.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        double limit = this.meters.get("sluice.consumer.buffer.limit").tag("consumer", "out").gauge().value();
        assertThat(limit).isEqualTo(1024);
        assertThat(maxDepthSeen).isLessThanOrEqualTo(1024 + 100); // the limit plus one chunk
        assertThat(this.meters.get("sluice.consumer.written").tag("consumer", "out").functionCounter().count())
            .isEqualTo(this.consumer.acceptedUnits());
        assertThat(this.meters.get("sluice.consumer.buffer.depth").gauge().getId().getBaseUnit()).isEqualTo("bytes");
    }

    private long depthGauge() {
        return (long) this.meters.get("sluice.consumer.buffer.depth").tag("consumer", "out").gauge().value();
    }

    @Test
    void metersAppearOnRegistrationAndDisappearWhenTheNameLeaves() {
        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);
        ProducerRegistry.Registration out = this.registry.registerConsumer("out", this.consumer);
        ProducerRegistry.Registration feed = this.registry.registerProducer("feed", new StrictPushProducer());
        assertThat(this.meters.find("sluice.consumer.buffer.depth").tag("consumer", "out").gauge()).isNotNull();
        assertThat(this.meters.find("sluice.producer.paused").tag("producer", "feed").timer()).isNotNull();

        feed.close();
        assertThat(this.meters.find("sluice.producer.paused").tag("producer", "feed").timer()).isNull();
        assertThat(this.meters.find("sluice.producer.paused.active").tag("producer", "feed").longTaskTimer())
            .isNull();
        out.close();
        assertThat(this.meters.find("sluice.consumer.buffer.depth").gauges()).isEmpty();
        assertThat(this.meters.find("sluice.consumer.written").functionCounters()).isEmpty();
    }

    @Test
    void bindingLateCoversWhatIsAlreadyRegistered() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", new StrictPushProducer());

        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);

        assertThat(this.meters.find("sluice.consumer.buffer.limit").tag("consumer", "out").gauge()).isNotNull();
        assertThat(this.meters.find("sluice.producer.paused").tags("producer", "feed", "consumer", "none").timer())
            .isNotNull();
    }

    @Test
    void errorsAreCountedByExceptionType() {
        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);
        this.registry.registerConsumer("out", this.consumer);
        RecordingPullProducer failing = new RecordingPullProducer(call -> {
            throw new ArithmeticException("boom");
        });
        this.registry.registerProducer("feed", failing);

        this.consumer.registerProducer(failing, false);

        assertThat(this.meters.get("sluice.producer.errors")
            .tags("producer", "feed", "consumer", "out", "exception", "ArithmeticException").counter().count())
            .isEqualTo(1);
    }

    @Test
    void namesPastTheCapGetNoMeters() {
        new ProducerRegistryMetrics(this.registry, 2).bindTo(this.meters);
        this.registry.registerProducer("a", new StrictPushProducer());
        this.registry.registerProducer("b", new StrictPushProducer());
        this.registry.registerProducer("c", new StrictPushProducer());

        assertThat(this.meters.find("sluice.producer.paused").timers()).hasSize(2);
        assertThat(this.meters.find("sluice.producer.paused").tag("producer", "c").timer()).isNull();

        this.registry.remove("a"); // room again
        this.registry.registerProducer("d", new StrictPushProducer());
        assertThat(this.meters.find("sluice.producer.paused").tag("producer", "d").timer()).isNotNull();
    }

    @Test
    void closingRemovesEveryMeterAndStopsFollowing() {
        ProducerRegistryMetrics metrics = new ProducerRegistryMetrics(this.registry);
        metrics.bindTo(this.meters);
        this.registry.registerConsumer("out", this.consumer);

        metrics.close();
        this.registry.registerProducer("late", new StrictPushProducer());

        assertThat(this.meters.getMeters()).isEmpty();
    }

    @Test
    void theWritePathDoesNotTouchTheMeters() {
        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);
        this.registry.registerConsumer("out", this.consumer);
        AtomicLong meterCount = new AtomicLong(this.meters.getMeters().size());

        for (int i = 0; i < 1000; i++) {
            this.consumer.write(ByteBuffer.allocate(1));
        }

        assertThat(this.meters.getMeters()).hasSize((int) meterCount.get());
        assertThat(depthGauge()).isEqualTo(1000);
    }
}
