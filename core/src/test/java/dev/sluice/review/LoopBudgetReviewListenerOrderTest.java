package dev.sluice.review;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.PushProducer;
import dev.sluice.testing.RecordingSink;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ProducerListener javadoc: "for one consumer, events ... arrive in the order the state changed". A consumer holds one
 * producer at a time, and a registration can only claim the slot after the previous one has left it, so a listener
 * must hear the previous producer's {@code unregistered} (or {@code stopped}) before the next one's
 * {@code registered}. unregisterProducer() empties the slot and only then queues its operation; a registration that
 * claims the slot in between queues its REGISTER first.
 */
class LoopBudgetReviewListenerOrderTest {

    private static final class Quiet implements PushProducer {
        private final int id;
        Quiet(int id) { this.id = id; }
        @Override public void pauseProducing() { }
        @Override public void resumeProducing() { }
        @Override public void stopProducing() { }
        @Override public String toString() { return "P" + this.id; }
    }

    @Test
    void nextRegistrationIsNeverAnnouncedBeforeThePreviousOneLeft() throws Exception {
        BufferedConsumer<String> consumer = BufferedConsumer.builder(RecordingSink.<String>accepting()).build();
        AtomicReference<Producer> announced = new AtomicReference<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        consumer.addProducerListener(new ProducerListener() {
            @Override
            public void registered(Producer producer, boolean streaming) {
                Producer before = announced.getAndSet(producer);
                if (before != null && violations.size() < 5) {
                    violations.add("registered(" + producer + ") while " + before + " had not left");
                }
            }

            @Override
            public void unregistered(Producer producer) {
                left(producer, "unregistered");
            }

            @Override
            public void stopped(Producer producer) {
                left(producer, "stopped");
            }

            private void left(Producer producer, String event) {
                if (!announced.compareAndSet(producer, null) && violations.size() < 5) {
                    violations.add(event + "(" + producer + ") after " + announced.get() + " was registered");
                }
            }
        });
        AtomicBoolean done = new AtomicBoolean();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Thread registrar = new Thread(() -> {
            int id = 0;
            while (!done.get()) {
                try {
                    consumer.registerProducer(new Quiet(++id), true);
                }
                catch (IllegalStateException taken) {
                    Thread.onSpinWait();
                }
            }
        }, "registrar");
        Thread unregistrar = new Thread(() -> {
            while (!done.get()) {
                consumer.unregisterProducer();
            }
        }, "unregistrar");
        registrar.start();
        unregistrar.start();
        // the two threads race for the whole window, or until the first violation: waited for, not spun on
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(11))
            .until(() -> !violations.isEmpty() || System.nanoTime() >= deadline);
        done.set(true);
        registrar.join();
        unregistrar.join();
        assertThat(violations).as("listener events out of the order of the state changes").isEmpty();
    }
}
