package dev.sluice.io;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.testing.RecordingPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AsyncSinkTest {

    /** An API whose calls complete when the test says so. */
    private static final class ManualApi {

        final Map<Integer, List<CompletableFuture<Void>>> calls = new ConcurrentHashMap<>();

        final List<Integer> callOrder = new CopyOnWriteArrayList<>();

        final List<Long> callTimes = new CopyOnWriteArrayList<>();

        CompletableFuture<Void> call(int item) {
            CompletableFuture<Void> answer = new CompletableFuture<>();
            this.calls.computeIfAbsent(item, key -> new CopyOnWriteArrayList<>()).add(answer);
            this.callOrder.add(item);
            this.callTimes.add(System.nanoTime());
            return answer;
        }

        CompletableFuture<Void> last(int item) {
            List<CompletableFuture<Void>> made = this.calls.get(item);
            return made.get(made.size() - 1);
        }

        int callsOf(int item) {
            List<CompletableFuture<Void>> made = this.calls.get(item);
            return (made != null) ? made.size() : 0;
        }
    }

    private final ManualApi api = new ManualApi();

    private final List<Integer> acknowledged = new CopyOnWriteArrayList<>();

    private final List<Integer> skippedItems = new CopyOnWriteArrayList<>();

    private AsyncSink.Builder<Integer> sink(int maxInFlight) {
        return AsyncSink.builder(this.api::call)
            .name("test")
            .maxInFlight(maxInFlight)
            .onSuccess(this.acknowledged::add)
            .onSkipped((item, failure) -> this.skippedItems.add(item));
    }

    private static BufferedConsumer<Integer> consumer(AsyncSink<Integer> sink, long high, long low) {
        return sink.bind(BufferedConsumer.builder(sink).name("c").waterMarks(new WaterMarks(high, low)).build());
    }

    @Test
    void startsAtMostMaxInFlightCallsAndOffersTheNextWhenOneCompletes() {
        AsyncSink<Integer> sink = sink(3).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        for (int i = 0; i < 10; i++) {
            consumer.write(i);
        }
        assertThat(this.api.callOrder).containsExactly(0, 1, 2);
        assertThat(sink.inFlight()).isEqualTo(3);
        assertThat(consumer.bufferedUnits()).isEqualTo(7);

        this.api.last(1).complete(null);

        assertThat(this.api.callOrder).containsExactly(0, 1, 2, 3);
        assertThat(this.acknowledged).containsExactly(1);
        assertThat(consumer.bufferedUnits()).isEqualTo(6);
        assertThat(sink.inFlight()).isEqualTo(3);
    }

    @Test
    void completionIsWhatAcknowledgesInCompletionOrder() {
        AsyncSink<Integer> sink = sink(4).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        for (int i = 0; i < 4; i++) {
            consumer.write(i);
        }
        assertThat(consumer.sentUnits()).isEqualTo(4); // taken by the sink ...
        assertThat(this.acknowledged).isEmpty(); // ... but not acknowledged before completion

        this.api.last(2).complete(null);
        this.api.last(0).complete(null);
        this.api.last(3).complete(null);
        this.api.last(1).complete(null);

        assertThat(this.acknowledged).containsExactly(2, 0, 3, 1);
        assertThat(sink.succeeded()).isEqualTo(4);
        assertThat(sink.inFlight()).isZero();
    }

    @Test
    void fullSlotsFillTheBufferWhichPausesTheProducerAndCompletionsResumeIt() {
        AsyncSink<Integer> sink = sink(2).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 4, 2);
        RecordingPushProducer producer = new RecordingPushProducer();
        consumer.registerProducer(producer, true);
        for (int i = 0; i < 7; i++) {
            consumer.write(i); // 2 in flight, 5 buffered: above the high mark of 4
        }
        assertThat(producer.events()).containsExactly("pause");

        for (int i = 0; i < 3; i++) {
            this.api.last(i).complete(null); // each frees a slot: the next item leaves the buffer
        }

        assertThat(consumer.bufferedUnits()).isEqualTo(2);
        assertThat(producer.events()).containsExactly("pause", "resume");
    }

    @Test
    void completionsOnOtherThreadsDrainEverythingExactlyOnce() {
        AsyncSink<Integer> sink = AsyncSink.builder((Integer item) -> CompletableFuture.runAsync(() -> { },
                        CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS)))
            .maxInFlight(8)
            .onSuccess(this.acknowledged::add)
            .build();
        BufferedConsumer<Integer> consumer = consumer(sink, 64, 32);
        for (int i = 0; i < 2_000; i++) {
            consumer.write(i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> this.acknowledged.size() == 2_000);
        assertThat(this.acknowledged).doesNotHaveDuplicates();
        assertThat(sink.started()).isEqualTo(2_000);
        assertThat(sink.inFlight()).isZero();
    }

    @Test
    void aFailedCallIsRetriedWithGrowingBackOffThenAcknowledged() {
        AsyncSink<Integer> sink = sink(2).retry(4, Duration.ofMillis(20), Duration.ofMillis(60)).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(7);

        for (int failures = 1; failures <= 3; failures++) {
            int expectedCalls = failures;
            await().until(() -> this.api.callsOf(7) == expectedCalls);
            this.api.last(7).completeExceptionally(new RuntimeException("503"));
        }
        await().until(() -> this.api.callsOf(7) == 4);
        this.api.last(7).complete(null);

        assertThat(this.acknowledged).containsExactly(7);
        assertThat(sink.retries()).isEqualTo(3);
        assertThat(sink.inFlight()).isZero();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < this.api.callTimes.size(); i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(this.api.callTimes.get(i) - this.api.callTimes.get(i - 1)));
        }
        assertThat(gaps.get(0)).isGreaterThanOrEqualTo(20);
        assertThat(gaps.get(1)).isGreaterThanOrEqualTo(40);
        assertThat(gaps.get(2)).isGreaterThanOrEqualTo(60); // capped at the maximum, not 80
    }

    @Test
    void aRetryKeepsItsSlot() {
        AsyncSink<Integer> sink = sink(1).retry(2, Duration.ofMillis(10), Duration.ofMillis(10)).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);
        consumer.write(2);
        this.api.last(1).completeExceptionally(new RuntimeException("timeout"));
        await().until(() -> this.api.callsOf(1) == 2);

        assertThat(this.api.callsOf(2)).isZero();

        this.api.last(1).complete(null);
        assertThat(this.api.callsOf(2)).isEqualTo(1);
    }

    @Test
    void exhaustedAttemptsStopTheConsumerByDefaultAndAcknowledgeNothingMore() {
        AsyncSink<Integer> sink = sink(1).retry(2, Duration.ofMillis(5), Duration.ofMillis(5)).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        RecordingPushProducer producer = new RecordingPushProducer();
        consumer.registerProducer(producer, true);
        consumer.write(1);
        consumer.write(2);
        consumer.write(3);
        this.api.last(1).completeExceptionally(new IllegalStateException("down"));
        await().until(() -> this.api.callsOf(1) == 2);
        this.api.last(1).completeExceptionally(new IllegalStateException("still down"));

        await().until(() -> consumer.whenClosed().isDone());
        assertThat(consumer.whenClosed()).failsWithin(Duration.ZERO)
            .withThrowableThat()
            .havingCause()
            .isInstanceOf(AsyncSinkException.class)
            .withMessageContaining("gave up on an item after 2 failed attempt(s)")
            .havingCause()
            .withMessage("still down");
        assertThat(producer.events()).containsExactly("stop");
        assertThat(this.acknowledged).isEmpty();
        assertThat(this.skippedItems).isEmpty();
        assertThat(consumer.droppedUnits()).isEqualTo(2); // items 2 and 3, never called, never acknowledged
        assertThat(this.api.callsOf(2)).isZero();
        assertThat(sink.failed()).isEqualTo(1);
        assertThat(sink.whenSettled()).isCompleted();
    }

    @Test
    void exhaustedAttemptsSkipTheItemWhenConfigured() {
        AsyncSink<Integer> sink = sink(1).retry(2, Duration.ZERO, Duration.ZERO)
            .whenExhausted(AsyncSink.Exhausted.SKIP)
            .build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);
        consumer.write(2);
        this.api.last(1).completeExceptionally(new RuntimeException("bad"));
        await().until(() -> this.api.callsOf(1) == 2);
        this.api.last(1).completeExceptionally(new RuntimeException("bad again"));

        await().until(() -> this.api.callsOf(2) == 1);
        this.api.last(2).complete(null);
        assertThat(this.skippedItems).containsExactly(1);
        assertThat(this.acknowledged).containsExactly(2);
        assertThat(sink.skipped()).isEqualTo(1);
        assertThat(consumer.whenClosed()).isNotDone();
    }

    @Test
    void aPoisonItemIsSkippedAtOnceWithoutRetry() {
        AsyncSink<Integer> sink = sink(2).retry(5, Duration.ofSeconds(10), Duration.ofSeconds(10))
            .skipIf(failure -> failure instanceof IllegalArgumentException)
            .build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);
        consumer.write(2);
        this.api.last(1).completeExceptionally(new IllegalArgumentException("400 Bad Request"));
        this.api.last(2).complete(null);

        assertThat(this.api.callsOf(1)).isEqualTo(1);
        assertThat(this.skippedItems).containsExactly(1);
        assertThat(this.acknowledged).containsExactly(2);
        assertThat(sink.retries()).isZero();
    }

    @Test
    void aCallThatThrowsOrReturnsNullIsAFailedCall() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        AsyncSink<Integer> sink = AsyncSink.builder((Integer item) -> {
            seen.add(item);
            if (item == 1) {
                throw new IllegalArgumentException("cannot encode 1");
            }
            return (item == 2) ? null : CompletableFuture.completedFuture(null);
        })
            .skipIf(failure -> true)
            .onSkipped((item, failure) -> this.skippedItems.add(item))
            .onSuccess(this.acknowledged::add)
            .build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);
        consumer.write(2);
        consumer.write(3);

        assertThat(seen).containsExactly(1, 2, 3);
        assertThat(this.skippedItems).containsExactly(1, 2);
        assertThat(this.acknowledged).containsExactly(3);
    }

    @Test
    void closeLetsCallsInFlightFinishThenSettles() {
        AsyncSink<Integer> sink = sink(4).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);
        consumer.write(2);
        consumer.loseConnection();

        assertThat(consumer.whenClosed()).isCompleted();
        assertThat(sink.whenSettled()).isNotDone();

        this.api.last(1).complete(null);
        this.api.last(2).complete(null);
        assertThat(sink.whenSettled()).isCompleted();
        assertThat(this.acknowledged).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void abortAbandonsWaitingRetriesButAcknowledgesCallsThatStillSucceed() {
        AsyncSink<Integer> sink = sink(4).retry(3, Duration.ofSeconds(30), Duration.ofSeconds(30)).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);
        consumer.write(2);
        this.api.last(1).completeExceptionally(new RuntimeException("503")); // waits 30 s for its retry

        consumer.abortConnection();

        assertThat(sink.abandoned()).isEqualTo(1);
        assertThat(sink.whenSettled()).isNotDone(); // item 2 is still running
        this.api.last(2).complete(null);
        assertThat(this.acknowledged).containsExactly(2);
        assertThat(sink.whenSettled()).isCompleted();
        assertThat(this.api.callsOf(1)).isEqualTo(1);
    }

    @Test
    void misuseFailsFast() {
        AsyncSink<Integer> sink = sink(1).build();
        assertThatThrownBy(() -> sink.offer(1)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("before bind");
        BufferedConsumer<Integer> consumer = consumer(sink, 10, 5);
        assertThatThrownBy(() -> sink.bind(consumer)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("bound to consumer 'c' already");
        assertThatThrownBy(() -> AsyncSink.builder(item -> null).maxInFlight(0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AsyncSink.builder(item -> null).retry(2, Duration.ofSeconds(2), Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
