package dev.sluice.micrometer;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.testing.RecordingPullProducer;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProducerRegistryMetricsTest {

    private static final List<String> PRODUCER_METERS = List.of("sluice.producer.paused",
            "sluice.producer.paused.active", "sluice.producer.paused.longest", "sluice.producer.errors");

    private static final List<String> CONSUMER_METERS = List.of("sluice.consumer.buffer.depth",
            "sluice.consumer.buffer.limit", "sluice.consumer.written", "sluice.consumer.sent",
            "sluice.consumer.dropped");

    private final ProducerRegistry registry = new ProducerRegistry();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final RecordingSink<ByteBuffer> sink = RecordingSink.limited();

    private final BufferedConsumer<ByteBuffer> consumer = bytesConsumer("out", this.sink, 1024, 512);

    private static BufferedConsumer<ByteBuffer> bytesConsumer(String name, RecordingSink<ByteBuffer> sink, long high,
            long low) {
        return BufferedConsumer.builder(sink).name(name).weigher(Weigher.bytes())
            .waterMarks(new WaterMarks(high, low)).build();
    }

    private List<String> meterNames(String tag, String value) {
        return this.meters.getMeters().stream().filter(meter -> value.equals(meter.getId().getTag(tag)))
            .map(meter -> meter.getId().getName()).sorted().toList();
    }

    @Test
    void pauseFiguresAndBufferGaugesFollowAPipeWithASlowConsumer() throws Exception {
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
                assertThat(this.meters.get("sluice.producer.paused.active").tag("producer", "feed").gauge().value())
                    .isEqualTo(1);
                assertThat(this.meters.get("sluice.producer.paused.longest").tag("producer", "feed").timeGauge()
                    .value(TimeUnit.NANOSECONDS)).isPositive();
                slowSide.submit(() -> {
                    this.sink.grant(700);
                    this.consumer.drain();
                }).get(10, TimeUnit.SECONDS);
                assertThat(this.meters.get("sluice.producer.paused.active").tag("producer", "feed").gauge().value())
                    .isZero();
                assertThat(this.meters.get("sluice.producer.paused.longest").tag("producer", "feed").timeGauge()
                    .value(TimeUnit.NANOSECONDS)).isZero();
            }
        }
        finally {
            slowSide.shutdownNow();
        }

        FunctionTimer paused = this.meters.get("sluice.producer.paused").tag("producer", "feed").functionTimer();
        assertThat(paused.count()).isEqualTo(50);
        // the timer keeps seconds as a double: nanoseconds come back within a rounding error
        assertThat(paused.totalTime(TimeUnit.NANOSECONDS)).isPositive()
            .isCloseTo(this.consumer.producerPausedNanos(), org.assertj.core.data.Offset.offset(1.0));
        assertThat(this.meters.get("sluice.consumer.buffer.limit").tag("consumer", "out").gauge().value())
            .isEqualTo(1024);
        assertThat(maxDepthSeen).isLessThanOrEqualTo(1024 + 100); // the limit plus one chunk
        assertThat(this.meters.get("sluice.consumer.written").tag("consumer", "out").functionCounter().count())
            .isEqualTo(this.consumer.acceptedUnits());
        assertThat(this.meters.get("sluice.consumer.sent").tag("consumer", "out").functionCounter().count())
            .isEqualTo(this.consumer.sentUnits());
        assertThat(this.meters.get("sluice.consumer.buffer.depth").gauge().getId().getBaseUnit()).isEqualTo("bytes");
    }

    private long depthGauge() {
        return (long) this.meters.get("sluice.consumer.buffer.depth").tag("consumer", "out").gauge().value();
    }

    @Test
    void everyDocumentedMeterExistsFromRegistrationTaggedByGroupOnlyAndGoesWithIt() {
        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);
        ProducerRegistry.Registration out = this.registry.registerConsumer("out", this.consumer);
        ProducerRegistry.Registration feed = this.registry.registerProducer("feed", new StrictPushProducer());

        assertThat(meterNames("producer", "feed")).containsExactlyInAnyOrderElementsOf(PRODUCER_METERS);
        assertThat(meterNames("consumer", "out")).containsExactlyInAnyOrderElementsOf(CONSUMER_METERS);
        assertThat(this.meters.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTags()).hasSize(1));
        assertThat(this.meters.get("sluice.producer.errors").tag("producer", "feed").functionCounter().count())
            .isZero();

        feed.close();
        assertThat(meterNames("producer", "feed")).isEmpty();
        out.close();
        assertThat(this.meters.getMeters()).isEmpty();
    }

    @Test
    void aGroupHasOneSetOfMetersWhateverItsInstancesAndLeavesNoneAfterAThousandOfThem() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProducerRegistryMetrics metrics = new ProducerRegistryMetrics(this.registry);
        metrics.bindTo(prometheus);
        long seriesWithOne = 0;
        for (int i = 0; i < 1000; i++) {
            RecordingSink<ByteBuffer> downloadSink = RecordingSink.accepting();
            BufferedConsumer<ByteBuffer> download = bytesConsumer("download", downloadSink, 10, 0);
            try (ProducerRegistry.Registration registration = this.registry.register("downloads", download)) {
                StrictPushProducer producer = new StrictPushProducer(); // brought in by its consumer
                download.registerProducer(producer, true);
                download.write(ByteBuffer.allocate(100));
                if (i == 500) {
                    seriesWithOne = sluiceSeries(prometheus);
                    assertThat(prometheus.scrape()).contains("consumer=\"downloads\"")
                        .contains("producer=\"downloads\"").doesNotContain(registration.name())
                        .doesNotContain("\"none\"");
                }
                download.unregisterProducer();
            }
        }
        // paused: count and sum; paused.active, paused.longest, depth, limit; errors, written, sent, dropped
        assertThat(seriesWithOne).isEqualTo(10);
        assertThat(prometheus.getMeters()).isEmpty();
        assertThat(sluiceSeries(prometheus)).isZero();
    }

    private static long sluiceSeries(PrometheusMeterRegistry prometheus) {
        return prometheus.scrape().lines().filter(line -> line.startsWith("sluice_")).count();
    }

    @SuppressWarnings("try") // the registrations are only closed, by try-with-resources
    @Test
    void groupCountersKeepWhatInstancesReachedWhileTheGroupLives() {
        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);
        BufferedConsumer<ByteBuffer> stays = bytesConsumer("stays", RecordingSink.accepting(), 10, 0);
        this.registry.register("downloads", stays);
        for (int i = 0; i < 10; i++) {
            BufferedConsumer<ByteBuffer> download = bytesConsumer("download", RecordingSink.accepting(), 10, 0);
            try (ProducerRegistry.Registration registration = this.registry.register("downloads", download)) {
                download.write(ByteBuffer.allocate(7));
            }
        }
        assertThat(this.meters.get("sluice.consumer.written").tag("consumer", "downloads").functionCounter().count())
            .isEqualTo(70);
        assertThat(this.meters.get("sluice.consumer.buffer.limit").tag("consumer", "downloads").gauge().value())
            .isEqualTo(10);
    }

    @Test
    void bindingLateCoversWhatIsAlreadyRegisteredAndNoPlaceholderSeriesIsMade() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", new StrictPushProducer());

        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);

        assertThat(meterNames("consumer", "out")).containsExactlyInAnyOrderElementsOf(CONSUMER_METERS);
        assertThat(meterNames("producer", "feed")).containsExactlyInAnyOrderElementsOf(PRODUCER_METERS);
        assertThat(this.meters.getMeters()).extracting(Meter::getId)
            .noneMatch(id -> "none".equals(id.getTag("consumer")));
    }

    @Test
    void errorsAreCountedForTheProducersGroup() {
        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);
        this.registry.registerConsumer("out", this.consumer);
        RecordingPullProducer failing = new RecordingPullProducer(call -> {
            throw new ArithmeticException("boom");
        });
        this.registry.registerProducer("feed", failing);

        this.consumer.registerProducer(failing, false);

        assertThat(this.meters.get("sluice.producer.errors").tag("producer", "feed").functionCounter().count())
            .isEqualTo(1);
        assertThat(this.registry.producer("feed").orElseThrow().errors()).isEqualTo(1);
    }

    @Test
    void groupsPastTheCapGetNoMeters() {
        new ProducerRegistryMetrics(this.registry, 2).bindTo(this.meters);
        this.registry.registerProducer("a", new StrictPushProducer());
        this.registry.registerProducer("b", new StrictPushProducer());
        this.registry.registerProducer("c", new StrictPushProducer());

        assertThat(this.meters.find("sluice.producer.paused").functionTimers()).hasSize(2);
        assertThat(meterNames("producer", "c")).isEmpty();

        this.registry.remove("a"); // room again
        this.registry.registerProducer("d", new StrictPushProducer());
        assertThat(meterNames("producer", "d")).containsExactlyInAnyOrderElementsOf(PRODUCER_METERS);
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
    void pausesAndWritesAddNoMetersAndRecordNothing() {
        new ProducerRegistryMetrics(this.registry).bindTo(this.meters);
        this.registry.registerConsumer("out", this.consumer);
        StrictPushProducer producer = new StrictPushProducer();
        this.registry.registerProducer("feed", producer);
        this.consumer.registerProducer(producer, true);
        List<Meter> before = this.meters.getMeters();

        for (int i = 0; i < 1000; i++) {
            this.consumer.write(ByteBuffer.allocate(2000)); // pauses
            this.sink.grant(2000);
            this.consumer.drain(); // resumes
        }

        assertThat(this.meters.getMeters()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(this.meters.get("sluice.producer.paused").functionTimer().count()).isEqualTo(1000);
        assertThat(this.meters.get("sluice.consumer.written").functionCounter().count()).isEqualTo(2_000_000);
    }

    @Test
    void aSecondMeterRegistryGetsTheSameMeters() {
        ProducerRegistryMetrics metrics = new ProducerRegistryMetrics(this.registry);
        metrics.bindTo(this.meters);
        this.registry.registerConsumer("out", this.consumer);
        SimpleMeterRegistry second = new SimpleMeterRegistry();

        metrics.bindTo(second);

        assertThat(second.getMeters()).hasSize(CONSUMER_METERS.size());
        metrics.close();
        assertThat(second.getMeters()).isEmpty();
        assertThat(this.meters.getMeters()).isEmpty();
    }
}
