package dev.sluice.torture;

import java.util.Arrays;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of per-writer order with the inline drain (DESIGN §4.4, issue 11 item 1): three threads
 * write two items each into a consumer whose sink takes everything; after every interleaving, each writer's items
 * must have reached the sink in the order written, each once. The interleaving that broke v1 needs a writer
 * descheduled between swinging the queue's tail and linking its node, which a stress run rarely hits and model
 * checking finds.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public class InlineDrainOrderLincheckTest {

    private static final int THREADS = 3;

    private final int[] nextSequence = new int[THREADS + 1];

    private final int[] lastDelivered = new int[THREADS + 1];

    private final StringBuilder disorder = new StringBuilder();

    private long delivered;

    private final BufferedConsumer<Issue11RegressionTest.Item> consumer = BufferedConsumer
        .<Issue11RegressionTest.Item>builder(this::offer)
        .name("lincheck-order")
        .weigher(Weigher.items())
        .build();

    public InlineDrainOrderLincheckTest() {
        Arrays.fill(this.lastDelivered, -1);
    }

    private boolean offer(Issue11RegressionTest.Item item) {
        if (item.sequence() != this.lastDelivered[item.writer()] + 1) {
            this.disorder.append("writer ").append(item.writer()).append(" delivered seq ").append(item.sequence())
                .append(" after ").append(this.lastDelivered[item.writer()]).append("; ");
        }
        this.lastDelivered[item.writer()] = Math.max(this.lastDelivered[item.writer()], item.sequence());
        this.delivered++;
        return true;
    }

    @Operation
    public void write(@Param(name = "thread") int thread) {
        this.consumer.write(new Issue11RegressionTest.Item(thread, this.nextSequence[thread]++));
    }

    @Validate
    public void eachWritersItemsInOrderAndOnce() {
        if (this.disorder.length() > 0) {
            throw new AssertionError("per-writer FIFO (DESIGN §4.4): " + this.disorder);
        }
        long written = Arrays.stream(this.nextSequence).sum();
        if (this.delivered != written || this.consumer.bufferedUnits() != 0) {
            throw new AssertionError("exactly once (DESIGN §4.4): " + written + " written, " + this.delivered
                    + " delivered, " + this.consumer.bufferedUnits() + " still buffered with the threads done");
        }
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions()
            .iterations(Integer.getInteger("sluice.lincheck.iterations", 10) / 2)
            .invocationsPerIteration(1_000)
            .threads(THREADS)
            .actorsPerThread(2)
            .actorsBefore(0)
            .actorsAfter(0)
            .check(getClass());
    }
}
