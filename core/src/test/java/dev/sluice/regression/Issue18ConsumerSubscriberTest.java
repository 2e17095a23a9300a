package dev.sluice.regression;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.flow.ConsumerSubscriber;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, defect 13: {@link ConsumerSubscriber} honours {@code write}'s {@code false}, so its documented bound (the
 * consumer's high-water mark plus {@code prefetch} items) holds even when the pause callback is late.
 */
class Issue18ConsumerSubscriberTest {

    private static final int HIGH = 4;

    private static final int PREFETCH = 4;

    /** The publisher's supply: far more than the bound. */
    private static final int SUPPLY = 1_000;

    /**
     * Defect 13: while another thread owns the consumer's loop (so the pause callback cannot come yet), a publisher
     * that emits synchronously from {@code request} feeds the subscriber; the consumer's sink takes nothing. The
     * subscriber must stop requesting when {@code write} returns {@code false}: the buffer stays within high mark +
     * prefetch = 8 items.
     *
     * <p>Fails on 65a6063: "items buffered" was 1000 against the bound of 8: the subscriber ignored {@code false} and
     * kept requesting until the pause callback arrived, which the busy loop had not delivered.
     */
    @Test
    void defect13_theSubscriberStopsRequestingWhenWriteReturnsFalse() throws Exception {
        BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> false) // a stalled peer
            .name("defect13").weigher(Weigher.items()).waterMarks(new WaterMarks(HIGH, HIGH / 2)).build();
        ConsumerSubscriber<Integer> subscriber = ConsumerSubscriber.of(consumer, PREFETCH);
        SynchronousPublisher publisher = new SynchronousPublisher(subscriber);

        try (LoopBlocker blocker = LoopBlocker.block(consumer)) {
            subscriber.onSubscribe(publisher);
            blocker.release();
        }

        assertThat(consumer.bufferedUnits()).as("items buffered (the bound is high mark %d + prefetch %d; %d emitted)",
                HIGH, PREFETCH, publisher.emitted.get()).isLessThanOrEqualTo(HIGH + PREFETCH);
    }

    /** A subscription that emits each requested item at once, from inside {@code request}, up to {@link #SUPPLY}. */
    private static final class SynchronousPublisher implements Flow.Subscription {

        final AtomicInteger emitted = new AtomicInteger();

        private final Flow.Subscriber<Integer> subscriber;

        private final AtomicBoolean cancelled = new AtomicBoolean();

        SynchronousPublisher(Flow.Subscriber<Integer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            for (long i = 0; i < n && !this.cancelled.get() && this.emitted.get() < SUPPLY; i++) {
                this.subscriber.onNext(this.emitted.getAndIncrement());
            }
        }

        @Override
        public void cancel() {
            this.cancelled.set(true);
        }
    }
}
