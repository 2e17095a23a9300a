package dev.sluice.regression;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A round applies at most 256 queued operations before its drain step (so that a registration storm cannot keep the
 * loop from sending and closing, {@link RegistrationStormTest}); a hold call has returned once its operation is queued.
 * The loop must not resume a producer while such a hold waits in the queue behind the budget: a returned hold is in
 * force (issue 18 defect 6, the torture's "no resume while a hold is in force").
 *
 * <p>Fails with the budget alone (097a821): the second signal step of the round applies 256 more hold/release pairs,
 * finds no hold applied and an empty buffer, and resumes the producer while hold "x" is still queued.
 */
class HoldBehindOperationsBudgetTest {

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Test
    void aHoldQueuedBehindTheBudgetKeepsTheProducerPaused() {
        RecordingSink<String> sink = RecordingSink.limited();
        BufferedConsumer<String> consumer = BufferedConsumer.<String>builder(sink).name("budget")
            .waterMarks(new WaterMarks(2, 1)).drainOn(this.tasks::add).build();
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        int written = 0;
        while (consumer.write("item " + written++)) {
            // until the buffer asks for a pause
        }
        runTasks();
        assertThat(producer.events()).as("paused by the full buffer").containsExactly("pause");

        for (int i = 0; i < 300; i++) { // more than two rounds' budget of operations
            consumer.hold("churning key");
            consumer.release("churning key");
        }
        consumer.hold("x");
        sink.grant(Long.MAX_VALUE);
        runTasks();
        assertThat(sink.items()).as("the drain ran meanwhile").hasSize(written);
        assertThat(producer.events()).as("no resume while hold 'x' is in force").containsExactly("pause");

        consumer.release("x");
        runTasks();
        assertThat(producer.events()).as("resumed once 'x' is released").containsExactly("pause", "resume");
        assertThat(producer.violations()).isZero();
    }

    private void runTasks() {
        for (Runnable task; (task = this.tasks.poll()) != null;) {
            task.run();
        }
    }
}
