package dev.sluice.registry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry's answers against the truth, with the consumer's calls made from several threads at once: no lost
 * state (a producer paused but reported producing, a hold that stays) and no phantom state (a producer reported
 * paused after it left its consumer).
 *
 * <p>These use only the API that v1 had too, so that they can be run against v1's registry (commit 490bb97), which
 * rebuilt each producer's state from listener events: there, {@code registered}/{@code unregistered} arrived on the
 * caller's thread while {@code paused}/{@code resumed} arrived on the thread running the lane, so a pause delivered
 * while another thread unregistered the producer could be applied after the unregistration ({@link
 * #aProducerThatLeftItsConsumerIsNeverReportedPaused}); and operator pause and resume placed and released the hold
 * outside their lock, so a release could run before its hold ({@link #operatorOrdersFromManyThreadsEndInTheLastOrder}).
 */
class RegistryOrderingTest {

    private static final int ROUNDS = 2000;

    private final ExecutorService threads = Executors.newFixedThreadPool(3);

    @AfterEach
    void stopThreads() throws InterruptedException {
        this.threads.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static BufferedConsumer<ByteBuffer> consumer(String name, RecordingSink<ByteBuffer> sink) {
        return BufferedConsumer.builder(sink).name(name).weigher(Weigher.bytes()).waterMarks(new WaterMarks(4, 0))
            .build();
    }

    /**
     * One thread fills the buffer (the pause is delivered on its thread or by whoever runs the lane), another takes
     * the producer away from the consumer, a third pauses and resumes it by name; afterwards the registry must say
     * what happened to it, not what the last event to arrive said.
     */
    @Test
    void aProducerThatLeftItsConsumerIsNeverReportedPaused() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            ProducerRegistry registry = new ProducerRegistry();
            RecordingSink<ByteBuffer> sink = RecordingSink.limited();
            BufferedConsumer<ByteBuffer> consumer = consumer("out", sink);
            StrictPushProducer producer = new StrictPushProducer();
            registry.registerConsumer("out", consumer);
            registry.registerProducer("feed", producer);
            consumer.registerProducer(producer, true);
            boolean stop = (round % 2) == 1;

            runTogether(() -> {
                consumer.write(ByteBuffer.allocate(5));
                sink.grant(3);
                consumer.drain();
            }, () -> {
                if (stop) {
                    consumer.connectionLost(null);
                }
                else {
                    consumer.unregisterProducer();
                }
            }, () -> {
                try {
                    registry.pause("feed");
                    registry.resume("feed");
                }
                catch (IllegalStateException ex) {
                    // the producer was stopped first: an order for it is refused
                    assertThat(ex).hasMessageContaining("has been stopped");
                }
            });

            ProducerSnapshot feed = registry.producer("feed").orElseThrow();
            String where = "round " + round + ", " + feed + ", producer saw " + producer.events();
            assertThat(feed.state()).as(where).isEqualTo(stop ? ProducerState.STOPPED : ProducerState.FINISHED);
            assertThat(feed.consumer()).as(where).isNull();
            assertThat(feed.currentPause()).as(where).isZero();
            assertThat(feed.heldByOperator()).as(where).isFalse();
            assertThat(consumer.isProducerHeld()).as(where).isFalse();
            assertThat(producer.violations()).as(where).isZero();
            assertThat(producer.overlaps()).as(where).isZero();
        }
    }

    /**
     * The producer stays registered while threads fill and drain the buffer and pause and resume it by name; once
     * they are quiet, the registry's state is the producer's own.
     */
    @Test
    void aRegisteredProducersReportedStateIsItsOwnOnceQuiet() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            ProducerRegistry registry = new ProducerRegistry();
            RecordingSink<ByteBuffer> sink = RecordingSink.limited();
            BufferedConsumer<ByteBuffer> consumer = consumer("out", sink);
            StrictPushProducer producer = new StrictPushProducer();
            registry.registerProducer("feed", producer);
            registry.registerConsumer("out", consumer);
            boolean drain = (round % 2) == 1;

            runTogether(() -> consumer.registerProducer(producer, true), () -> {
                consumer.write(ByteBuffer.allocate(5));
                if (drain) {
                    sink.grant(5);
                    consumer.drain();
                }
            }, () -> {
                registry.pause("feed");
                registry.resume("feed");
            });

            ProducerSnapshot feed = registry.producer("feed").orElseThrow();
            String where = "round " + round + ", " + feed + ", producer saw " + producer.events();
            assertThat(feed.state()).as(where)
                .isEqualTo(producer.isPaused() ? ProducerState.PAUSED : ProducerState.PRODUCING);
            assertThat(feed.consumer()).as(where).isEqualTo("out");
            assertThat(producer.isPaused()).as(where).isEqualTo(!drain);
            assertThat(feed.heldByOperator()).as(where).isFalse();
            assertThat(producer.violations()).as(where).isZero();
        }
    }

    /**
     * One thread fills and drains the buffer (a pause and a resume, delivered on its thread or by whoever runs the
     * lane) while another takes the producer away from the consumer and registers it again: the registry must report
     * the new registration as the consumer sees it, whatever order the callbacks of the old one came in.
     */
    @Test
    void aProducerRegisteredAgainIsReportedAsItsConsumerSeesIt() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            ProducerRegistry registry = new ProducerRegistry();
            RecordingSink<ByteBuffer> sink = RecordingSink.limited();
            BufferedConsumer<ByteBuffer> consumer = consumer("out", sink);
            MovingProducer producer = new MovingProducer();
            registry.registerConsumer("out", consumer);
            registry.registerProducer("feed", producer);
            consumer.registerProducer(producer, true);
            boolean drain = (round % 2) == 1;

            runTogether(() -> {
                consumer.write(ByteBuffer.allocate(5));
                if (drain) {
                    sink.grant(5);
                    consumer.drain();
                }
            }, () -> {
                consumer.unregisterProducer();
                consumer.registerProducer(producer, true);
            });

            ProducerSnapshot feed = registry.producer("feed").orElseThrow();
            String where = "round " + round + ", " + feed;
            assertThat(feed.consumer()).as(where).isEqualTo("out");
            assertThat(feed.state()).as(where)
                .isEqualTo(consumer.isProducerPaused() ? ProducerState.PAUSED : ProducerState.PRODUCING);
            assertThat(feed.currentPause().isZero()).as(where).isEqualTo(!consumer.isProducerPaused());
        }
    }

    /**
     * Many threads give random pause and resume orders for one producer while it moves between two consumers, then
     * each gives the same final order: the producer ends in that state, and the registry's flag and the consumers'
     * holds agree with it.
     */
    @Test
    void operatorOrdersFromManyThreadsEndInTheLastOrder() throws Exception {
        ExecutorService many = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 1000; round++) {
                ProducerRegistry registry = new ProducerRegistry();
                BufferedConsumer<ByteBuffer> left = consumer("left", RecordingSink.accepting());
                BufferedConsumer<ByteBuffer> right = consumer("right", RecordingSink.accepting());
                MovingProducer producer = new MovingProducer();
                registry.registerConsumer("left", left);
                registry.registerConsumer("right", right);
                registry.registerProducer("feed", producer);
                left.registerProducer(producer, true);
                boolean finalPause = (round % 2) == 0;
                AtomicBoolean failed = new AtomicBoolean();
                List<Future<?>> running = new ArrayList<>();
                for (int thread = 0; thread < 5; thread++) {
                    running.add(many.submit(() -> {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        for (int order = 0; order < 50; order++) {
                            if (random.nextBoolean()) {
                                registry.pause("feed");
                            }
                            else {
                                registry.resume("feed");
                            }
                        }
                        if (finalPause) {
                            registry.pause("feed");
                        }
                        else {
                            registry.resume("feed");
                        }
                    }));
                }
                running.add(many.submit(() -> {
                    for (int move = 0; move < 10; move++) {
                        BufferedConsumer<ByteBuffer> from = (move % 2 == 0) ? left : right;
                        BufferedConsumer<ByteBuffer> to = (move % 2 == 0) ? right : left;
                        from.unregisterProducer();
                        to.registerProducer(producer, true);
                    }
                }));
                for (Future<?> task : running) {
                    try {
                        task.get(30, TimeUnit.SECONDS);
                    }
                    catch (Exception ex) {
                        failed.set(true);
                        throw ex;
                    }
                }
                // the producer ends on 'left' after an even number of moves
                ProducerSnapshot feed = registry.producer("feed").orElseThrow();
                String where = "round " + round + ", " + feed;
                assertThat(feed.heldByOperator()).as(where).isEqualTo(finalPause);
                assertThat(left.isProducerHeld()).as(where).isEqualTo(finalPause);
                assertThat(right.isProducerHeld()).as(where).isFalse();
                assertThat(left.isProducerPaused()).as(where).isEqualTo(finalPause);
                if (finalPause) {
                    assertThat(producer.isPaused()).as(where).isTrue(); // else right may have paused it last
                }
                assertThat(feed.state()).as(where)
                    .isEqualTo(finalPause ? ProducerState.PAUSED : ProducerState.PRODUCING);
                assertThat(producer.failures).as(where).isZero();
                assertThat(failed).isFalse();
            }
        }
        finally {
            many.shutdownNow();
        }
    }

    /**
     * A push producer that moves between consumers: each consumer takes it as producing when it registers (FD-4), so
     * it accepts any pause or resume and remembers the last one. It counts calls after its stop.
     */
    private static final class MovingProducer implements dev.sluice.PushProducer {

        volatile boolean paused;

        volatile boolean stopped;

        volatile int failures;

        @Override
        public void pauseProducing() {
            check();
            this.paused = true;
        }

        @Override
        public void resumeProducing() {
            check();
            this.paused = false;
        }

        @Override
        public void stopProducing() {
            check();
            this.stopped = true;
        }

        boolean isPaused() {
            return this.paused;
        }

        private void check() {
            if (this.stopped) {
                this.failures++;
            }
        }
    }

    private void runTogether(Runnable... tasks) throws Exception {
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(tasks.length);
        List<Future<?>> running = new ArrayList<>();
        for (Runnable task : tasks) {
            running.add(this.threads.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                task.run();
                return null;
            }));
        }
        for (Future<?> done : running) {
            done.get(30, TimeUnit.SECONDS);
        }
    }
}
