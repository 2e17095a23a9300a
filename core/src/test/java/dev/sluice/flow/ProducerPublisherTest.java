package dev.sluice.flow;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import dev.sluice.BufferedConsumer;
import dev.sluice.PullProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ProducerPublisher} beyond the TCK: demand pauses and resumes a push producer, memory stays bounded under a
 * slow subscriber, cancel stops the producer, failures reach the subscriber.
 */
class ProducerPublisherTest {

    private final AtomicReference<BufferedConsumer<Long>> consumer = new AtomicReference<>();

    private final AtomicReference<CountingPushProducer> push = new AtomicReference<>();

    private ProducerPublisher<Long> pushPublisher(long limit) {
        return ProducerPublisher.of(target -> {
            this.consumer.set(target);
            CountingPushProducer producer = new CountingPushProducer(target, limit);
            this.push.set(producer);
            producer.start();
        });
    }

    private static List<Long> upTo(long n) {
        return LongStream.range(0, n).boxed().toList();
    }

    @Test
    void noDemandPausesThePushProducerOnceTheBufferIsAboveItsMark_requestResumesIt() {
        TestSubscriber<Long> subscriber = new TestSubscriber<>();
        pushPublisher(Long.MAX_VALUE).subscribe(subscriber);

        long high = ProducerPublisher.DEFAULT_WATER_MARKS.high();
        assertThat(this.consumer.get().isProducerPaused()).isTrue();
        assertThat(this.consumer.get().bufferedUnits()).isEqualTo(high + 1);
        assertThat(subscriber.items()).isEmpty();

        // 9 items bring the buffer to the low mark (8): the producer is resumed and writes until it is above 16 again
        // (17), then the last 3 of the 12 are delivered
        subscriber.request(12);
        assertThat(subscriber.items()).isEqualTo(upTo(12));
        assertThat(this.consumer.get().isProducerPaused()).isTrue();
        assertThat(this.consumer.get().bufferedUnits()).isEqualTo(high + 1 - 3);
    }

    @Test
    void slowSubscriber_memoryBounded_everyItemInOrder_thenComplete() {
        TestSubscriber<Long> subscriber = new TestSubscriber<>();
        pushPublisher(10_000).subscribe(subscriber);

        long deepest = 0;
        while (!subscriber.isTerminated()) {
            deepest = Math.max(deepest, this.consumer.get().bufferedUnits());
            subscriber.request(3);
        }

        assertThat(subscriber.items()).isEqualTo(upTo(10_000));
        assertThat(subscriber.isCompleted()).isTrue();
        assertThat(deepest).isLessThanOrEqualTo(ProducerPublisher.DEFAULT_WATER_MARKS.high() + 1);
    }

    @Test
    void aPushProducerOnItsOwnThread_subscriberOnAnother_everyItemInOrder() throws Exception {
        TestSubscriber<Long> subscriber = new TestSubscriber<>();
        CompletableFuture<Void> producing = new CompletableFuture<>();
        ProducerPublisher.<Long>of(target -> {
            this.consumer.set(target);
            ThreadedPushProducer producer = new ThreadedPushProducer(target, 50_000);
            target.registerProducer(producer, true);
            CompletableFuture.runAsync(producer).whenComplete((ignored, failure) -> producing.complete(null));
        }).subscribe(subscriber);

        long deepest = 0;
        while (!subscriber.isTerminated()) {
            deepest = Math.max(deepest, this.consumer.get().bufferedUnits());
            subscriber.request(7);
        }

        producing.get(10, TimeUnit.SECONDS);
        assertThat(subscriber.items()).isEqualTo(upTo(50_000));
        assertThat(subscriber.isCompleted()).isTrue();
        assertThat(deepest).isLessThanOrEqualTo(ProducerPublisher.DEFAULT_WATER_MARKS.high() + 1);
    }

    @Test
    void cancelStopsTheProducer_andNothingFollows() {
        TestSubscriber<Long> subscriber = new TestSubscriber<>();
        pushPublisher(Long.MAX_VALUE).subscribe(subscriber);
        subscriber.request(5);

        subscriber.cancel();
        subscriber.request(5);

        assertThat(this.push.get().isStopped()).isTrue();
        assertThat(subscriber.items()).isEqualTo(upTo(5));
        assertThat(subscriber.isTerminated()).isFalse();
        assertThat(this.consumer.get().whenClosed()).isCompletedExceptionally();
    }

    @Test
    void anExceptionInTheProducerReachesTheSubscriberAsOnError_afterWhatWasDelivered() {
        IllegalStateException broken = new IllegalStateException("source broke");
        TestSubscriber<Long> subscriber = new TestSubscriber<>();
        ProducerPublisher.<Long>of(target -> target.registerProducer(new PullProducer() {
            private long next;

            @Override
            public void resumeProducing() {
                if (this.next == 3) {
                    throw broken;
                }
                target.write(this.next++);
            }

            @Override
            public void stopProducing() {
            }
        }, false)).subscribe(subscriber);

        subscriber.request(10);

        assertThat(subscriber.items()).isEqualTo(upTo(3));
        assertThat(subscriber.error()).isSameAs(broken);
    }

    @Test
    void spec309_requestZeroSignalsIllegalArgumentException_andStopsTheProducer() {
        TestSubscriber<Long> subscriber = new TestSubscriber<>();
        pushPublisher(Long.MAX_VALUE).subscribe(subscriber);

        subscriber.request(0);

        assertThat(subscriber.error()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("§3.9");
        assertThat(this.push.get().isStopped()).isTrue();
    }

    @Test
    void spec213_aSubscriberThatThrowsFromOnNextIsCancelled_andTheProducerStopped() {
        TestSubscriber<Long> subscriber = new TestSubscriber<>() {
            @Override
            public synchronized void onNext(Long item) {
                super.onNext(item);
                if (item == 2) {
                    throw new IllegalStateException("subscriber bug");
                }
            }
        };
        pushPublisher(Long.MAX_VALUE).subscribe(subscriber);

        subscriber.request(10);

        assertThat(subscriber.items()).isEqualTo(upTo(3));
        assertThat(subscriber.isTerminated()).isFalse();
        assertThat(this.push.get().isStopped()).isTrue();
    }

    @Test
    void spec109_aSecondSubscriberIsRejectedWithOnSubscribeThenIllegalStateException() {
        ProducerPublisher<Long> publisher = pushPublisher(3);
        publisher.subscribe(new TestSubscriber<>());
        TestSubscriber<Long> second = new TestSubscriber<>();

        publisher.subscribe(second);

        assertThat(second.subscriptions()).isEqualTo(1);
        assertThat(second.error()).isInstanceOf(IllegalStateException.class).hasMessageContaining("one subscriber");
    }
}
