package dev.sluice.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;

/** The acknowledgement bookkeeping of one partition, without a broker: what is handed to the container, and when. */
class PartitionAcksTest {

    private final AckCounts counts = new AckCounts();

    private final PartitionAcks acks = new PartitionAcks(new TopicPartition("t", 0), this.counts);

    /** Offsets whose Spring acknowledgement was made, in order. */
    private final List<Long> handedOver = new ArrayList<>();

    private KafkaRecord<String, String> deliver(long offset) {
        ConsumerRecord<String, String> data = new ConsumerRecord<>("t", 0, offset, "k" + offset, "v" + offset);
        KafkaRecord<String, String> record = new KafkaRecord<>(data, this.acks, new Acknowledgment() {
            @Override
            public void acknowledge() {
                PartitionAcksTest.this.handedOver.add(offset);
            }
        });
        this.acks.add(record);
        return record;
    }

    @Test
    void whenAcknowledgedCompletesOnlyOnceTheCommitIsHandedToTheContainer() {
        KafkaRecord<String, String> first = deliver(0);
        KafkaRecord<String, String> second = deliver(1);
        CompletableFuture<Void> acknowledged = this.counts.whenNoneOutstanding();
        List<Long> seenByDependent = new ArrayList<>();
        // a graceful stop chains the container's stop on this future; it must find the last commit handed over
        acknowledged.thenRun(() -> seenByDependent.addAll(this.handedOver));

        second.acknowledge();
        assertThat(acknowledged).isNotDone();
        assertThat(this.handedOver).isEmpty();
        first.acknowledge();

        assertThat(acknowledged).isDone();
        assertThat(this.handedOver).containsExactly(1L);
        assertThat(seenByDependent).as("commits handed over when whenAcknowledged() completed").containsExactly(1L);
    }

    @Test
    void whenAcknowledgedAfterARetirementDoesNotWaitForTheGivenUpRecords() {
        deliver(0);
        KafkaRecord<String, String> second = deliver(1);
        second.acknowledge();
        CompletableFuture<Void> acknowledged = this.counts.whenNoneOutstanding();
        assertThat(acknowledged).isNotDone();

        this.acks.retire();

        assertThat(acknowledged).isDone();
        assertThat(this.handedOver).isEmpty();
    }
}
