package dev.sluice.review;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.testing.RecordingProducerListener;
import dev.sluice.testing.RecordingPullProducer;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of 0848c0a (the loop's operations budget): an operation and the one that retires it, split across the
 * 256-operation boundary, let the loop call a producer after its stop (or its consumer's abort) was asked for, which
 * the same operations queued a little earlier never do. Deterministic: the loop runs on a manual executor.
 */
class LoopBudgetReviewStraddleTest {

    private final Deque<Runnable> tasks = new ArrayDeque<>();

    private void runAll() {
        for (Runnable task; (task = this.tasks.poll()) != null;) {
            task.run();
        }
    }

    /** {@code pairs} balanced keyed hold/release pairs: 2 * pairs queued operations, no hold left asked. */
    private static void filler(BufferedConsumer<?> consumer, String prefix, int pairs) {
        for (int i = 0; i < pairs; i++) {
            consumer.hold(prefix + i);
            consumer.release(prefix + i);
        }
    }

    /**
     * ProducerListener javadoc: "one stopped before its announcement gets {@code registered}, then {@code stopped}"; and
     * stopProducer(): "it is unregistered at once". Here the pull producer is stopped before the loop has even run,
     * yet it is asked for a chunk (and writes it into the consumer) before its stop.
     */
    @Test
    void pullProducerStoppedBeforeItsAnnouncementIsAskedForAChunkFirst() {
        RecordingSink<String> sink = RecordingSink.accepting();
        BufferedConsumer<String> consumer = BufferedConsumer.builder(sink).drainOn(this.tasks::add).build();
        RecordingProducerListener listener = new RecordingProducerListener();
        consumer.addProducerListener(listener);
        consumer.holdProducer();
        runAll(); // the loop has applied one anonymous hold

        RecordingPullProducer producer = new RecordingPullProducer(call -> consumer.write("chunk " + call));
        consumer.releaseProducer(); // operation 1
        consumer.registerProducer(producer, false); // operation 2
        filler(consumer, "k", 127); // operations 3..256
        consumer.stopProducer(); // operation 257: asked before the loop has announced the registration
        runAll();

        assertThat(listener.names()).as("listener events of a producer stopped before its announcement")
                .containsExactly("registered", "stopped");
        assertThat(producer.events()).as("callbacks of a producer stopped before the loop ran").containsExactly("stop");
        assertThat(sink.items()).as("data written by a producer stopped before it was ever asked").isEmpty();
    }

    /**
     * The same with an unregistration: a pull producer unregistered before the loop ran is asked for a chunk after
     * unregisterProducer() returned ("Stops consuming from the registered producer"), and writes it.
     */
    @Test
    void pullProducerUnregisteredBeforeItsAnnouncementIsAskedForAChunk() {
        RecordingSink<String> sink = RecordingSink.accepting();
        BufferedConsumer<String> consumer = BufferedConsumer.builder(sink).drainOn(this.tasks::add).build();
        consumer.holdProducer();
        runAll();

        RecordingPullProducer producer = new RecordingPullProducer(call -> consumer.write("chunk " + call));
        consumer.releaseProducer();
        consumer.registerProducer(producer, false);
        filler(consumer, "k", 127);
        consumer.unregisterProducer(); // operation 257
        runAll();

        assertThat(producer.events()).as("callbacks of a producer unregistered before the loop ran").isEmpty();
        assertThat(sink.items()).as("data written by a producer unregistered before it was ever asked").isEmpty();
    }

    /**
     * abortConnection(): "the producer is stopped". A push producer paused for a full buffer is resumed by the
     * consumer after the abort was asked for (and after whenClosed() completed): the discard empties the buffer between
     * two batches, and the next batch's reconcile resumes it before the abort's stop is reached.
     */
    @Test
    void pushProducerIsResumedByAnAbortedConsumer() {
        RecordingSink<String> sink = RecordingSink.limited();
        BufferedConsumer<String> consumer = BufferedConsumer.builder(sink).drainOn(this.tasks::add)
                .waterMarks(new WaterMarks(2, 1)).build();
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        runAll();
        for (int i = 0; i < 5; i++) {
            consumer.write("item " + i);
        }
        runAll();
        assertThat(producer.events()).containsExactly("pause");

        filler(consumer, "k", 256); // 512 balanced operations
        consumer.abortConnection(); // its stop is operation 513
        runAll();

        assertThat(consumer.whenClosed()).isCompletedExceptionally();
        assertThat(producer.events()).as("callbacks of a producer whose consumer was aborted")
                .containsExactly("pause", "stop");
        assertThat(producer.violations()).isZero();
    }

    /** The listener view of the same: the events must not include a resume after the abort. */
    @Test
    void listenerHearsNoResumeAfterAbort() {
        RecordingSink<String> sink = RecordingSink.limited();
        BufferedConsumer<String> consumer = BufferedConsumer.builder(sink).drainOn(this.tasks::add)
                .waterMarks(new WaterMarks(2, 1)).build();
        RecordingProducerListener listener = new RecordingProducerListener();
        consumer.addProducerListener(listener);
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        runAll();
        for (int i = 0; i < 5; i++) {
            consumer.write("item " + i);
        }
        runAll();
        filler(consumer, "k", 256);
        consumer.abortConnection();
        runAll();
        assertThat(listener.names()).isEqualTo(List.of("registered", "paused", "stopped"));
    }

    /**
     * Not the budget: ProducerListener javadoc, "A producer whose registration was unregistered before the loop
     * announced it gets no {@code registered} and no {@code unregistered}". Register then unregister, both before the
     * loop runs: the REGISTER operation is applied first (its phase is still NEW) and announces it anyway.
     */
    @Test
    void registrationUnregisteredBeforeItsAnnouncementIsStillAnnounced() {
        BufferedConsumer<String> consumer = BufferedConsumer.builder(RecordingSink.<String>accepting())
                .drainOn(this.tasks::add).build();
        RecordingProducerListener listener = new RecordingProducerListener();
        consumer.addProducerListener(listener);
        consumer.registerProducer(new StrictPushProducer(), true);
        consumer.unregisterProducer();
        runAll();
        assertThat(listener.names()).as("events of a registration unregistered before the loop ran").isEmpty();
    }
}
