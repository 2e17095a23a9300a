package dev.sluice.regression;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A thread that registers and unregisters producers faster than slow listeners let the loop announce them must not
 * keep the loop from its drain step: an abort during such a storm still discards and completes {@code whenClosed()}
 * (found by the torture on 9cb3098: a writer running the loop with a caller-runs executor announced registrations for
 * ever, and the aborted consumer never closed).
 */
class RegistrationStormTest {

    @Test
    void anAbortDuringARegistrationStormStillCloses() throws Exception {
        ExecutorService loopThread = Executors.newSingleThreadExecutor();
        BufferedConsumer<String> consumer = BufferedConsumer.<String>builder(RecordingSink.accepting()).name("storm")
            .drainOn(loopThread).build();
        AtomicLong events = new AtomicLong();
        consumer.addProducerListener(new ProducerListener() {
            @Override
            public void registered(Producer producer, boolean streaming) {
                slowly();
            }

            @Override
            public void unregistered(Producer producer) {
                slowly();
            }

            @Override
            public void stopped(Producer producer) {
                slowly();
            }

            private void slowly() {
                events.incrementAndGet();
                LockSupport.parkNanos(100_000); // a listener that does I/O
            }
        });
        AtomicBoolean storming = new AtomicBoolean(true);
        Thread storm = new Thread(() -> {
            while (storming.get()) {
                try {
                    consumer.registerProducer(new StrictPushProducer(), true);
                    consumer.unregisterProducer();
                }
                catch (IllegalStateException ex) {
                    // stopped or not yet unregistered: the storm goes on
                }
            }
        }, "storm");
        storm.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> events.get() > 100);
            consumer.abortConnection();
            assertThat(consumer.whenClosed()).as("closed while the storm goes on")
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CancellationException.class);
            assertThat(storm.isAlive()).as("the storm was still going when the consumer closed").isTrue();
        }
        finally {
            storming.set(false);
            storm.join(TimeUnit.SECONDS.toMillis(10));
            loopThread.shutdownNow();
        }
    }
}
