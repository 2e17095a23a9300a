package dev.sluice.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaTestSupport.Events;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Records that weigh nothing by their value: tombstones and empty values. */
class KafkaSourceWeightTest {

    private static final int RECORDS = 600;

    /** Record i: a tombstone, an empty value, or a value of a few bytes. */
    private static String value(int i) {
        return switch (i % 3) {
            case 0 -> null;
            case 1 -> "";
            default -> "value-" + i;
        };
    }

    /** Weighs a value by its length, as a weigher by size does: 0 for an empty value. */
    private static final Weigher<String> LENGTH = String::length;

    static Weigher<KafkaRecord<String, String>> weigher() {
        return KafkaRecord.weigher(LENGTH);
    }

    @Test
    void tombstonesAndEmptyValuesAreDeliveredAndAcknowledgedInOrder() {
        KafkaTestSupport.fill("tombstones", 2, RECORDS, KafkaSourceWeightTest::value);
        ConcurrentMessageListenerContainer<String, String> container = KafkaTestSupport.container("tombstones",
                "tombstones", "tombstones-group", 50, new Events());
        Map<Integer, List<Long>> received = new ConcurrentHashMap<>();
        AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(record -> {
            received.computeIfAbsent(record.topicPartition().partition(), p -> new CopyOnWriteArrayList<>())
                .add(record.offset());
            return CompletableFuture.runAsync(() -> {
            }, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
        }).maxInFlight(4).build();
        // marks in bytes of values: small, so that the container is paused and resumed on the way
        BufferedConsumer<KafkaRecord<String, String>> consumer = sink.bind(BufferedConsumer.builder(sink)
            .name("tombstones")
            .weigher(weigher())
            .waterMarks(new WaterMarks(64, 32))
            .build());
        KafkaSource<String, String> source = KafkaSource.attach(container, consumer);
        consumer.registerProducer(source, true);
        container.start();
        try {
            await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(KafkaTestSupport.committedTotal("tombstones-group"))
                    .as("offsets committed").isEqualTo(RECORDS));
            assertThat(source.whenAcknowledged()).isDone();
            assertThat(source.delivered()).isEqualTo(RECORDS);
            for (int partition = 0; partition < 2; partition++) {
                assertThat(received.get(partition)).as("partition %d, in offset order", partition)
                    .containsExactlyElementsOf(KafkaTestSupport.range(RECORDS / 2).stream().map(Long::valueOf)
                        .toList());
            }
        }
        finally {
            container.stop();
        }
    }
}
