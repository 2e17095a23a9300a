package dev.sluice.reactor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import dev.sluice.BufferedConsumer;
import dev.sluice.PullProducer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.SlowDrain;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** {@link SluiceFlux}: Reactor on both sides of a consumer, with back-pressure, cancellation and errors preserved. */
class SluiceFluxTest {

    private static final int PREFETCH = 8;

    private static final WaterMarks MARKS = new WaterMarks(4, 2);

    /** A pull producer writing 0 to limit - 1, one per request, that can be told to fail. */
    static final class Counter implements PullProducer {

        final BufferedConsumer<Integer> consumer;

        final int limit;

        final int failAt;

        volatile boolean stopped;

        int next;

        Counter(BufferedConsumer<Integer> consumer, int limit, int failAt) {
            this.consumer = consumer;
            this.limit = limit;
            this.failAt = failAt;
        }

        @Override
        public void resumeProducing() {
            if (this.next == this.failAt) {
                throw new IllegalStateException("counter broke at " + this.next);
            }
            if (this.next < this.limit) {
                this.consumer.write(this.next++);
            }
            if (this.next == this.limit) {
                this.consumer.unregisterProducer();
            }
        }

        @Override
        public void stopProducing() {
            this.stopped = true;
        }
    }

    private final AtomicReference<Counter> counter = new AtomicReference<>();

    private Flux<Integer> counting(int limit, int failAt) {
        return SluiceFlux.fromProducer(consumer -> {
            Counter producer = new Counter(consumer, limit, failAt);
            this.counter.set(producer);
            consumer.registerProducer(producer, false);
        });
    }

    @Test
    void fromProducer_oneAtATimeSubscriber_everyItemInOrder_producerAskedOnlyAsDemanded() {
        List<Integer> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean completed = new AtomicBoolean();
        counting(1_000, -1).subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(1);
            }

            @Override
            protected void hookOnNext(Integer item) {
                // the producer never runs more than one item ahead of this subscriber's demand
                assertThat(SluiceFluxTest.this.counter.get().next).isLessThanOrEqualTo(item + 2);
                received.add(item);
                request(1);
            }

            @Override
            protected void hookOnComplete() {
                completed.set(true);
            }
        });

        assertThat(received).isEqualTo(IntStream.range(0, 1_000).boxed().toList());
        assertThat(completed).isTrue();
    }

    @Test
    void fromProducer_takeCancelsAndStopsTheProducer() {
        assertThat(counting(Integer.MAX_VALUE, -1).take(5).collectList().block(Duration.ofSeconds(10)))
            .containsExactly(0, 1, 2, 3, 4);
        assertThat(this.counter.get().stopped).isTrue();
    }

    @Test
    void fromProducer_anExceptionInTheProducerFailsTheFlux() {
        Throwable failure = catchThrowable(() -> counting(100, 3).collectList().block(Duration.ofSeconds(10)));

        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("counter broke at 3");
    }

    @Test
    void fromProducer_isColdAndRepeatable() {
        Flux<Integer> flux = counting(3, -1);

        assertThat(flux.concatWith(flux).collectList().block(Duration.ofSeconds(10))).containsExactly(0, 1, 2, 0, 1, 2);
    }

    @Test
    void writeTo_fastFlux_slowConsumer_bufferBounded_everyItemInOrder_consumerClosed() {
        RecordingSink<Integer> sink = RecordingSink.limited();
        BufferedConsumer<Integer> consumer = slowConsumer(sink);
        AtomicLong requested = new AtomicLong();
        Flux<Integer> flux = Flux.range(0, 5_000).doOnRequest(requested::addAndGet);
        CompletableFuture<Void> done = SluiceFlux.writeTo(flux, consumer, PREFETCH).toFuture();

        long deepest = SlowDrain.untilClosed(consumer, sink, 1);

        assertThat(sink.items()).isEqualTo(IntStream.range(0, 5_000).boxed().toList());
        assertThat(deepest).isLessThanOrEqualTo(MARKS.high() + PREFETCH);
        assertThat(requested.get()).isLessThan(Long.MAX_VALUE); // bounded requests, never unbounded demand
        assertThat(sink.isClosed()).isTrue();
        assertThat(done).isCompleted();
    }

    @Test
    void writeTo_aFluxErrorFailsTheConsumerAndTheMono() {
        RecordingSink<Integer> sink = RecordingSink.accepting();
        BufferedConsumer<Integer> consumer = slowConsumer(sink);
        IllegalStateException broken = new IllegalStateException("upstream broke");

        Throwable failure = catchThrowable(() -> SluiceFlux.writeTo(
                Flux.range(0, 3).concatWith(Mono.error(broken)), consumer, PREFETCH).block(Duration.ofSeconds(10)));

        assertThat(failure).isSameAs(broken);
        assertThat(sink.items()).containsExactly(0, 1, 2);
        assertThat(catchThrowable(() -> consumer.whenClosed().join())).cause().isSameAs(broken);
    }

    @Test
    void writeTo_aFailingSinkCancelsTheFlux() {
        RecordingSink<Integer> sink = RecordingSink.limited();
        BufferedConsumer<Integer> consumer = slowConsumer(sink);
        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<Void> done = SluiceFlux.writeTo(Flux.<Integer>never().doOnCancel(() -> cancelled.set(true))
            .mergeWith(Flux.range(0, 10)), consumer, PREFETCH).toFuture();

        sink.failNextOffer(new java.io.IOException("peer reset"));
        sink.grant(1);
        consumer.drain();

        await().atMost(Duration.ofSeconds(5)).untilTrue(cancelled);
        assertThat(catchThrowable(done::join)).cause().hasMessage("peer reset");
    }

    @Test
    void writeTo_cancellingTheMonoAbortsTheConsumerAndCancelsTheFlux() {
        BufferedConsumer<Integer> consumer = slowConsumer(RecordingSink.limited());
        AtomicBoolean cancelled = new AtomicBoolean();

        SluiceFlux.writeTo(Flux.<Integer>never().doOnCancel(() -> cancelled.set(true)), consumer, PREFETCH)
            .subscribe()
            .dispose();

        assertThat(cancelled).isTrue();
        assertThat(consumer.whenClosed()).isCompletedExceptionally();
    }

    private static <T> BufferedConsumer<T> slowConsumer(RecordingSink<T> sink) {
        return BufferedConsumer.builder(sink).name("slow").weigher(Weigher.items()).waterMarks(MARKS).build();
    }
}
