package dev.sluice.review;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.PullProducer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.Latches;
import dev.sluice.testing.RecordingProducerListener;
import dev.sluice.testing.RecordingPullProducer;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of 07b0e58: a stop of a registration never announced, whose STOP operation is queued behind the REGISTER of
 * a newer registration, makes the loop announce the old one late ({@code leave} → {@code announce}), and
 * {@code announce} then retires {@code current} — the newer registration, still in the slot, mark {@code null} — as if
 * it had been unregistered. From then on the newer producer is registered (the slot holds it) but the loop has no
 * {@code current}: no callback, no resume owed for a {@code false}, and its later stop finds it RETIRED and is never
 * delivered.
 *
 * <p>The interleaving: {@code stopProducer()} marks reg1 STOP and is still inside {@code takeOut} (held here inside
 * {@code stopsOnTheirWay.add}, which calls the producer's {@code hashCode}; preemption does the same without a hook,
 * see {@link RegistrationMarkReviewLateStopStressTest}) while the producer's own {@code unregisterProducer()} helps
 * empty the slot and returns, and the next producer is registered (which must succeed). The queue then holds
 * REGISTER(reg1), REGISTER(reg2), STOP(reg1). Deterministic: manual executor run by hand, latches.
 */
@Disabled("The hook that held stopProducer() inside takeOut was the producer's hashCode, which stopsOnTheirWay.add "
        + "called; stops on their way are kept by identity since the fourth review (OperatorStopReviewEqualProducersTest: "
        + "two equal producers are two), so no user code runs in that window and it cannot be held open deterministically "
        + "any more; RegistrationMarkReviewLateStopStressTest races the same interleaving by preemption")
class RegistrationMarkReviewLateStopTest {

    /** A pull producer whose first hashCode on a thread called "stopper" blocks until the test lets it go. */
    static final class HashHookProducer extends RecordingPullProducer implements PullProducer {

        final CountDownLatch entered = new CountDownLatch(1);

        final CountDownLatch proceed = new CountDownLatch(1);

        @Override
        public int hashCode() {
            if (Thread.currentThread().getName().equals("stopper") && this.entered.getCount() > 0) {
                this.entered.countDown();
                Latches.awaitAtMost(this.proceed, Duration.ofSeconds(10));
            }
            return System.identityHashCode(this);
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public String toString() {
            return "P1";
        }
    }

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    private final RecordingSink<String> sink = RecordingSink.limited();

    private final BufferedConsumer<String> consumer = BufferedConsumer.builder(this.sink)
        .name("late-stop")
        .weigher(Weigher.items())
        .waterMarks(new WaterMarks(2, 0))
        .drainOn(this.tasks::add)
        .build();

    private final RecordingProducerListener listener = new RecordingProducerListener();

    /** Registers P1, races its stop with its own unregistration, and registers {@code next} in between. */
    private void raceLateStopThenRegister(Producer next, boolean streaming) throws Exception {
        this.consumer.addProducerListener(this.listener);
        HashHookProducer p1 = new HashHookProducer();
        this.consumer.registerProducer(p1, false); // REGISTER(reg1) queued, not yet announced

        Thread stopper = new Thread(this.consumer::stopProducer, "stopper");
        stopper.start();
        assertThat(Latches.awaitAtMost(p1.entered, Duration.ofSeconds(10))).isTrue();
        // stopProducer() has marked reg1 STOP and is inside takeOut; the producer unregisters itself meanwhile
        this.consumer.unregisterProducer(); // helps empty the slot, returns
        this.consumer.registerProducer(next, streaming); // must succeed: unregisterProducer() returned
        p1.proceed.countDown();
        stopper.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(stopper.isAlive()).isFalse();
        runAll();
        assertThat(this.consumer.producer()).isSameAs(next);
    }

    @Test
    void listenersHearTheStoppedProducerBeforeTheNextOneAndNeverHearTheRegisteredOneUnregistered() throws Exception {
        RecordingPullProducer p2 = named("P2");
        raceLateStopThenRegister(p2, false);

        List<String> events = this.listener.events().stream().map(Object::toString).toList();
        assertThat(events).as("listener events while P2 is still registered")
            .doesNotContain("unregistered P2")
            .containsSubsequence("stopped P1", "registered P2");
    }

    @Test
    void registeredPullProducerIsAskedForItsFirstChunk() throws Exception {
        RecordingPullProducer p2 = named("P2");
        raceLateStopThenRegister(p2, false);

        assertThat(p2.events()).as("calls to the registered pull producer P2 (FD-3: asked once announced)")
            .containsExactly("resume");
    }

    @Test
    void stoppingTheRegisteredProducerDeliversItsStopAndClearsIsProducerOrStopping() throws Exception {
        RecordingPullProducer p2 = named("P2");
        raceLateStopThenRegister(p2, false);

        this.consumer.stopProducer();
        runAll();
        assertThat(p2.events()).as("calls to P2 after stopProducer() and a quiet loop").contains("stop");
        assertThat(this.consumer.isProducerOrStopping(p2)).as("isProducerOrStopping(P2) after its stop ran").isFalse();
    }

    @Test
    void pushProducerThatGotFalseGetsResumeOrStopEvenAfterAbort() throws Exception {
        StrictPushProducer p2 = new StrictPushProducer();
        raceLateStopThenRegister(p2, true);

        // P2 writes until false, then waits for resume or stop, as the contract tells it
        boolean writable = true;
        for (int i = 0; writable && i < 10; i++) {
            writable = this.consumer.write("x" + i);
        }
        assertThat(writable).as("the buffer filled").isFalse();
        runAll();
        this.sink.grant(Long.MAX_VALUE);
        this.consumer.drain();
        runAll();
        this.consumer.abortConnection();
        runAll();
        assertThat(this.consumer.whenClosed()).isDone();
        assertThat(p2.events()).as("calls to push producer P2 after write answered false, a drain and an abort")
            .containsAnyOf("resume", "stop");
    }

    private static RecordingPullProducer named(String name) {
        return new RecordingPullProducer() {
            @Override
            public String toString() {
                return name;
            }
        };
    }

    private void runAll() {
        for (Runnable task; (task = this.tasks.poll()) != null;) {
            task.run();
        }
    }
}
