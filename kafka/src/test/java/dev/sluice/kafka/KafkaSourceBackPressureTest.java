package dev.sluice.kafka;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaTestSupport.DepthProbe;
import dev.sluice.kafka.KafkaTestSupport.Events;
import dev.sluice.kafka.KafkaTestSupport.PacedApi;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.event.ConsumerPausedEvent;
import org.springframework.kafka.event.ConsumerResumedEvent;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.event.NonResponsiveConsumerEvent;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class KafkaSourceBackPressureTest {

    private static final Logger log = LoggerFactory.getLogger(KafkaSourceBackPressureTest.class);

    private static final int RECORDS = 100_000;

    private static final int RATE = 25_000;

    private static final int HIGH = 1_000;

    private static final int POLL_BATCH = 500;

    @Test
    void aSlowSinkPausesTheContainerWithoutRebalanceAndBoundsTheBuffer() {
        KafkaTestSupport.fill("back-pressure", 2, RECORDS);
        Events events = new Events();
        ConcurrentMessageListenerContainer<String, String> container = KafkaTestSupport.container("bp",
                "back-pressure", "bp-group", POLL_BATCH, events);
        try (PacedApi api = new PacedApi(RATE)) {
            AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(record -> api.call())
                .maxInFlight(50)
                .build();
            BufferedConsumer<KafkaRecord<String, String>> consumer = sink.bind(BufferedConsumer.builder(sink)
                .name("bp")
                .waterMarks(new WaterMarks(HIGH, HIGH / 2))
                .build());
            DepthProbe<KafkaRecord<String, String>> probe = new DepthProbe<>(consumer);
            KafkaSource<String, String> source = KafkaSource.attach(container, probe);
            consumer.registerProducer(source, true);

            long start = System.nanoTime();
            container.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> sink.succeeded() == RECORDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            await().atMost(Duration.ofSeconds(30))
                .until(() -> KafkaTestSupport.committedTotal("bp-group") == RECORDS);
            long pauses = events.events.stream()
                .filter(event -> event instanceof ConsumerPausedEvent paused
                        && paused.toString().contains("User requested"))
                .count();
            log.info("Back-pressure: {} records through a {}/s sink in {} s ({} records/s); {} pauses, {} resumes; "
                    + "deepest buffer {} (high-water mark {}, poll batch {})", RECORDS, RATE,
                    String.format("%.1f", seconds), Math.round(RECORDS / seconds), pauses,
                    events.count(ConsumerResumedEvent.class), probe.deepest.get(), HIGH, POLL_BATCH);

            assertThat(pauses).isPositive();
            assertThat(events.count(ConsumerResumedEvent.class)).isPositive();
            assertThat(probe.deepest.get()).isLessThanOrEqualTo(HIGH + POLL_BATCH);
            assertThat(events.assignments.get()).isEqualTo(1);
            assertThat(events.revocations.get()).isZero();
            assertThat(events.count(NonResponsiveConsumerEvent.class)).isZero();
            assertThat(events.count(ConsumerStoppedEvent.class)).isZero();
            assertThat(seconds).isGreaterThanOrEqualTo(0.9 * RECORDS / RATE); // no faster than the sink allows
            assertThat(source.delivered()).isEqualTo(RECORDS);
            assertThat(source.committed()).isEqualTo(RECORDS);
            assertThat(sink.skipped()).isZero();
        }
        finally {
            container.stop();
        }
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
