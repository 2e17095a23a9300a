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
 * Review of 7799991: {@code stopLeft} counts its own stop delivered ({@code delivered(key)}) BEFORE it hands the stop
 * on or calls {@code stopProducing} itself, where the old code (and {@code leave}, "after the call: until it returns,
 * only this loop may stop it") keeps the count until the call has returned. So while C1's loop is inside the
 * {@code stopProducing} of an operator's stop that waited for a callback, C1 says it does not own the producer
 * ({@code isProducerOrStopping} false), and a second operator's stop of the same producer object (its registry entry
 * removed and registered again meanwhile) finds no loop that has it and calls {@code stopProducing} directly, beside
 * C1's loop, while the loop's call is still running: two overlapping stops, one of them beside a loop.
 */
class StopCountReviewStopLeftCallTest {

    @Test
    void theLoopDeliveringAWaitingStopStillOwnsTheProducerUntilTheCallReturns() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks1 = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(item -> true).name("c1").drainOn(tasks1).build();
        registry.registerConsumer("c1", c1);

        AtomicInteger inStop = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        CountDownLatch loopInsideStop = new CountDownLatch(1);
        CountDownLatch secondStopDone = new CountDownLatch(1);
        AtomicInteger stopCalls = new AtomicInteger();
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p") {
            @Override
            public void stopProducing() {
                if (inStop.incrementAndGet() > 1) {
                    overlapped.set(true);
                }
                try {
                    super.stopProducing();
                    if (stopCalls.incrementAndGet() == 1) { // the loop's call: wait for the next signal, as a producer does
                        loopInsideStop.countDown();
                        try {
                            secondStopDone.await(2, TimeUnit.SECONDS);
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
                finally {
                    inStop.decrementAndGet();
                }
            }
        };
        registry.registerProducer("p", producer);
        producer.onResume = call -> {
            if (call == 1) { // C1's loop thread, inside C1's resumeProducing
                c1.unregisterProducer();
                registry.stop("p"); // STOP_LEFT queued to C1
            }
        };
        c1.registerProducer(producer, false);
        Thread loop1 = new Thread(tasks1::runAll, "c1-loop");
        loop1.start();
        OperatorStopReviewProducer.await(loopInsideStop);

        boolean ownedDuringCall = c1.isProducerOrStopping(producer);
        // the same producer object, registered again under another name, stopped again by an operator
        registry.remove("p");
        registry.registerProducer("p2", producer);
        registry.stop("p2");
        secondStopDone.countDown();
        loop1.join(10_000);
        assertThat(loop1.isAlive()).isFalse();
        tasks1.runAll();

        assertThat(overlapped).as("a stopProducing beside C1's loop, while its own stopProducing ran (events %s)",
                producer.events()).isFalse();
        assertThat(producer.stops()).as("stopProducing calls").isEqualTo(1);
        assertThat(ownedDuringCall).as("C1's loop is inside stopProducing: only it may call the producer").isTrue();
    }
}
