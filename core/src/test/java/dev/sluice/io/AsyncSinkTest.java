package dev.sluice.io;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.testing.RecordingPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
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
        // outcomes known inside offer are handled off the consumer's loop, in order on the sink's own thread
        await().atMost(Duration.ofSeconds(10)).until(() -> this.acknowledged.size() == 1);
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

    /** Issue 18, defect 5: fails on 65a6063 (an Error from the hook was swallowed by whenComplete, the slot kept). */
    @Test
    void aSuccessHookThatThrowsAnErrorFailsTheConsumerWithIt_andFreesTheSlot() {
        Error broken = new Error("acknowledgement broke");
        AsyncSink<Integer> sink = sink(2).onSuccess(item -> {
            throw broken;
        }).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        RecordingPushProducer producer = new RecordingPushProducer();
        consumer.registerProducer(producer, true);
        consumer.write(1);
        consumer.write(2);

        this.api.last(1).complete(null);

        assertClosedWith(consumer, broken);
        assertThat(producer.events()).containsExactly("stop");
        assertThat(sink.failed()).isEqualTo(1);
        assertThat(sink.succeeded()).isZero();
        this.api.last(2).complete(null); // still running: its slot is freed when it completes
        assertThat(sink.inFlight()).isZero();
        assertThat(sink.whenSettled()).succeedsWithin(Duration.ofSeconds(10));
    }

    /** Issue 18, defect 5: fails on 65a6063 (the classifier's exception was swallowed: slot kept, pipe stalled). */
    @Test
    void aSkipIfThatThrowsFailsTheConsumerWithIt_andFreesTheSlot() {
        IllegalStateException broken = new IllegalStateException("classifier broke");
        AsyncSink<Integer> sink = sink(1).skipIf(failure -> {
            throw broken;
        }).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);
        consumer.write(2);

        this.api.last(1).completeExceptionally(new RuntimeException("503"));

        assertClosedWith(consumer, broken);
        assertThat(broken.getSuppressed()).extracting(Throwable::getMessage).containsExactly("503");
        assertThat(sink.inFlight()).isZero();
        assertThat(this.api.callsOf(2)).isZero();
        assertThat(consumer.droppedUnits()).isEqualTo(1);
        assertThat(sink.whenSettled()).succeedsWithin(Duration.ofSeconds(10));
    }

    /** Issue 18, defect 5: fails on 65a6063 (the skip hook's exception was logged and the consumer went on). */
    @Test
    void aSkipHookThatThrowsFailsTheConsumerWithIt() {
        IllegalStateException broken = new IllegalStateException("dead-letter queue down");
        AsyncSink<Integer> sink = sink(1).skipIf(failure -> true).onSkipped((item, failure) -> {
            throw broken;
        }).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);

        this.api.last(1).completeExceptionally(new IllegalArgumentException("400"));

        assertClosedWith(consumer, broken);
        assertThat(sink.skipped()).isZero();
        assertThat(sink.failed()).isEqualTo(1);
        assertThat(sink.inFlight()).isZero();
    }

    /** Issue 18, defect 5: fails on 65a6063 (the Error escaped offer with the slot taken; never settled). */
    @Test
    void aFunctionThatThrowsAnErrorFailsTheConsumerWithIt_andFreesTheSlot() {
        Error broken = new Error("encoder broke");
        AsyncSink<Integer> sink = AsyncSink.builder((Integer item) -> {
            throw broken;
        }).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);

        catchThrowable(() -> consumer.write(1)); // 65a6063 let it escape here

        assertClosedWith(consumer, broken);
        assertThat(sink.inFlight()).isZero();
        assertThat(sink.whenSettled()).succeedsWithin(Duration.ofSeconds(10));
    }

    /**
     * DESIGN §4.10: fails on 65a6063, where the hooks of a stage complete at once ran inline in {@code offer}, on the
     * thread that held the consumer's loop (here the writer: the drain is inline).
     */
    @Test
    void hooksOfAStageCompleteAtOnceRunOffTheConsumersLoop() {
        List<String> hookThreads = new CopyOnWriteArrayList<>();
        AsyncSink<Integer> sink = AsyncSink.builder((Integer item) -> (item % 2 == 0)
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(new IllegalArgumentException("odd")))
            .skipIf(failure -> {
                hookThreads.add("skipIf on " + Thread.currentThread().getName());
                return true;
            })
            .onSuccess(item -> hookThreads.add("onSuccess on " + Thread.currentThread().getName()))
            .build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        String writer = Thread.currentThread().getName();

        consumer.write(0);
        consumer.write(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> hookThreads.size() == 2);
        assertThat(hookThreads).noneMatch(hook -> hook.endsWith(" on " + writer))
            .allMatch(hook -> hook.contains(" on sluice-async-"));
        assertThat(sink.succeeded()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.skipped() == 1 && sink.inFlight() == 0);
    }

    /** DESIGN §4.10: fails on 65a6063, where the close run by the consumer's loop completed the future inline. */
    @Test
    void whenSettledIsNotCompletedOnTheConsumersLoop() {
        AsyncSink<Integer> sink = sink(1).build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        AtomicReference<String> settledOn = new AtomicReference<>();
        sink.whenSettled().thenRun(() -> settledOn.set(Thread.currentThread().getName()));

        consumer.loseConnection(); // nothing buffered, nothing in flight: closes the sink at once, on this thread

        await().atMost(Duration.ofSeconds(10)).until(() -> settledOn.get() != null);
        assertThat(settledOn.get()).isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aGivenCompletionExecutorRunsTheHooks_andAVirtualMachineErrorIsRethrownThereAfterTheConsumerFailed() {
        List<Runnable> tasks = new CopyOnWriteArrayList<>();
        StackOverflowError overflow = new StackOverflowError("hook recursed");
        AsyncSink<Integer> sink = AsyncSink.builder((Integer item) -> CompletableFuture.completedFuture(null))
            .completionExecutor(tasks::add)
            .onSuccess(item -> {
                throw overflow;
            })
            .build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);
        consumer.write(1);
        assertThat(tasks).hasSize(1);
        assertThat(consumer.whenClosed()).isNotDone();

        assertThatThrownBy(() -> tasks.get(0).run()).isSameAs(overflow);

        assertClosedWith(consumer, overflow);
        assertThat(sink.inFlight()).isZero();
    }

    @Test
    void aCompletionExecutorThatRejectsFailsTheConsumerWithTheRejection() {
        RejectedExecutionException rejected = new RejectedExecutionException("shut down");
        Executor rejecting = task -> {
            throw rejected;
        };
        AsyncSink<Integer> sink = AsyncSink.builder((Integer item) -> CompletableFuture.completedFuture(null))
            .completionExecutor(rejecting)
            .onSuccess(this.acknowledged::add)
            .build();
        BufferedConsumer<Integer> consumer = consumer(sink, 100, 50);

        consumer.write(1);

        assertClosedWith(consumer, rejected);
        assertThat(this.acknowledged).isEmpty();
        assertThat(sink.inFlight()).isZero();
    }

    private static void assertClosedWith(BufferedConsumer<?> consumer, Throwable expected) {
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.whenClosed().isDone());
        assertThat(catchThrowable(() -> consumer.whenClosed().join())).cause().isSameAs(expected);
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
