package dev.sluice.flow;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.SlowDrain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * {@link ConsumerSubscriber} beyond the TCK: a fast publisher into a slow consumer keeps the buffer bounded and
 * delivers everything in order; errors and cancellation cross in both directions.
 */
class ConsumerSubscriberTest {

    private static final int PREFETCH = 8;

    private static final WaterMarks MARKS = new WaterMarks(4, 2);

    /** Where the publisher delivers its signals. */
    private final ExecutorService publisherThread = Executors.newSingleThreadExecutor();

    /** Where items are submitted: not the delivery thread, or a blocked submit would wait for itself. */
    private final ExecutorService submitterThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutDown() throws InterruptedException {
        this.submitterThread.shutdownNow();
        this.publisherThread.shutdownNow();
        assertThat(this.submitterThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.publisherThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static <T> BufferedConsumer<T> slowConsumer(RecordingSink<T> sink) {
        return BufferedConsumer.builder(sink).name("slow").weigher(Weigher.items()).waterMarks(MARKS).build();
    }

    @Test
    void fastPublisher_slowConsumer_bufferBoundedByMarkPlusPrefetch_everyItemInOrder_consumerClosedAtTheEnd() {
        RecordingSink<Long> sink = RecordingSink.limited();
        BufferedConsumer<Long> consumer = slowConsumer(sink);
        AtomicReference<CountingSource> source = new AtomicReference<>();
        ProducerPublisher.<Long>of(target -> {
            source.set(new CountingSource(target, 1_000));
            target.registerProducer(source.get(), false);
        }).subscribe(ConsumerSubscriber.closing(consumer, PREFETCH));

        long deepest = SlowDrain.untilClosed(consumer, sink, 1);

        assertThat(sink.items()).isEqualTo(LongStream.range(0, 1_000).boxed().toList());
        assertThat(deepest).isLessThanOrEqualTo(MARKS.high() + PREFETCH);
        assertThat(sink.isClosed()).isTrue();
    }

    @Test
    void asynchronousPublisher_slowConsumer_bufferBounded_everyItemInOrder() throws Exception {
        RecordingSink<Integer> sink = RecordingSink.limited();
        BufferedConsumer<Integer> consumer = slowConsumer(sink);
        ConsumerSubscriber<Integer> subscriber = ConsumerSubscriber.closing(consumer, PREFETCH);
        SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(this.publisherThread, 16);
        publisher.subscribe(subscriber);
        this.submitterThread.execute(() -> {
            IntStream.range(0, 5_000).forEach(publisher::submit); // blocks while the subscriber has no demand
            publisher.close();
        });

        long deepest = SlowDrain.untilClosed(consumer, sink, 1);

        assertThat(sink.items()).isEqualTo(IntStream.range(0, 5_000).boxed().toList());
        assertThat(deepest).isLessThanOrEqualTo(MARKS.high() + PREFETCH);
        assertThat(subscriber.whenTerminated().get(10, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void anUpstreamErrorFailsTheConsumer() {
        RecordingSink<Long> sink = RecordingSink.accepting();
        BufferedConsumer<Long> consumer = slowConsumer(sink);
        IllegalStateException broken = new IllegalStateException("upstream broke");
        ConsumerSubscriber<Long> subscriber = ConsumerSubscriber.closing(consumer, PREFETCH);
        ProducerPublisher.<Long>of(target -> {
            target.registerProducer(new CountingSource(target, 3), false); // writes 0, 1, 2 at once
            target.connectionLost(broken);
        }).subscribe(subscriber);

        assertThat(sink.items()).containsExactly(0L, 1L, 2L);
        assertThat(catchThrowable(() -> consumer.whenClosed().join())).cause().isSameAs(broken);
        assertThat(catchThrowable(() -> subscriber.whenTerminated().join())).cause().isSameAs(broken);
        assertThat(consumer.producer()).isNull();
    }

    @Test
    void anAbortedConsumerCancelsTheSubscription_andSoStopsTheUpstreamProducer() {
        RecordingSink<Long> sink = RecordingSink.limited();
        BufferedConsumer<Long> consumer = slowConsumer(sink);
        AtomicReference<CountingSource> source = new AtomicReference<>();
        ConsumerSubscriber<Long> subscriber = ConsumerSubscriber.closing(consumer, PREFETCH);
        ProducerPublisher.<Long>of(target -> {
            source.set(new CountingSource(target, Long.MAX_VALUE));
            target.registerProducer(source.get(), false);
        }).subscribe(subscriber);

        consumer.abortConnection();

        assertThat(source.get().isStopped()).isTrue();
        assertThat(catchThrowable(() -> subscriber.whenTerminated().join())).cause()
            .isInstanceOf(CancellationException.class);
    }

    @Test
    void cancelUnregistersWithoutClosingTheConsumer() {
        RecordingSink<Integer> sink = RecordingSink.accepting();
        BufferedConsumer<Integer> consumer = slowConsumer(sink);
        ConsumerSubscriber<Integer> subscriber = ConsumerSubscriber.of(consumer, PREFETCH);
        SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(this.publisherThread, 16);
        publisher.subscribe(subscriber);
        await().atMost(Duration.ofSeconds(5)).until(() -> consumer.producer() == subscriber);

        subscriber.cancel();

        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.getNumberOfSubscribers() == 0);
        assertThat(consumer.producer()).isNull();
        assertThat(consumer.whenClosed()).isNotDone();
        publisher.close();
    }

    @Test
    void spec205_aSecondSubscriptionIsCancelled() {
        BufferedConsumer<Long> consumer = slowConsumer(RecordingSink.accepting());
        ConsumerSubscriber<Long> subscriber = ConsumerSubscriber.of(consumer, PREFETCH);
        TestSubscription first = new TestSubscription();
        TestSubscription second = new TestSubscription();

        subscriber.onSubscribe(first);
        subscriber.onSubscribe(second);

        assertThat(first.requested).containsExactly((long) PREFETCH);
        assertThat(first.cancelled).isFalse();
        assertThat(second.cancelled).isTrue();
    }

    @Test
    void pauseStopsRequesting_resumeRequestsWhatWasTaken() {
        RecordingSink<Long> sink = RecordingSink.limited();
        BufferedConsumer<Long> consumer = slowConsumer(sink);
        ConsumerSubscriber<Long> subscriber = ConsumerSubscriber.of(consumer, PREFETCH);
        TestSubscription upstream = new TestSubscription();
        subscriber.onSubscribe(upstream);

        LongStream.range(0, 5).forEach(subscriber::onNext); // the fifth takes the buffer above 4: paused

        assertThat(consumer.isProducerPaused()).isTrue();
        assertThat(upstream.requested).containsExactly((long) PREFETCH);

        sink.grant(3);
        consumer.drain(); // down to 2, the low mark: resumed; 5 of 8 arrived, so 5 are requested

        assertThat(upstream.requested).containsExactly((long) PREFETCH, 5L);
    }

    /** A subscription that records the calls made to it. */
    private static final class TestSubscription implements java.util.concurrent.Flow.Subscription {

        final List<Long> requested = new java.util.concurrent.CopyOnWriteArrayList<>();

        volatile boolean cancelled;

        @Override
        public void request(long n) {
            this.requested.add(n);
        }

        @Override
        public void cancel() {
            this.cancelled = true;
        }
    }
}
