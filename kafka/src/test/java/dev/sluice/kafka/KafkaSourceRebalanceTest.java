package dev.sluice.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.kafka.KafkaTestSupport.Events;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Acknowledgements that come after a rebalance took their partition away. */
class KafkaSourceRebalanceTest {

    /** A pipe whose sink takes every record and keeps it, unacknowledged, for the test to acknowledge. */
    private record Member(ConcurrentMessageListenerContainer<String, String> container, KafkaSource<String, String> source,
            List<KafkaRecord<String, String>> held, Events events) {

        static Member start(String id, String topic, String group) {
            Events events = new Events();
            ConcurrentMessageListenerContainer<String, String> container = KafkaTestSupport.container(id, topic, group,
                    100, events);
            List<KafkaRecord<String, String>> held = new CopyOnWriteArrayList<>();
            Sink<KafkaRecord<String, String>> keep = record -> held.add(record);
            BufferedConsumer<KafkaRecord<String, String>> consumer = BufferedConsumer.builder(keep)
                .name(id)
                .waterMarks(new WaterMarks(1_000, 500))
                .build();
            KafkaSource<String, String> source = KafkaSource.attach(container, consumer);
            consumer.registerProducer(source, true);
            container.start();
            return new Member(container, source, held, events);
        }
    }

    @Test
    void anAcknowledgementMadeAfterTheRevocationCommitIsDroppedAndCountedNeverCommitted() {
        KafkaTestSupport.fill("late-acks", 2, 20);
        Member first = Member.start("late-a", "late-acks", "late-group");
        Member second = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> first.held().size() == 20);
            // the sink finishes its records on its own thread just after the container's revocation commit: the
            // window in which an acknowledgement used to reach the container for a partition it no longer owns
            List<KafkaRecord<String, String>> heldAtRebalance = List.copyOf(first.held());
            first.events().afterCommit = partitions -> CompletableFuture.runAsync(() -> heldAtRebalance.stream()
                .filter(record -> partitions.contains(record.topicPartition()))
                .forEach(KafkaRecord::acknowledge)).join();

            second = Member.start("late-b", "late-acks", "late-group");
            Member joined = second;
            await().atMost(Duration.ofSeconds(60)).until(() -> !joined.held().isEmpty());

            assertThat(first.events().revocations).hasPositiveValue();
            // the first member keeps polling (every 200 ms); nothing it acknowledged late may reach the group
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(KafkaTestSupport.committed("late-group"))
                    .as("offsets committed by the group").isEmpty());
            assertThat(first.source().droppedAcknowledgements()).isEqualTo(heldAtRebalance.size());
            assertThat(first.source().committed()).isZero();
        }
        finally {
            first.container().stop();
            if (second != null) {
                second.container().stop();
            }
        }
        Map<Integer, Long> afterStop = KafkaTestSupport.committed("late-group");
        assertThat(afterStop).as("no member acknowledged in time, so nothing is committed").isEmpty();
    }
}
