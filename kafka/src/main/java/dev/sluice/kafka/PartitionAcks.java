package dev.sluice.kafka;

import java.util.ArrayDeque;

import dev.sluice.internal.Log;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The records of one partition delivered since it was assigned (or last re-read), in offset order, and how far they
 * are done. Acknowledgements arrive in any order from any thread; the Spring acknowledgement of a record, which
 * commits its offset + 1 and so everything before it, is made only for the last record of the done prefix. Made under
 * this object's lock, so the container receives prefix ends in increasing order even from several threads.
 */
final class PartitionAcks {

    private static final Log log = Log.of(PartitionAcks.class);

    private final TopicPartition partition;

    private final AckCounts counts;

    private final ArrayDeque<KafkaRecord<?, ?>> pending = new ArrayDeque<>();

    /** The offset of the last record added; -1 before the first. Written on the consumer thread only. */
    private long lastOffset = -1;

    private boolean retired;

    PartitionAcks(TopicPartition partition, AckCounts counts) {
        this.partition = partition;
        this.counts = counts;
    }

    TopicPartition partition() {
        return this.partition;
    }

    /**
     * The records of this sequence not yet committed: from the first not acknowledged, every record delivered since
     * (the partition's next reader receives them again), or {@code null} when there is none or it is retired.
     */
    synchronized KafkaSource.@Nullable Unacknowledged unacknowledged() {
        KafkaRecord<?, ?> first = this.pending.peekFirst();
        if (this.retired || first == null) {
            return null;
        }
        return new KafkaSource.Unacknowledged(this.partition, first.offset(), this.pending.size());
    }

    /** Whether a record at {@code offset} continues this partition's sequence (no seek back, not retired). */
    synchronized boolean continues(long offset) {
        return !this.retired && offset > this.lastOffset;
    }

    synchronized void add(KafkaRecord<?, ?> record) {
        this.pending.addLast(record);
        this.lastOffset = record.offset();
        this.counts.delivered();
    }

    /**
     * Marks {@code record} done and hands the end of the done prefix, if it moved, to the container. The accounts are
     * settled only after that, and outside this lock: whatever {@link KafkaSource#whenAcknowledged()} runs (a graceful
     * stop stops the container) finds the commit handed over already.
     */
    void done(KafkaRecord<?, ?> record) {
        synchronized (this) {
            if (record.done) {
                return;
            }
            record.done = true;
            if (this.retired) {
                // revoked or re-read: the new owner or the new sequence commits, and retire() settled it
                this.counts.droppedAcks.increment();
                return;
            }
            KafkaRecord<?, ?> prefixEnd = null;
            int count = 0;
            while (!this.pending.isEmpty() && this.pending.peekFirst().done) {
                prefixEnd = this.pending.pollFirst();
                count++;
            }
            if (prefixEnd != null) {
                try {
                    prefixEnd.commit().acknowledge();
                    this.counts.committed.add(count);
                }
                catch (RuntimeException failure) {
                    log.warn("Acknowledging {} failed; it and the {} record(s) before it will be delivered again",
                            prefixEnd, count - 1, failure);
                }
            }
        }
        this.counts.settled(1);
    }

    /**
     * Stops committing for this sequence: its partition was revoked, or is being read again from an earlier offset.
     * Once this returns no acknowledgement of it reaches the container (later ones are dropped and counted), since the
     * hand-over in {@link #done} happens under the same lock.
     *
     * @return the records delivered and not yet acknowledged, which the partition's next reader receives again
     */
    long retire() {
        long open;
        synchronized (this) {
            if (this.retired) {
                return 0;
            }
            this.retired = true;
            open = this.pending.stream().filter(record -> !record.done).count();
            this.pending.clear();
        }
        this.counts.settled(open);
        return open;
    }
}
