package dev.sluice.kafka;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

/**
 * The acknowledgement accounts of one {@link KafkaSource}, shared by its partitions: records handed to the container to
 * commit, and records delivered whose fate is still open (neither acknowledged nor given up with a revoked or re-read
 * partition). A graceful stop waits for the second to reach zero before the container stops and makes its last commit.
 */
final class AckCounts {

    final LongAdder committed = new LongAdder();

    /** Acknowledgements made after their partition was retired (revoked, or re-read): dropped, never committed. */
    final LongAdder droppedAcks = new LongAdder();

    private final AtomicLong outstanding = new AtomicLong();

    private volatile @Nullable CompletableFuture<Void> settled;

    void delivered() {
        this.outstanding.incrementAndGet();
    }

    /** {@code count} records were acknowledged, or given up. */
    void settled(long count) {
        if (count > 0 && this.outstanding.addAndGet(-count) == 0) {
            CompletableFuture<Void> waiting = this.settled;
            if (waiting != null) {
                waiting.complete(null);
            }
        }
    }

    long outstanding() {
        return this.outstanding.get();
    }

    /** Completes the first time, from now on, that no delivered record is outstanding. */
    synchronized CompletableFuture<Void> whenNoneOutstanding() {
        CompletableFuture<Void> waiting = this.settled;
        if (waiting == null || waiting.isDone()) {
            waiting = new CompletableFuture<>();
            this.settled = waiting;
        }
        if (this.outstanding.get() == 0) {
            waiting.complete(null);
        }
        return waiting;
    }
}
