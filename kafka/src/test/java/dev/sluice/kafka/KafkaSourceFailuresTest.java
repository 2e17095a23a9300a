package dev.sluice.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.io.AsyncSink;
import dev.sluice.io.AsyncSinkException;
import dev.sluice.kafka.KafkaTestSupport.Events;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties.AckMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KafkaSourceFailuresTest {

    private final Set<String> delivered = ConcurrentHashMap.newKeySet();

    private final Set<String> skipped = ConcurrentHashMap.newKeySet();

    private CompletableFuture<Void> api(KafkaRecord<String, String> record, Set<String> poison) {
        if (poison.contains(record.key())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("400 Bad Request: " + record.key()));
        }
        this.delivered.add(record.key());
        return CompletableFuture.completedFuture(null);
    }

    private BufferedConsumer<KafkaRecord<String, String>> start(ConcurrentMessageListenerContainer<String, String> container,
            AsyncSink<KafkaRecord<String, String>> sink) {
        BufferedConsumer<KafkaRecord<String, String>> consumer = sink.bind(BufferedConsumer.builder(sink)
            .name(container.getListenerId())
            .waterMarks(new WaterMarks(100, 50))
            .build());
        consumer.registerProducer(KafkaSource.attach(container, consumer), true);
        container.start();
        return consumer;
    }

    @Test
    void aPoisonRecordIsSkippedAndThePartitionMovesPastIt() {
        KafkaTestSupport.fill("poison", 1, 200);
        ConcurrentMessageListenerContainer<String, String> container = KafkaTestSupport.container("poison", "poison",
                "poison-group", 50, new Events());
        AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(r -> api(r, Set.of("13")))
            .retry(5, Duration.ofSeconds(5), Duration.ofSeconds(5))
            .skipIf(failure -> failure instanceof IllegalArgumentException)
            .onSkipped((record, failure) -> {
                this.skipped.add(record.key());
                record.acknowledge();
            })
            .build();
        try {
            start(container, sink);
            await().atMost(Duration.ofSeconds(30)).until(() -> KafkaTestSupport.committedTotal("poison-group") == 200);
            assertThat(this.skipped).containsExactly("13");
            assertThat(this.delivered).hasSize(199).doesNotContain("13");
            assertThat(sink.retries()).isZero();
        }
        finally {
            container.stop();
        }
    }

    @Test
    void aRecordThatKeepsFailingIsRetriedThenSkippedUnderTheSkipPolicy() {
        KafkaTestSupport.fill("exhausted-skip", 1, 100);
        ConcurrentMessageListenerContainer<String, String> container = KafkaTestSupport.container("exhausted-skip",
                "exhausted-skip", "exhausted-skip-group", 50, new Events());
        AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(r -> api(r, Set.of("40")))
            .retry(3, Duration.ofMillis(10), Duration.ofMillis(20))
            .whenExhausted(AsyncSink.Exhausted.SKIP)
            .build();
        try {
            start(container, sink);
            await().atMost(Duration.ofSeconds(30))
                .until(() -> KafkaTestSupport.committedTotal("exhausted-skip-group") == 100);
            assertThat(sink.retries()).isEqualTo(2);
            assertThat(sink.skipped()).isEqualTo(1);
            assertThat(this.delivered).hasSize(99);
        }
        finally {
            container.stop();
        }
    }

    @Test
    void anApiThatStaysDownStopsThePipeAndCommitsNothingFromTheFailedRecordOn() {
        KafkaTestSupport.fill("api-down", 1, 300);
        Events events = new Events();
        ConcurrentMessageListenerContainer<String, String> container = KafkaTestSupport.container("api-down",
                "api-down", "api-down-group", 50, events);
        AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(r -> api(r, Set.of("150")))
            .maxInFlight(1)
            .retry(3, Duration.ofMillis(10), Duration.ofMillis(10))
            .build();
        BufferedConsumer<KafkaRecord<String, String>> consumer = start(container, sink);

        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.whenClosed().isDone());
        await().atMost(Duration.ofSeconds(30)).until(() -> !container.isRunning());
        assertThat(consumer.whenClosed()).failsWithin(Duration.ZERO)
            .withThrowableThat()
            .havingCause()
            .isInstanceOf(AsyncSinkException.class);
        assertThat(KafkaTestSupport.committed("api-down-group")).isEqualTo(Map.of(0, 150L));
        assertThat(sink.failed()).isEqualTo(1);

        // the API is back: a new pipe on the same group starts at the failed record
        this.delivered.clear();
        ConcurrentMessageListenerContainer<String, String> again = KafkaTestSupport.container("api-down-2",
                "api-down", "api-down-group", 50, new Events());
        try {
            start(again, KafkaSinks.<String, String>async(r -> api(r, Set.of())).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> KafkaTestSupport.committedTotal("api-down-group") == 300);
            assertThat(this.delivered).contains("150").doesNotContain("149");
        }
        finally {
            again.stop();
        }
    }

    @Test
    void aContainerThatIsNotInAManualAckModeIsRefused() {
        ConcurrentMessageListenerContainer<String, String> batch = KafkaTestSupport.container("batch", "unused",
                "unused", 10, new Events());
        batch.getContainerProperties().setAckMode(AckMode.BATCH);
        BufferedConsumer<KafkaRecord<String, String>> consumer = BufferedConsumer
            .<KafkaRecord<String, String>>builder(record -> true)
            .build();
        assertThatThrownBy(() -> KafkaSource.attach(batch, consumer)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'batch'")
            .hasMessageContaining("BATCH")
            .hasMessageContaining("spring.kafka.listener.ack-mode=manual");

        ConcurrentMessageListenerContainer<String, String> async = KafkaTestSupport.container("async", "unused",
                "unused", 10, new Events());
        async.getContainerProperties().setAsyncAcks(true);
        assertThatThrownBy(() -> KafkaSource.attach(async, consumer)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("asyncAcks");
    }
}
