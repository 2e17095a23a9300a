package dev.sluice.regression;

import java.io.IOError;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.io.AsyncSink;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.TestThreads;
import dev.sluice.testing.TracingPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18, defects 3, 4 and 5: an {@link Error} (any {@link Throwable} but a {@link VirtualMachineError}) from user
 * code fails the consumer once, stops its producer and completes {@code whenClosed()} exceptionally with it; from a
 * {@link ProducerListener} it is logged and ignored (DESIGN §4.9). Nothing wedges, nothing stalls silently.
 */
class Issue18ErrorsTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    /**
     * Defect 3, an {@link IOError} from the sink on the inline drain. The consumer must fail with it: producer
     * stopped, {@code whenClosed()} failed with the {@code IOError}, accounts balanced.
     *
     * <p>Fails on 65a6063: "whenClosed() after the sink threw java.io.IOError" is not done within 5 s: the
     * {@code IOError} escaped {@code write} with the drain counter held (only {@code Exception | LinkageError |
     * AssertionError} were caught), so nothing drains or closes again.
     */
    @Test
    void defect3_anIOErrorFromTheSinkFailsTheConsumerInsteadOfWedgingIt() {
        IOError broken = new IOError(new IOException("disk gone"));
        BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> {
            throw broken;
        }).name("defect3").weigher(Weigher.items()).build();
        TracingPushProducer producer = new TracingPushProducer("P");
        consumer.registerProducer(producer, true);

        Throwable escaped = catchThrowable(() -> consumer.write(1)); // whether it escapes is not the point

        CompletableFuture<Void> closed = consumer.whenClosed();
        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(closed)
            .as("whenClosed() after the sink threw %s (write let %s escape)", broken, escaped).isDone());
        assertThat(causes(closed)).as("whenClosed()'s failure").contains(broken);
        assertThat(producer.names()).as("the producer's callbacks").containsExactly("stop");
        assertThat(consumer.acceptedUnits()).as("accepted = sent + dropped + buffered")
            .isEqualTo(consumer.sentUnits() + consumer.droppedUnits() + consumer.bufferedUnits());
    }

    /**
     * Defect 3, a plain {@code new Error()} from the sink on a drain executor, then {@code abortConnection()}: the
     * consumer must still close and stop its producer.
     *
     * <p>Fails on 65a6063: "whenClosed() after the sink threw an Error and abortConnection()" is not done within 5 s:
     * the Error killed the drain task with the drain counter held, and the abort's drain never ran.
     */
    @Test
    void defect3_anErrorFromTheSinkOnADrainExecutorStillLetsTheConsumerClose() throws Exception {
        ExecutorService drainThread = Executors.newSingleThreadExecutor(TestThreads.daemon("drain"));
        try {
            CountDownLatch offered = new CountDownLatch(1);
            BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> {
                offered.countDown();
                throw new Error("sink bug");
            }).name("defect3-executor").weigher(Weigher.items()).drainOn(drainThread).build();
            TracingPushProducer producer = new TracingPushProducer("P");
            consumer.registerProducer(producer, true);

            consumer.write(1);
            assertThat(offered.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).as("the sink was offered").isTrue();
            catchThrowable(consumer::abortConnection);

            CompletableFuture<Void> closed = consumer.whenClosed();
            await().dontCatchUncaughtExceptions() // 65a6063 let the Error kill the drain thread: not the point here
                .atMost(PROMPTLY).untilAsserted(() -> assertThat(closed)
                    .as("whenClosed() after the sink threw an Error and abortConnection()").isDone());
            assertThat(closed).isCompletedExceptionally();
            assertThat(producer.names()).as("the producer's callbacks").containsExactly("stop");
        }
        finally {
            drainThread.shutdownNow();
        }
    }

    /**
     * Defect 4, a {@link ProducerListener} that throws an {@link Error} from {@code paused}: it is logged and
     * ignored, and the producer still gets its resume when the buffer drains.
     *
     * <p>Fails on 65a6063: the producer's callbacks stay {@code [pause]} ("the producer is resumed once the buffer has
     * drained" within 5 s): the Error escaped the lane run, which has no {@code finally}, so the lane stayed owned and
     * nothing was delivered again; the producer sat paused on an empty buffer.
     */
    @Test
    void defect4_aListenerThatThrowsAnErrorDoesNotWedgeTheLoop() {
        RecordingSink<Integer> sink = RecordingSink.limited();
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(sink).name("defect4").weigher(Weigher.items())
            .waterMarks(new WaterMarks(2, 1)).build();
        consumer.addProducerListener(new ProducerListener() {
            @Override
            public void paused(Producer producer) {
                throw new Error("listener bug");
            }
        });
        TracingPushProducer producer = new TracingPushProducer("P");
        consumer.registerProducer(producer, true);

        for (int item = 0; item < 3; item++) {
            int next = item;
            catchThrowable(() -> consumer.write(next));
        }
        sink.grant(Long.MAX_VALUE);
        catchThrowable(consumer::drain);

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(producer.names())
            .as("the producer is resumed once the buffer has drained").containsExactly("pause", "resume"));
        assertThat(sink.items()).containsExactly(0, 1, 2);
        assertThat(consumer.whenClosed()).as("a listener's failure does not close the consumer").isNotDone();
    }

    /**
     * Defect 5, an {@link AsyncSink} whose {@code skipIf} classifier throws when a call fails: the agreed v3
     * behaviour is that the consumer fails with what the hook threw (producer stopped, {@code whenClosed()} failed,
     * logged once) rather than the pipe stalling silently.
     *
     * <p>Fails on 65a6063: "whenClosed() after the skipIf hook threw" is not done within 5 s: the exception was
     * swallowed by the stage's {@code whenComplete}, the in-flight slot was never released, the second item is never
     * offered, and nothing is logged.
     */
    @Test
    void defect5_anAsyncSinkWhoseSkipIfThrowsFailsTheConsumerInsteadOfStalling() {
        IllegalStateException classifierBug = new IllegalStateException("classifier bug");
        assertHookFailureFailsTheConsumer(builder -> builder.skipIf(failure -> {
            throw classifierBug;
        }), classifierBug, call -> call.completeExceptionally(new IOException("503 from the service")),
                "the skipIf hook threw");
    }

    /**
     * Defect 5, an {@link AsyncSink} whose {@code onSuccess} hook throws an {@link Error}: as with {@code skipIf}, the
     * consumer fails with it.
     *
     * <p>Fails on 65a6063: "whenClosed() after the onSuccess hook threw" is not done within 5 s: the hook catches only
     * {@code RuntimeException | LinkageError | AssertionError}; the Error escaped into {@code whenComplete}, which
     * swallowed it, and the slot was never released.
     */
    @Test
    void defect5_anAsyncSinkWhoseOnSuccessThrowsAnErrorFailsTheConsumerInsteadOfStalling() {
        Error ackBug = new Error("acknowledgement failed");
        assertHookFailureFailsTheConsumer(builder -> builder.onSuccess(item -> {
            throw ackBug;
        }), ackBug, call -> call.complete("200 OK"), "the onSuccess hook threw");
    }

    /**
     * One call in flight at a time, completed by the test: item 1 is taken, item 2 waits for the slot. The first
     * call completes (through {@code complete}), its hook throws {@code thrown}: the consumer must fail with it,
     * stop its producer, and log it once.
     */
    private static void assertHookFailureFailsTheConsumer(UnaryOperator<AsyncSink.Builder<Integer>> hooks,
            Throwable thrown, java.util.function.Consumer<CompletableFuture<Object>> complete, String what) {
        List<CompletableFuture<Object>> calls = new CopyOnWriteArrayList<>();
        AsyncSink<Integer> sink = hooks.apply(AsyncSink.<Integer>builder(item -> {
            CompletableFuture<Object> call = new CompletableFuture<>();
            calls.add(call);
            return call;
        })).name("defect5").maxInFlight(1).build();
        BufferedConsumer<Integer> consumer = sink.bind(BufferedConsumer.builder(sink).name("defect5")
            .weigher(Weigher.items()).build());
        TracingPushProducer producer = new TracingPushProducer("P");
        consumer.registerProducer(producer, true);
        try (LoggedFailures logged = new LoggedFailures()) {
            consumer.write(1);
            consumer.write(2);
            assertThat(calls).as("calls started (one slot)").hasSize(1);

            complete.accept(calls.get(0));

            CompletableFuture<Void> closed = consumer.whenClosed();
            await().atMost(PROMPTLY).untilAsserted(() -> assertThat(closed)
                .as("whenClosed() after %s (calls started: %d, in flight: %d)", what, calls.size(), sink.inFlight())
                .isDone());
            assertThat(causes(closed)).as("whenClosed()'s failure").contains(thrown);
            assertThat(producer.names()).as("the producer's callbacks").containsExactly("stop");
            assertThat(logged.mentioning(thrown)).as("log events at WARN or above that carry %s", thrown).hasSize(1);
        }
    }

    /** The failure of {@code future} and its causes, outermost first; empty if it has not failed. */
    static List<Throwable> causes(CompletableFuture<?> future) {
        List<Throwable> chain = new ArrayList<>();
        Throwable failure = future.handle((value, thrown) -> thrown).getNow(null);
        for (Throwable cause = failure; cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }
}
