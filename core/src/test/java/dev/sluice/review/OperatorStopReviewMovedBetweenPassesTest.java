package dev.sluice.review;

import java.util.concurrent.CountDownLatch;

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
 * <p>The review held the window open with the producer's {@code hashCode}, which the first pass called in
 * {@code stopsOnTheirWay.contains}; that set now compares identities (the review's equal-producers defect), so the
 * window is held here where it matters, after the registry decided: inside C1's callback the producer unregisters
 * from C1, waits until the operator's stop has returned (the stop is queued to C1's loop as STOP_LEFT), then
 * registers with C2. The fix: the STOP_LEFT, once the callback has returned, stops the producer through the consumer
 * it is registered with by then. Consumers drain on manual executors; C1's loop runs on its own thread.
 */
class OperatorStopReviewMovedBetweenPassesTest {

    private record Outcome(OperatorStopReviewProducer producer, BufferedConsumer<String> c2, ProducerRegistry registry,
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
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p");
        registry.registerProducer("p", producer);

        CountDownLatch left = new CountDownLatch(1);
        CountDownLatch stopReturned = new CountDownLatch(1);
        producer.onResume = call -> {
            if (call == 1) { // inside C1's first resumeProducing, on C1's loop thread
                c1.unregisterProducer();
                left.countDown();
                OperatorStopReviewProducer.await(stopReturned); // the registry decides while it is registered nowhere
                c2.registerProducer(producer, false);
            }
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
