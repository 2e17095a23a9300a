package dev.sluice.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import org.springframework.kafka.support.Acknowledgment;

/**
 * A Kafka record on its way through a Sluice pipe, with the handle that acknowledges it. What a {@link KafkaSource}
 * writes into its consumer.
 *
 * <p>{@link #acknowledge()} says the record is done (its sink has taken it for good). Records of one partition may be
 * acknowledged in any order: the partition's offset is committed only up to the first record not yet acknowledged, so
 * a record is never committed before every record before it in its partition is done. Acknowledging twice, or after
 * the partition was revoked or re-read from an earlier offset, does nothing (the record will be delivered again).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class KafkaRecord<K, V> {

    private final ConsumerRecord<K, V> record;

    private final PartitionAcks acks;

    private final Acknowledgment commit;

    /** Guarded by {@link #acks}. */
    boolean done;

    KafkaRecord(ConsumerRecord<K, V> record, PartitionAcks acks, Acknowledgment commit) {
        this.record = record;
        this.acks = acks;
        this.commit = commit;
    }

    /** The record as the Kafka consumer returned it. */
    public ConsumerRecord<K, V> record() {
        return this.record;
    }

    /** The record's key. */
    public K key() {
        return this.record.key();
    }

    /** The record's value. */
    public V value() {
        return this.record.value();
    }

    /** The record's topic and partition. */
    public TopicPartition topicPartition() {
        return this.acks.partition();
    }

    /** The record's offset. */
    public long offset() {
        return this.record.offset();
    }

    /** Marks the record done; its offset is committed once every earlier record of its partition is done too. */
    public void acknowledge() {
        this.acks.done(this);
    }

    /** Whether {@link #acknowledge()} was called. */
    public boolean isAcknowledged() {
        synchronized (this.acks) {
            return this.done;
        }
    }

    Acknowledgment commit() {
        return this.commit;
    }

    @Override
    public String toString() {
        return "KafkaRecord[" + this.record.topic() + "-" + this.record.partition() + "@" + this.record.offset() + "]";
    }
}
