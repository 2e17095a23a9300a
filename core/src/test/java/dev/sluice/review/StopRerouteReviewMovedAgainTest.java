package dev.sluice.review;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of fbc1537: the STOP_LEFT of C1 asks {@code stopWhereRegistered} (every followed consumer's
 * {@code stopProducer(producer)}) once C1's callback has returned, and calls {@code stopProducing} itself when that
 * declines. A producer that moved to C2 inside C1's callback and has left C2 again inside C2's own resumeProducing
 * (still running on C2's loop thread) is registered nowhere, so C1's loop calls {@code stopProducing} while C2's loop
 * is inside a callback to it: two callbacks overlap, and a stop is made beside C2's loop. The registry's own pass
 * covers this case with {@code stopAfterCallback}; the re-route does not. The producer waits (with a timeout) inside
 * C2's resumeProducing for the stop, as a producer waiting for its next signal does.
 */
class StopRerouteReviewMovedAgainTest {

    @Test
    void noStopWhileTheConsumerItMovedToIsInsideACallbackToIt() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks1 = new ManualExecutor();
        ManualExecutor tasks2 = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(item -> true).name("c1").drainOn(tasks1).build();
        BufferedConsumer<String> c2 = BufferedConsumer.<String>builder(item -> true).name("c2").drainOn(tasks2).build();
        registry.registerConsumer("c1", c1);
        registry.registerConsumer("c2", c2);

        AtomicInteger inCallback = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        CountDownLatch stopCalled = new CountDownLatch(1);
        CountDownLatch registeredWithC2 = new CountDownLatch(1);
        CountDownLatch leftC2 = new CountDownLatch(1);
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p") {
            @Override
            public void resumeProducing() {
                inCallback.incrementAndGet();
                try {
                    super.resumeProducing();
                }
                finally {
                    inCallback.decrementAndGet();
                }
            }

            @Override
            public void stopProducing() {
                if (inCallback.get() > 0) {
                    overlapped.set(true);
                }
                super.stopProducing();
                stopCalled.countDown();
            }
        };
        registry.registerProducer("p", producer);
        producer.onResume = call -> {
            if (call == 1) { // C1's loop thread, inside C1's resumeProducing
                c1.unregisterProducer();
                registry.stop("p"); // STOP_LEFT queued to C1
                c2.registerProducer(producer, false);
                registeredWithC2.countDown();
                OperatorStopReviewProducer.await(leftC2); // C2's loop is inside its resumeProducing meanwhile
            }
            else if (call == 2) { // C2's loop thread, inside C2's resumeProducing
                c2.unregisterProducer();
                leftC2.countDown();
                try {
                    stopCalled.await(1, TimeUnit.SECONDS); // a producer waiting for its next signal
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        c1.registerProducer(producer, false);
        Thread loop1 = new Thread(tasks1::runAll, "c1-loop");
        loop1.start();
        OperatorStopReviewProducer.await(registeredWithC2);
        Thread loop2 = new Thread(tasks2::runAll, "c2-loop");
        loop2.start();
        loop1.join(10_000);
        loop2.join(10_000);
        assertThat(loop1.isAlive() || loop2.isAlive()).isFalse();
        tasks1.runAll();
        tasks2.runAll();

        assertThat(overlapped).as("stopProducing called while C2's loop was inside resumeProducing (events %s)",
                producer.events()).isFalse();
        assertThat(producer.stops()).as("stopProducing calls").isEqualTo(1);
    }
}
