package dev.sluice.review;

import java.util.concurrent.CountDownLatch;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of f7a56fd: "once the registry has stopped a producer its entry ends STOPPED, whatever a consumer's loop
 * tells later". {@code ProducerEntry.ending} only covers the loops' {@code unregistered}/{@code stopped};
 * {@code ProducerEntry.attach} (a loop's {@code registered}) ignores {@code stopClaimed}, so a stopped producer whose
 * registration with another consumer is announced later is attached again and reported PRODUCING (and the operator
 * can pause it, and can never stop it again: the stop is claimed).
 *
 * <p>Both scenarios are the ones the commit names: a producer that moves from C1 to C2 inside C1's
 * {@code resumeProducing} (it cannot know of a stop queued behind the callback it is in), and one that leaves C1
 * inside the callback and registers with C1 again. Deterministic: manual executors, C1's loop on its own thread,
 * latches.
 */
class OperatorStopReviewLateAttachTest {

    @Test
    void producerStoppedThroughC1ThatMovedToC2InsideTheCallbackIsReportedProducing() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks1 = new ManualExecutor();
        ManualExecutor tasks2 = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(item -> true).name("c1").drainOn(tasks1).build();
        BufferedConsumer<String> c2 = BufferedConsumer.<String>builder(item -> true).name("c2").drainOn(tasks2).build();
        registry.registerConsumer("c1", c1);
        registry.registerConsumer("c2", c2);
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p");
        registry.registerProducer("p", producer);
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch stopReturned = new CountDownLatch(1);
        producer.onResume = call -> {
            if (call == 1) {
                inCallback.countDown();
                OperatorStopReviewProducer.await(stopReturned);
                c1.unregisterProducer(); // it has not heard of the stop yet: it moves on
                c2.registerProducer(producer, false);
            }
        };
        c1.registerProducer(producer, false);
        Thread loop1 = new Thread(tasks1::runAll, "c1-loop");
        loop1.start();
        OperatorStopReviewProducer.await(inCallback);

        assertThat(registry.stop("p").orElseThrow().state()).isEqualTo(ProducerState.STOPPED); // through C1's loop
        stopReturned.countDown();
        loop1.join(10_000);
        assertThat(loop1.isAlive()).isFalse();
        tasks1.runAll();
        tasks2.runAll();

        assertThat(producer.stops()).isEqualTo(1);
        assertThat(registry.producer("p").orElseThrow().state())
            .as("state of the producer the registry stopped, once every loop is quiet").isEqualTo(ProducerState.STOPPED);
    }

    @Test
    void producerStoppedAfterTheCallbackThatReRegisteredWithTheSameConsumerIsCalledAfterItsStop() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks = new ManualExecutor();
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(item -> true).name("c").drainOn(tasks).build();
        registry.registerConsumer("c", c);
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p");
        registry.registerProducer("p", producer);
        CountDownLatch left = new CountDownLatch(1);
        CountDownLatch stopReturned = new CountDownLatch(1);
        producer.onResume = call -> {
            if (call == 1) {
                c.unregisterProducer(); // leaves inside its own resumeProducing ...
                left.countDown();
                OperatorStopReviewProducer.await(stopReturned); // ... the operator stops it (STOP_LEFT queued) ...
                c.registerProducer(producer, false); // ... and it registers again before hearing of the stop
            }
        };
        c.registerProducer(producer, false);
        Thread loop = new Thread(tasks::runAll, "c-loop");
        loop.start();
        OperatorStopReviewProducer.await(left);

        assertThat(registry.stop("p").orElseThrow().state()).isEqualTo(ProducerState.STOPPED);
        stopReturned.countDown();
        loop.join(10_000);
        assertThat(loop.isAlive()).isFalse();
        tasks.runAll();

        assertThat(producer.stops()).isEqualTo(1);
        assertThat(producer.afterFirstStop()).as("callbacks the loop made after its own stopProducing (all: %s)",
                producer.events()).isEmpty();
        assertThat(registry.producer("p").orElseThrow().state()).as("state once the loop is quiet")
            .isEqualTo(ProducerState.STOPPED);
    }
}
