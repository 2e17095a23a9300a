package dev.sluice.flow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.Producer;
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

    /**
     * Issue 18, defect 13: fails on 65a6063, which kept requesting after {@code write} returned {@code false} until the
     * pause callback came (here it never does, as when another thread is still finishing a callback): all 1 000
     * items were written against a bound of high mark plus prefetch.
     */
    @Test
    void aFalseStopsTheRequestsAtOnce_beforeAnyPauseCallback_andTheResumeRequestsAgain() {
        HoldingConsumer consumer = new HoldingConsumer(MARKS.high());
        ConsumerSubscriber<Long> subscriber = ConsumerSubscriber.of(consumer, PREFETCH);
        EagerSubscription upstream = new EagerSubscription(subscriber, 1_000);

        subscriber.onSubscribe(upstream);

        assertThat(consumer.producer).isSameAs(subscriber);
        assertThat(consumer.written).hasSizeLessThanOrEqualTo((int) MARKS.high() + PREFETCH);
        int firstRound = consumer.written.size();

        consumer.drainAll();
        subscriber.resumeProducing();

        assertThat(consumer.written).hasSizeGreaterThan(firstRound)
            .hasSizeLessThanOrEqualTo(firstRound + (int) MARKS.high() + PREFETCH);
        assertThat(upstream.emitted).isLessThan(1_000);
    }

    /**
     * The race the fix must not lose: the pause and the resume for a crossing arrive while the write that crossed is
     * still returning its {@code false}. That resume answered the {@code false}, so the subscriber goes on requesting
     * and the stream does not stall.
     */
    @Test
    void aResumeThatArrivesBeforeTheFalseIsReturnedAnswersIt_theStreamGoesOn() {
        HoldingConsumer consumer = new HoldingConsumer(MARKS.high());
        ConsumerSubscriber<Long> subscriber = ConsumerSubscriber.of(consumer, PREFETCH);
        consumer.onFalse = () -> {
            subscriber.pauseProducing(); // the consumer's other thread, between the crossing and the return
            consumer.drainAll(); // drains everything ...
            subscriber.resumeProducing(); // ... and resumes, before the false reaches the subscriber
        };
        EagerSubscription upstream = new EagerSubscription(subscriber, 1_000);

        subscriber.onSubscribe(upstream);

        assertThat(upstream.emitted).isEqualTo(1_000);
        assertThat(consumer.total).isEqualTo(1_000);
    }

    /** Exception-safe (DESIGN §4.9): a subscription that throws from {@code request} ends the stream with it. */
    @Test
    void aSubscriptionThatThrowsFromRequestEndsTheStreamWithThatFailure() {
        BufferedConsumer<Long> consumer = slowConsumer(RecordingSink.accepting());
        ConsumerSubscriber<Long> subscriber = ConsumerSubscriber.closing(consumer, PREFETCH);
        IllegalStateException broken = new IllegalStateException("request broke");
        TestSubscription upstream = new TestSubscription() {
            @Override
            public void request(long n) {
                throw broken;
            }
        };

        subscriber.onSubscribe(upstream);

        assertThat(catchThrowable(() -> subscriber.whenTerminated().join())).cause().isSameAs(broken);
        assertThat(catchThrowable(() -> consumer.whenClosed().join())).cause().isSameAs(broken);
        assertThat(upstream.cancelled).isTrue();
        assertThat(consumer.producer()).isNull();
    }

    /**
     * A consumer that holds what it is written and answers {@code false} once it holds more than {@code high} items;
     * it never calls {@code pauseProducing} by itself. {@code onFalse} runs inside each write that answers
     * {@code false}.
     */
    private static final class HoldingConsumer implements Consumer<Long> {

        final List<Long> written = new ArrayList<>();

        private final List<Long> held = new ArrayList<>();

        private final long high;

        Runnable onFalse = () -> { };

        Producer producer;

        int total;

        HoldingConsumer(long high) {
            this.high = high;
        }

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
            this.producer = producer;
        }

        @Override
        public void unregisterProducer() {
            this.producer = null;
        }

        @Override
        public boolean write(Long data) {
            this.written.add(data);
            this.held.add(data);
            this.total++;
            if (this.held.size() <= this.high) {
                return true;
            }
            this.onFalse.run();
            return false;
        }

        void drainAll() {
            this.held.clear();
        }
    }

    /** A subscription that emits, from inside {@code request}, as many items as are requested, up to a total. */
    private static final class EagerSubscription implements Flow.Subscription {

        private final ConsumerSubscriber<Long> subscriber;

        private final long total;

        private long demand;

        long emitted;

        EagerSubscription(ConsumerSubscriber<Long> subscriber, long total) {
            this.subscriber = subscriber;
            this.total = total;
        }

        @Override
        public void request(long n) {
            this.demand += n;
            while (this.demand > 0 && this.emitted < this.total) {
                this.demand--;
                this.subscriber.onNext(this.emitted++);
            }
        }

        @Override
        public void cancel() {
            this.demand = 0;
        }
    }

    /** A subscription that records the calls made to it. */
    private static class TestSubscription implements java.util.concurrent.Flow.Subscription {

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
