package dev.sluice.torture;

import java.util.List;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of the v3 promise with keyed operator holds (issue 18 item 6): the operations and checks
 * of {@link PromiseScenario}, plus {@code hold(key)} and {@code release(key)} with two keys, and an operator's
 * {@code stopProducer(expected)} of the newest producer (what the registry calls for a producer it has seen attached).
 * {@link #finish()} releases both keys before the last checks. Besides the random scenarios, two fixed ones are
 * explored in every run: a registration racing the new producer's write (issue 18 defect 1) and a keyed hold racing
 * its release and the other key's hold (defect 6).
 */
@Param(name = "key", gen = IntGen.class, conf = "0:1")
public final class PromiseLincheckTest extends PromiseScenario {

    public PromiseLincheckTest() {
        registerNew(true);
    }

    @Operation
    public void hold(@Param(name = "key") int key) {
        keyCall(key, true);
    }

    @Operation
    public void release(@Param(name = "key") int key) {
        keyCall(key, false);
    }

    /** A hold or release of {@code key}, its call's start and end noted for the keyed-hold rule. */
    private void keyCall(int key, boolean hold) {
        this.referee.begin();
        Referee.KeyCall call = this.referee.keyCallBegins(key, hold);
        if (hold) {
            this.consumer.hold(KEYS[key]);
        }
        else {
            this.consumer.release(KEYS[key]);
        }
        this.referee.keyCallEnds(call);
    }

    /** An operator stops the newest producer, if it is the registered one: this may race its registration. */
    @Operation
    public void stop() {
        this.referee.begin();
        this.consumer.stopProducer(this.newest);
    }

    @Override
    void finish() {
        release(0);
        release(1);
        super.finish();
    }

    @Test
    void modelCheck() {
        options(iterations(1), 100, List.of(
                // defect 1: a registration racing the new producer's write, while another thread drains
                scenario(List.of(op("unregister")), List.of(List.of(op("registerPush")),
                        List.of(op("write", 2), op("write", 2)), List.of(op("drain"), op("drain")))),
                // defect 6: a keyed hold racing its release and the other key's hold, while the buffer drains
                scenario(List.of(op("write", 0), op("write", 0), op("hold", 0)),
                        List.of(List.of(op("release", 0)), List.of(op("hold", 1), op("release", 1)),
                                List.of(op("hold", 0), op("drain"))))))
            .check(getClass());
    }

    private static Actor op(String operation, Object... arguments) {
        return actor(PromiseLincheckTest.class, operation, arguments);
    }
}
