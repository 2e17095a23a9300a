package dev.sluice.torture;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.internal.OwnerLoop;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of {@link OwnerLoop} on its own (DESIGN §4.2): threads record an effect (a counter) and
 * signal the loop, or take the idle loop as a write does ({@link OwnerLoop#tryOwnIdle()}, then
 * {@link OwnerLoop#runOwned()}); each round reads the counter. Checked: rounds never overlap and never nest, a round
 * runs only on the thread that owns the loop and no caller owns it after its call; and no signal is lost — once the
 * threads are quiet (and the executor has run what it was given), the last round saw every effect recorded before a
 * signal, the loop is idle and waits for no executor.
 *
 * <p>The rounds are awkward on purpose: one in five throws (the loop reports it and goes on), and one signals the loop
 * from inside itself, as a callback that writes does (the owner goes round again, without recursing).
 *
 * <p>Two variants: the inline loop ({@link #inline()}), and a loop handed to an executor ({@link #onExecutor()}) that
 * Lincheck can see: a queue of one task, run by the {@link #runTask()} operation (the executor's thread); a full
 * queue runs the task on the caller ({@code CallerRunsPolicy}); one {@code execute} in four throws without running the
 * task, and another runs it on the caller and throws afterwards.
 *
 * <p>Iterations: system property {@code sluice.lincheck.iterations} (10 in {@code verify}, 300 under
 * {@code -Ptorture}), a quarter for each variant.
 */
public final class OwnerLoopLincheckTest {

    /** The variant the next instances are made for; set by each test before Lincheck makes them. */
    private static volatile boolean handedOver;

    private final Tracker tracker = new Tracker();

    /** The effect each signal stands for: what a round must see. */
    private final AtomicInteger requested = new AtomicInteger();

    private final Queue<Runnable> tasks = new ArrayDeque<>();

    private final OwnerLoop loop;

    public OwnerLoopLincheckTest() {
        this.loop = new OwnerLoop("lincheck-loop", handedOver ? this::execute : null, new Rounds(this.tracker,
                this.requested));
        this.tracker.loop = this.loop;
    }

    /** A thread with something for the loop records it and signals. */
    @Operation
    public void signal() {
        this.requested.incrementAndGet();
        this.loop.signal();
        this.tracker.notOwnedAfterCall("signal");
    }

    /** A write: takes the idle loop and does its first step itself, or records and signals as above. */
    @Operation
    public void ownIdle() {
        if (this.loop.tryOwnIdle()) {
            this.requested.incrementAndGet();
            this.loop.runOwned();
        }
        else {
            this.requested.incrementAndGet();
            this.loop.signal();
        }
        this.tracker.notOwnedAfterCall("ownIdle");
    }

    /** The executor's thread runs the task it was given, if any. */
    @Operation
    public void runTask() {
        Runnable task = this.tracker.nextTask(this.tasks);
        if (task != null) {
            task.run();
            this.tracker.notOwnedAfterCall("runTask");
        }
    }

    private void execute(Runnable task) {
        switch (this.tracker.nextExecution()) {
            case 0 -> throw new RejectedExecutionException("saturated");
            case 2 -> {
                task.run();
                throw new IllegalStateException("threw after running the task");
            }
            default -> {
                if (!this.tracker.offerTask(this.tasks, task)) {
                    task.run(); // CallerRunsPolicy
                }
            }
        }
    }

    @Validate
    public void noSignalLost() {
        for (Runnable task; (task = this.tracker.nextTask(this.tasks)) != null;) {
            task.run(); // the executor gets round to it
        }
        this.tracker.failOnViolations();
        int effects = this.requested.get();
        if (this.tracker.lastSeen() != effects) {
            throw new AssertionError("lost signal: " + effects + " effects recorded and signalled, the last round saw "
                    + this.tracker.lastSeen() + " (" + this.tracker + ")");
        }
        if (this.loop.isBusy() || this.loop.queuedSinceNanos() != 0) {
            throw new AssertionError("the loop is " + (this.loop.isBusy() ? "busy" : "idle") + " and waits for its "
                    + "executor since " + this.loop.queuedSinceNanos() + " with the threads quiet (" + this.tracker
                    + ")");
        }
    }

    @Test
    void inline() {
        handedOver = false;
        options().check(getClass());
    }

    @Test
    void onExecutor() {
        handedOver = true;
        options().check(getClass());
    }

    private static ModelCheckingOptions options() {
        return new ModelCheckingOptions()
            .iterations(Math.max(1, Integer.getInteger("sluice.lincheck.iterations", 10) / 4))
            .invocationsPerIteration(250)
            .threads(3)
            .actorsPerThread(2)
            .actorsBefore(0)
            .actorsAfter(0)
            .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(Tracker.class.getCanonicalName(),
                    "dev.sluice.internal.Log").allMethods().ignore());
    }

    /** The loop's work: one round reads the effects; some throw, one signals from inside. */
    private record Rounds(Tracker tracker, AtomicInteger requested) implements OwnerLoop.Rounds {

        @Override
        public void round() {
            this.tracker.roundBegins();
            try {
                this.tracker.saw(this.requested.get());
                if (this.tracker.signalFromInside()) {
                    this.requested.incrementAndGet();
                    this.tracker.loop.signal(); // a callback that writes: counted, no recursion
                }
                if (this.tracker.throwNow()) {
                    throw new IllegalStateException("a round that fails");
                }
            }
            finally {
                this.tracker.roundEnds();
            }
        }

        @Override
        public void roundFailed(Throwable failure) {
            this.tracker.failed(failure);
        }

        @Override
        public void executorFailed(Throwable failure) {
            this.tracker.executorFailed(failure);
        }
    }

    /** The test's bookkeeping and checks, outside the model (Lincheck makes no switch point in it). */
    static final class Tracker {

        @Nullable OwnerLoop loop;

        private final StringBuilder violations = new StringBuilder();

        private @Nullable Thread inRound;

        private int rounds;

        private int lastSeen;

        private int signalledInside;

        private int failures;

        private int executions;

        private int executorFailures;

        synchronized void roundBegins() {
            Thread me = Thread.currentThread();
            if (this.inRound != null) {
                violation((this.inRound == me) ? "a round nested in another" : "two rounds at once, on "
                        + this.inRound.getName() + " and " + me.getName());
            }
            if (!this.loop.isOwnedByCurrentThread()) {
                violation("a round on " + me.getName() + ", which does not own the loop");
            }
            this.inRound = me;
            this.rounds++;
        }

        synchronized void roundEnds() {
            this.inRound = null;
        }

        synchronized void saw(int effects) {
            if (effects < this.lastSeen) {
                violation("a round saw " + effects + " effects after one saw " + this.lastSeen);
            }
            this.lastSeen = effects;
        }

        synchronized boolean signalFromInside() {
            return this.rounds == 2 && this.signalledInside++ == 0;
        }

        synchronized boolean throwNow() {
            return this.rounds % 5 == 1;
        }

        synchronized void failed(Throwable failure) {
            this.failures++;
        }

        synchronized void executorFailed(Throwable failure) {
            this.executorFailures++;
        }

        /** 0: throw without running; 2: run on the caller and throw; else queue, or run on the caller when full. */
        synchronized int nextExecution() {
            return this.executions++ % 4;
        }

        synchronized boolean offerTask(Queue<Runnable> tasks, Runnable task) {
            return tasks.isEmpty() && tasks.add(task);
        }

        synchronized @Nullable Runnable nextTask(Queue<Runnable> tasks) {
            return tasks.poll();
        }

        synchronized void notOwnedAfterCall(String call) {
            if (this.loop.isOwnedByCurrentThread()) {
                violation(Thread.currentThread().getName() + " still owns the loop after " + call + " returned");
            }
        }

        synchronized int lastSeen() {
            return this.lastSeen;
        }

        synchronized void failOnViolations() {
            if (this.violations.length() > 0) {
                throw new AssertionError("owner loop (DESIGN §4.2): " + this.violations);
            }
        }

        private void violation(String what) {
            this.violations.append(what).append("; ");
        }

        @Override
        public synchronized String toString() {
            return this.rounds + " rounds, " + this.failures + " failed, " + this.executions + " hand-overs, "
                    + this.executorFailures + " refused";
        }
    }
}
