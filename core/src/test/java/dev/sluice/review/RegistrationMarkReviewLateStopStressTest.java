package dev.sluice.review;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.testing.RecordingProducerListener;
import dev.sluice.testing.RecordingPullProducer;
import dev.sluice.testing.RecordingSink;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The race of {@link RegistrationMarkReviewLateStopTest} without any hook: an operator's {@code stopProducer()}
 * racing the producer's own {@code unregisterProducer()} and the registration of the next producer (a file server's
 * next file, say). Whenever the next registration's REGISTER is queued before the stop's STOP, the loop retires the
 * next producer — still registered — as unregistered, and never asks it for data.
 */
class RegistrationMarkReviewLateStopStressTest {

    @Test
    void registeredProducerIsNeverToldUnregisteredNorForgotten() throws Exception {
        race(true);
    }

    /** The same without the producer's own unregistration: the registry's stop racing the next registration only. */
    @Test
    void stopRacingTheNextRegistrationAlone() throws Exception {
        race(false);
    }

    private void race(boolean withUnregister) throws Exception {
        CyclicBarrier start = new CyclicBarrier(3);
        CyclicBarrier end = new CyclicBarrier(3);
        AtomicBoolean running = new AtomicBoolean(true);
        Object[] holder = new Object[3];
        AtomicInteger hits = new AtomicInteger();
        String firstHit = null;

        Thread stopper = new Thread(() -> loop(start, end, running, () -> consumerOf(holder).stopProducer()), "stopper");
        Thread unregisterer = new Thread(() -> loop(start, end, running, () -> {
            if (withUnregister) {
                consumerOf(holder).unregisterProducer();
            }
        }),
                "unregisterer");
        stopper.start();
        unregisterer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int iterations = 0;
        try {
            while (System.nanoTime() < deadline && hits.get() == 0) {
                iterations++;
                Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
                BufferedConsumer<String> consumer = BufferedConsumer.builder(RecordingSink.<String>accepting())
                    .drainOn(tasks::add)
                    .build();
                RecordingProducerListener listener = new RecordingProducerListener();
                consumer.addProducerListener(listener);
                RecordingPullProducer p1 = new RecordingPullProducer();
                RecordingPullProducer p2 = new RecordingPullProducer();
                consumer.registerProducer(p1, false);
                holder[0] = consumer;
                start.await();
                for (;;) { // the next producer registers as soon as the slot is free
                    try {
                        consumer.registerProducer(p2, false);
                        break;
                    }
                    catch (IllegalStateException busy) {
                        Thread.onSpinWait();
                    }
                }
                end.await();
                for (Runnable task; (task = tasks.poll()) != null;) {
                    task.run();
                }
                boolean toldUnregistered = listener.events().stream()
                    .anyMatch(e -> e.producer() == p2 && e.name().equals("unregistered"));
                if (consumer.producer() == p2 && (toldUnregistered || !p2.events().contains("resume"))) {
                    hits.incrementAndGet();
                    firstHit = "iteration " + iterations + ": events " + listener.names() + ", P2 calls " + p2.events();
                }
            }
        }
        finally {
            running.set(false);
            start.reset();
            end.reset();
            stopper.join(5000);
            unregisterer.join(5000);
        }
        assertThat(firstHit).as("registered P2 told unregistered / never asked for data, after %d iterations",
                iterations).isNull();
    }

    @SuppressWarnings("unchecked")
    private static BufferedConsumer<String> consumerOf(Object[] holder) {
        return (BufferedConsumer<String>) holder[0];
    }

    private static void loop(CyclicBarrier start, CyclicBarrier end, AtomicBoolean running, Runnable action) {
        try {
            while (running.get()) {
                start.await();
                action.run();
                end.await();
            }
        }
        catch (Exception stop) {
            // barrier reset at the end
        }
    }
}
