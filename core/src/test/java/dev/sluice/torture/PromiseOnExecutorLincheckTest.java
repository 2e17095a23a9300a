package dev.sluice.torture;

import java.util.List;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of the v3 promise with a drain executor (issue 18 defect 8, DESIGN §4.6): the operations
 * and checks of {@link PromiseScenario} on a consumer whose loop runs on an executor Lincheck can see — the loop's
 * task is queued, and the {@link #runTask()} operation runs it as the executor's thread — plus an operator's
 * {@code stopProducer(expected)}. Checked besides: no callback and no listener event on any other thread, so a writer,
 * a registering thread or an operator gets none. Before the checks look, the executor runs what is still queued.
 * Besides the random scenarios, a registration racing a write is explored in every run, the executor's thread
 * running in between.
 */
public final class PromiseOnExecutorLincheckTest extends PromiseScenario {

    public PromiseOnExecutorLincheckTest() {
        super(true);
        registerNew(true);
        runTasks();
    }

    /** The drain executor's thread runs the loop's task, if one is queued. */
    @Operation
    public void runTask() {
        this.referee.begin();
        runTask(this.referee.nextTask());
    }

    /** An operator stops the newest producer, if it is the registered one. */
    @Operation
    public void stop() {
        this.referee.begin();
        this.consumer.stopProducer(this.newest);
    }

    @Test
    void modelCheck() {
        options(iterations(2), 100, List.of(
                // defects 1 and 8: a registration racing the new producer's write, the executor's thread in between
                scenario(List.of(op("unregister")), List.of(List.of(op("registerPush"), op("runTask")),
                        List.of(op("write", 2), op("write", 2)), List.of(op("runTask"), op("drain"))))))
            .check(getClass());
    }

    private static Actor op(String operation, Object... arguments) {
        return actor(PromiseOnExecutorLincheckTest.class, operation, arguments);
    }
}
