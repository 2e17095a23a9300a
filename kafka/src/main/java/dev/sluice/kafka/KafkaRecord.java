package dev.sluice.kafka;

import java.util.Objects;

import dev.sluice.Weigher;
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
 * <p><b>Weighing.</b> A Sluice consumer ignores an item that weighs nothing, and a Kafka record it ignores never reaches
 * the sink, is never acknowledged, and holds its partition's commits back for good. Weigh records with
 * {@link #weigher(Weigher)} (at least 1 unit each, a tombstone included) or with {@link Weigher#items()}, never with a
 * weigher that can answer 0; {@link KafkaSource} logs an error when it sees a record ignored.
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

    /**
     * A weigher of records by their values, for a consumer of records ({@code BufferedConsumer.builder(sink)
     * .weigher(KafkaRecord.weigher(valueWeigher))}): a record weighs what {@code values} gives its value, and at least
     * 1, so that a tombstone (a {@code null} value) or an empty value still passes through the consumer in order, reaches
     * the sink and is acknowledged. Its unit is {@code values}' unit.
     *
     * @param values weighs a value, for example by its size in bytes
     * @param <K> the key type
     * @param <V> the value type
     * @return the weigher
     */
    public static <K, V> Weigher<KafkaRecord<K, V>> weigher(Weigher<? super V> values) {
        Objects.requireNonNull(values, "values");
        return new Weigher<>() {
            @Override
            public long weigh(KafkaRecord<K, V> record) {
                V value = record.value();
                return (value != null) ? Math.max(1, values.weigh(value)) : 1;
            }

            @Override
            public String unit() {
                return values.unit();
            }

            @Override
            public String toString() {
                return "KafkaRecord.weigher(" + values + ")";
            }
        };
    }

    Acknowledgment commit() {
        return this.commit;
    }

    @Override
    public String toString() {
        return "KafkaRecord[" + this.record.topic() + "-" + this.record.partition() + "@" + this.record.offset() + "]";
    }
}
