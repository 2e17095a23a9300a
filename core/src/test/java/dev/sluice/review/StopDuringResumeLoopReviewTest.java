package dev.sluice.review;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.PushProducer;
import dev.sluice.WaterMarks;
import dev.sluice.registry.ProducerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FD-12 (DESIGN §4.6): "a push producer writing from inside its own resumeProducing gets the pauseProducing its write
 * made due before that write returns, so that a producer that writes until paused returns"; §4.5: a producer that
 * honours only the callback overshoots by what it writes until the loop delivers the pause. Here an operator stops
 * the producer (or the consumer unregisters it) from another thread while the producer is inside resumeProducing: the
 * stop is queued behind the callback, the producer's writes get no nested pause any more, and the producer writes
 * without bound (it only stops here because the test caps it).
 */
class StopDuringResumeLoopReviewTest {

    private static final int CAP = 100_000;

    /** Twisted's classic push producer: resumeProducing writes until pauseProducing (or stopProducing) arrives. */
    static final class WritesUntilPaused implements PushProducer {

        final BufferedConsumer<Integer> consumer;

        final CountDownLatch inResume = new CountDownLatch(1);

        final CountDownLatch goOn = new CountDownLatch(1);

        volatile boolean paused;

        volatile boolean stopped;

        final AtomicInteger writesInResume = new AtomicInteger();

        int resumes;

        WritesUntilPaused(BufferedConsumer<Integer> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void pauseProducing() {
            this.paused = true;
        }

        @Override
        public void resumeProducing() {
            this.paused = false;
            if (++this.resumes == 1) {
                this.inResume.countDown();
                try {
                    this.goOn.await(10, TimeUnit.SECONDS); // only to fix the interleaving: the operator acts now
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            while (!this.paused && !this.stopped && this.writesInResume.get() < CAP) {
                this.writesInResume.incrementAndGet();
                this.consumer.write(1);
            }
        }

        @Override
        public void stopProducing() {
            this.stopped = true;
        }
    }

    @Test
    @Timeout(30)
    void consumerStopProducerFromAnotherThreadDuringResume() throws Exception {
        check(Operator.STOP);
    }

    @Test
    @Timeout(30)
    void registryStopFromAnotherThreadDuringResume() throws Exception {
        check(Operator.REGISTRY_STOP);
    }

    @Test
    @Timeout(30)
    void unregisterFromAnotherThreadDuringResume() throws Exception {
        check(Operator.UNREGISTER);
    }

    enum Operator {
        STOP, REGISTRY_STOP, UNREGISTER
    }

    private void check(Operator operator) throws Exception {
        // a sink that takes nothing for now (a client that does not read): everything is buffered
        BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> false).name("c")
                .waterMarks(new WaterMarks(16, 8)).build();
        ProducerRegistry registry = new ProducerRegistry();
        registry.registerConsumer("c", consumer);
        WritesUntilPaused producer = new WritesUntilPaused(consumer);
        registry.registerProducer("p", producer);
        consumer.registerProducer(producer, true);
        consumer.holdProducer(); // inline: applied now, the producer is paused
        assertThat(producer.paused).isTrue();

        CompletableFuture<Void> release = CompletableFuture.runAsync(consumer::releaseProducer); // resumes it there
        assertThat(producer.inResume.await(10, TimeUnit.SECONDS)).isTrue();
        switch (operator) {
            case STOP -> consumer.stopProducer();
            case REGISTRY_STOP -> registry.stop("p");
            case UNREGISTER -> consumer.unregisterProducer();
        }
        producer.goOn.countDown();
        release.get(20, TimeUnit.SECONDS);

        assertThat(producer.writesInResume.get())
                .as("writes the producer made inside resumeProducing before it was paused (high-water mark 16)")
                .isLessThanOrEqualTo(17);
    }
}
