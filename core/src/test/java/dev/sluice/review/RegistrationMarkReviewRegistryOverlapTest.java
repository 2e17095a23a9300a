package dev.sluice.review;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.PullProducer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.testing.Latches;
import dev.sluice.testing.RecordingSink;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review: {@code isProducerOrStopping(p)} turns false the moment p's registration leaves the slot, while the loop may
 * still be inside a callback to p. A pull producer that unregisters itself inside its {@code resumeProducing} (what
 * {@code FileSender} does at its end) and an operator's {@code ProducerRegistry.stop} by name at that moment: the
 * consumer refuses the stop (slot empty), no consumer claims the producer, and the registry calls
 * {@code stopProducing} itself, on the operator's thread, while the consumer's {@code resumeProducing} is still running
 * on the loop — two callbacks to one producer overlapping. Deterministic (latches; the resume is held open only to
 * make the window visible: any resume that does work after unregistering has it).
 */
class RegistrationMarkReviewRegistryOverlapTest {

    @Test
    void registryStopDoesNotOverlapACallbackTheConsumerIsStillMaking() throws Exception {
        ExecutorService loopThread = Executors.newSingleThreadExecutor();
        try {
            BufferedConsumer<String> consumer = BufferedConsumer.builder(RecordingSink.<String>accepting())
                .name("c")
                .drainOn(loopThread)
                .build();
            ProducerRegistry registry = new ProducerRegistry();
            registry.registerConsumer("c", consumer);

            CountDownLatch unregistered = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            AtomicInteger inCallback = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            PullProducer producer = new PullProducer() {
                @Override
                public void resumeProducing() {
                    if (inCallback.getAndIncrement() != 0) {
                        overlaps.incrementAndGet();
                    }
                    try {
                        consumer.write("last chunk");
                        consumer.unregisterProducer(); // at its end, as FileSender
                        unregistered.countDown();
                        Latches.awaitAtMost(finish, Duration.ofSeconds(5)); // closing its file, say
                    }
                    finally {
                        inCallback.decrementAndGet();
                    }
                }

                @Override
                public void stopProducing() {
                    if (inCallback.getAndIncrement() != 0) {
                        overlaps.incrementAndGet();
                    }
                    inCallback.decrementAndGet();
                }
            };
            registry.registerProducer("p", producer);
            consumer.registerProducer(producer, false);

            assertThat(Latches.awaitAtMost(unregistered, Duration.ofSeconds(5))).isTrue();
            registry.stop("p"); // operator, while the consumer's resume is still running
            finish.countDown();
            loopThread.submit(() -> { }).get();

            assertThat(overlaps.get()).as("stopProducing from the registry overlapping the consumer's resumeProducing")
                .isZero();
        }
        finally {
            loopThread.shutdownNow();
        }
    }
}
