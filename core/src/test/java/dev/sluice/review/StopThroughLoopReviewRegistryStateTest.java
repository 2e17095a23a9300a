package dev.sluice.review;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.registry.ProducerStoppedException;
import dev.sluice.review.StopThroughLoopReviewProducer.Tasks;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the registry says after an operator's {@code stop(name)} of a producer that has just unregistered itself:
 * inside its own {@code resumeProducing} (the STOP_LEFT path, {@code ConsumerSupport.stopThroughLoop}) or just before
 * the stop, with the loop not yet caught up ({@code stopDirectly}). The producer does get its one
 * {@code stopProducing} in each case; the registry's snapshot and error count do not agree with it.
 */
class StopThroughLoopReviewRegistryStateTest {

    /** Where the consumer's loop runs: every kind of executor. */
    enum Drain {
        INLINE, CALLER_RUNS, SINGLE_THREAD, MANUAL
    }

    /**
     * STOP_LEFT: the stop returns STOPPED and the producer is stopped, but the loop's {@code unregistered} event,
     * applied after the callback (before STOP_LEFT), ends the entry again as FINISHED ({@code ProducerEntry.ended}
     * folds whatever fate it is given). For every kind of drain executor.
     */
    @ParameterizedTest
    @EnumSource(Drain.class)
    void producerStoppedThroughTheLoopEndsFinished(Drain drain) throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        Tasks tasks = new Tasks();
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            BufferedConsumer.Builder<String> builder = BufferedConsumer.<String>builder(item -> true).name("c");
            switch (drain) {
                case INLINE -> {
                }
                case CALLER_RUNS -> builder.drainOn(Runnable::run);
                case SINGLE_THREAD -> builder.drainOn(single);
                case MANUAL -> builder.drainOn(tasks::add);
            }
            BufferedConsumer<String> consumer = builder.build();
            registry.registerConsumer("c", consumer);
            CountDownLatch inCallback = new CountDownLatch(1);
            CountDownLatch stopReturned = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            StopThroughLoopReviewProducer producer = new StopThroughLoopReviewProducer(call -> {
                if (call == 1) {
                    consumer.unregisterProducer(); // its own unregistration, inside its resumeProducing
                    inCallback.countDown();
                    StopThroughLoopReviewProducer.await(stopReturned);
                }
            }) {
                @Override
                public void stopProducing() {
                    super.stopProducing();
                    stopped.countDown();
                }
            };
            registry.registerProducer("p", producer);
            Thread loop = new Thread(() -> {
                consumer.registerProducer(producer, false); // the loop runs here (inline, caller runs)
                tasks.runAll(); // or here (manual)
            }, "loop");
            loop.start();
            StopThroughLoopReviewProducer.await(inCallback);
            ProducerSnapshot afterStop = registry.stop("p").orElseThrow();
            stopReturned.countDown();
            StopThroughLoopReviewProducer.await(stopped);
            loop.join(10_000);
            tasks.runAll();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> consumer.loopQueuedSinceNanos() == 0 && tasks.queue.isEmpty());

            assertThat(afterStop.state()).as("state returned by stop").isEqualTo(ProducerState.STOPPED);
            assertThat(producer.events()).as("callbacks").containsExactly("resume", "stop");
            assertThat(registry.producer("p").orElseThrow().state())
                .as("registry state once quiet, after stopProducing").isEqualTo(ProducerState.STOPPED);
        }
        finally {
            single.shutdownNow();
        }
    }

    /** Same as above, seen through the operator's next order: a pause of a stopped producer must be refused. */
    @RepeatedTest(10)
    void operatorPauseAfterStopThroughTheLoopIsAccepted() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        Tasks tasks = new Tasks();
        BufferedConsumer<String> consumer = consumer(tasks);
        registry.registerConsumer("c", consumer);
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch stopReturned = new CountDownLatch(1);
        StopThroughLoopReviewProducer producer = new StopThroughLoopReviewProducer(call -> {
            if (call == 1) {
                consumer.unregisterProducer();
                inCallback.countDown();
                StopThroughLoopReviewProducer.await(stopReturned);
            }
        });
        registry.registerProducer("p", producer);
        consumer.registerProducer(producer, false);
        Thread loop = new Thread(tasks::runAll, "loop");
        loop.start();
        StopThroughLoopReviewProducer.await(inCallback);
        registry.stop("p");
        stopReturned.countDown();
        loop.join(10_000);
        tasks.runAll();

        assertThat(producer.events()).containsExactly("resume", "stop");
        assertThatThrownBy(() -> registry.pause("p")).as("operator pause of a producer the operator stopped")
            .isInstanceOf(ProducerStoppedException.class);
    }

    /**
     * stopDirectly: the producer unregistered itself (its consumer's loop, on a manual executor, has not applied it
     * yet), so no followed consumer claims it and the registry calls {@code stopProducing} itself; then
     * {@code entry.stopped(null)} is ignored because the entry is still attached to the consumer
     * ({@code ProducerEntry.ended}: {@code current.consumer != null}), and the snapshot {@code stop} returns says
     * PRODUCING. Once the loop catches up it says FINISHED.
     */
    @RepeatedTest(10)
    void directStopReturnsProducingThenFinished() {
        ProducerRegistry registry = new ProducerRegistry();
        Tasks tasks = new Tasks();
        BufferedConsumer<String> consumer = consumer(tasks);
        registry.registerConsumer("c", consumer);
        StopThroughLoopReviewProducer producer = new StopThroughLoopReviewProducer(call -> {
        });
        registry.registerProducer("p", producer);
        consumer.registerProducer(producer, false);
        tasks.runAll(); // announced, asked for its first chunk
        consumer.unregisterProducer(); // the producer's own unregistration; the loop has not run it yet

        ProducerSnapshot afterStop = registry.stop("p").orElseThrow();
        assertThat(producer.events()).as("callbacks").containsExactly("resume", "stop");
        tasks.runAll();
        ProducerSnapshot quiet = registry.producer("p").orElseThrow();

        assertThat(List.of(afterStop.state(), quiet.state())).as("state returned by stop, then once quiet")
            .containsExactly(ProducerState.STOPPED, ProducerState.STOPPED);
    }

    /**
     * STOP_LEFT whose stopProducing throws: reported to producerFailed only; no {@code failed} event, so the
     * registry's error count stays 0 (the direct stop and the loop's ordinary stop both count it), and a
     * {@link ProducerListener} never hears of the callback that threw.
     */
    @RepeatedTest(10)
    void stopThroughTheLoopThatThrowsIsNotCountedNorReported() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        Tasks tasks = new Tasks();
        BufferedConsumer<String> consumer = consumer(tasks);
        registry.registerConsumer("c", consumer);
        List<String> heard = new CopyOnWriteArrayList<>();
        consumer.addProducerListener(new ProducerListener() {
            @Override
            public void failed(Producer producer, Throwable failure) {
                heard.add("failed " + failure.getMessage());
            }
        });
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch stopReturned = new CountDownLatch(1);
        StopThroughLoopReviewProducer producer = new StopThroughLoopReviewProducer(call -> {
            if (call == 1) {
                consumer.unregisterProducer();
                inCallback.countDown();
                StopThroughLoopReviewProducer.await(stopReturned);
            }
        }, new IllegalStateException("stop failed"));
        registry.registerProducer("p", producer);
        consumer.registerProducer(producer, false);
        Thread loop = new Thread(tasks::runAll, "loop");
        loop.start();
        StopThroughLoopReviewProducer.await(inCallback);
        registry.stop("p");
        stopReturned.countDown();
        loop.join(10_000);
        tasks.runAll();

        assertThat(producer.events()).containsExactly("resume", "stop");
        assertThat(List.of(registry.producer("p").orElseThrow().errors(), (long) heard.size()))
            .as("registry error count, listener failed events for the stopProducing that threw")
            .containsExactly(1L, 1L);
    }

    /**
     * STOP_LEFT whose stopProducing throws is handled as a failure of the consumer's own producer:
     * {@code BufferedConsumer.producerFailed} loses the connection, which stops the producer now registered there (B,
     * which registered after the stopped one left) and fails the consumer. The same stop a moment later (the loop out
     * of the callback, {@code calling} cleared) goes {@code stopDirectly}: logged and counted, B and the consumer
     * untouched. A producer that left a consumer takes that consumer and its next producer down with it, by timing.
     */
    @RepeatedTest(10)
    void stopThroughTheLoopThatThrowsTakesDownTheConsumerAndTheNextProducer() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        Tasks tasks = new Tasks();
        BufferedConsumer<String> consumer = consumer(tasks);
        registry.registerConsumer("c", consumer);
        StopThroughLoopReviewProducer next = new StopThroughLoopReviewProducer(call -> {
        });
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch stopReturned = new CountDownLatch(1);
        StopThroughLoopReviewProducer producer = new StopThroughLoopReviewProducer(call -> {
            if (call == 1) {
                consumer.unregisterProducer(); // leaves; the next producer takes its place
                consumer.registerProducer(next, false);
                inCallback.countDown();
                StopThroughLoopReviewProducer.await(stopReturned);
            }
        }, new IllegalStateException("stop failed"));
        registry.registerProducer("p", producer);
        consumer.registerProducer(producer, false);
        Thread loop = new Thread(tasks::runAll, "loop");
        loop.start();
        StopThroughLoopReviewProducer.await(inCallback);
        registry.stop("p");
        stopReturned.countDown();
        loop.join(10_000);
        tasks.runAll();

        assertThat(producer.events()).containsExactly("resume", "stop");
        assertThat(List.of(next.events(), consumer.whenClosed().isDone(), consumer.producer() == next))
            .as("next producer's callbacks, consumer closed, next producer still registered")
            .containsExactly(List.of("resume"), false, true);
    }

    private static BufferedConsumer<String> consumer(Tasks tasks) {
        return BufferedConsumer.<String>builder(item -> true).name("c").drainOn(tasks::add).build();
    }
}
