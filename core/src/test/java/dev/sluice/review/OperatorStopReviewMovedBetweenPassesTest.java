package dev.sluice.review;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import org.junit.jupiter.api.RepeatedTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of f7a56fd: {@code ProducerRegistry.stopsThroughALoop} asks every followed consumer
 * {@code stopThroughLoop} (registered there?) in one pass and {@code stopAfterCallback} (loop still inside a callback
 * to it?) in a second pass, with nothing tying the two together. A producer that, inside C1's
 * {@code resumeProducing}, unregisters from C1 and registers with C2 after the first pass has looked at C2 and before
 * the second pass is registered with C2 when the registry decides; yet the registry hands the stop to C1 (STOP_LEFT).
 * C1 calls {@code stopProducing} after its callback; C2 keeps the registration, announces it and calls
 * {@code resumeProducing} after the stop; the registry re-attaches the entry to C2 and reports it PRODUCING. This is
 * the defect the commit says it fixed ("a producer that moved from C1 to C2 inside C1's resume was stopped by C1 and
 * kept running on C2"), still open in a narrower window.
 *
 * <p>The window is held open deterministically with the producer's {@code hashCode}, which the first pass calls on the
 * operator's thread in each consumer's {@code stopsOnTheirWay.contains} (ordinary user code; preemption opens the
 * same window without a hook): on its second call there (the last consumer of the first pass has been looked at), the
 * producer, still inside C1's callback on C1's loop thread, moves to C2. Consumers drain on manual executors; C1's
 * loop runs on its own thread.
 */
class OperatorStopReviewMovedBetweenPassesTest {

    /** Lets the test act at the n-th hashCode on the operator's thread. */
    static final class HookedProducer extends OperatorStopReviewProducer {

        final AtomicInteger operatorHashes = new AtomicInteger();

        volatile Runnable atSecondOperatorHash = () -> {
        };

        HookedProducer() {
            super("p");
        }

        @Override
        public int hashCode() {
            if (Thread.currentThread().getName().equals("operator") && this.operatorHashes.incrementAndGet() == 2) {
                this.atSecondOperatorHash.run();
            }
            return System.identityHashCode(this);
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }
    }

    private record Outcome(HookedProducer producer, BufferedConsumer<String> c2, ProducerRegistry registry,
            ProducerSnapshot afterStop) {
    }

    private static Outcome run() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks1 = new ManualExecutor();
        ManualExecutor tasks2 = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(item -> true).name("c1").drainOn(tasks1).build();
        BufferedConsumer<String> c2 = BufferedConsumer.<String>builder(item -> true).name("c2").drainOn(tasks2).build();
        registry.registerConsumer("c1", c1);
        registry.registerConsumer("c2", c2);
        HookedProducer producer = new HookedProducer();
        registry.registerProducer("p", producer);

        CountDownLatch left = new CountDownLatch(1);
        CountDownLatch move = new CountDownLatch(1);
        CountDownLatch moved = new CountDownLatch(1);
        CountDownLatch stopReturned = new CountDownLatch(1);
        producer.onResume = call -> {
            if (call == 1) { // inside C1's first resumeProducing, on C1's loop thread
                c1.unregisterProducer();
                left.countDown();
                OperatorStopReviewProducer.await(move);
                c2.registerProducer(producer, false);
                moved.countDown();
                OperatorStopReviewProducer.await(stopReturned);
            }
        };
        producer.atSecondOperatorHash = () -> {
            move.countDown();
            OperatorStopReviewProducer.await(moved);
        };
        c1.registerProducer(producer, false);
        Thread loop1 = new Thread(tasks1::runAll, "c1-loop");
        loop1.start();
        OperatorStopReviewProducer.await(left);

        ProducerSnapshot[] afterStop = new ProducerSnapshot[1];
        Thread operator = new Thread(() -> afterStop[0] = registry.stop("p").orElseThrow(), "operator");
        operator.start();
        operator.join(10_000);
        assertThat(operator.isAlive()).isFalse();
        assertThat(producer.operatorHashes.get()).as("the window was opened").isGreaterThanOrEqualTo(2);
        stopReturned.countDown();
        loop1.join(10_000);
        assertThat(loop1.isAlive()).isFalse();
        tasks2.runAll();
        tasks1.runAll();
        return new Outcome(producer, c2, registry, afterStop[0]);
    }

    @RepeatedTest(3)
    void noCallbackAfterTheOperatorsStop() throws Exception {
        Outcome o = run();
        assertThat(o.producer.stops()).as("stopProducing calls").isEqualTo(1);
        assertThat(o.producer.afterFirstStop()).as("callbacks after stopProducing (all: %s)", o.producer.events())
            .isEmpty();
    }

    @RepeatedTest(3)
    void stoppedProducerIsNotLeftRegisteredWithTheConsumerItMovedTo() throws Exception {
        Outcome o = run();
        assertThat(o.c2.producer()).as("C2's producer after the operator's stop").isNull();
    }

    @RepeatedTest(3)
    void registryKeepsReportingStopped() throws Exception {
        Outcome o = run();
        assertThat(o.afterStop.state()).isEqualTo(ProducerState.STOPPED);
        assertThat(o.registry.producer("p").orElseThrow().state()).as("state once every loop is quiet")
            .isEqualTo(ProducerState.STOPPED);
    }
}
