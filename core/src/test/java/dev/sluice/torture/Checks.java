package dev.sluice.torture;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import dev.sluice.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What the producers, listeners and sinks of one consumer check together while a round runs, and what they share:
 * <ul>
 *   <li>no two callbacks of one consumer overlap, whatever producer they are for (one owner loop, DESIGN §4.2); the
 *       only callback allowed to run inside another on the same thread is the pause that a push producer's write from
 *       inside its own {@code resumeProducing} made due (FD-12);</li>
 *   <li>nesting (§4.6): with a drain executor that runs tasks on other threads, a thread inside {@code write} gets no
 *       callback and no listener event at all, unless the executor has failed (the caller then delivers the stop);
 *       with the inline drain or a caller-runs executor the writer that owns the loop delivers what is due;</li>
 *   <li>no recursion (§4.8): sampled callbacks and listener events measure their thread's stack.</li>
 * </ul>
 * It also holds the round's operation budget, its {@link Holds} and {@link Faults}, and the flag that ends the round.
 */
class Checks {

    /** Frames a callback's stack may have: a loop that recurses per chunk, task or resume passes it within a round. */
    static final int MAX_STACK_DEPTH = 400;

    /** A hold in force this long is applied by any loop that is not stuck. */
    static final long HELD_LONG_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);

    private static final ThreadLocal<int[]> WRITE_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private static final ThreadLocal<int[]> DRAIN_TASK = ThreadLocal.withInitial(() -> new int[1]);

    private static final ThreadLocal<int[]> REGISTRY_CALL = ThreadLocal.withInitial(() -> new int[1]);

    final Violations violations;

    /** "round N (scenario seed S)": how a report names where it happened, so that it can be replayed. */
    final String where;

    final Faults faults;

    final Holds holds = new Holds();

    /** {@link System#nanoTime()} when the round began: histories count from it. */
    final long origin = System.nanoTime();

    /** Whether a writer that owns the loop delivers what is due (inline drain, caller-runs executor). */
    volatile boolean writerDelivers;

    /** Set once the drain executor has thrown: the calling thread then runs the loop to deliver the stop. */
    volatile boolean executorFailed;

    /** Whether a recording listener sees every event of the consumer: then each callback must follow its event. */
    volatile boolean recording;

    /** What the consumer says about its holds ({@code isProducerHeld()}); false when unknown. */
    volatile java.util.function.BooleanSupplier held = () -> false;

    /** Lost wake-ups reported in this round: the round has failed, and its writers would only wait again. */
    final java.util.concurrent.atomic.AtomicInteger lostWakeUps = new java.util.concurrent.atomic.AtomicInteger();

    /** Set when the round's threads are told to stop; waits end. */
    volatile boolean stopping;

    /** Whether violations record histories and measure stacks (off under Lincheck, which needs determinism). */
    final boolean detailed;

    private final AtomicLong budget;

    private final LongAdder writes = new LongAdder();

    private final AtomicReference<@Nullable Thread> inCallback = new AtomicReference<>();

    private volatile @Nullable CheckingProducer current;

    private volatile History.@Nullable Event currentEvent;

    private volatile @Nullable CheckingProducer currentProducer;

    private final AtomicLong samples = new AtomicLong();

    Checks(Violations violations, String where, Faults faults, AtomicLong budget, boolean detailed) {
        this.violations = violations;
        this.where = where;
        this.faults = faults;
        this.budget = budget;
        this.detailed = detailed;
    }

    /** Reports a broken invariant, saying where. */
    void report(String invariant, String detail) {
        this.violations.report(invariant, () -> this.where + ": " + detail);
    }

    /** Reports a broken invariant, building the detail only if the report is kept. */
    void report(String invariant, java.util.function.Supplier<String> detail) {
        this.violations.report(invariant, () -> this.where + ": " + detail.get());
    }

    boolean consumerSaysHeld() {
        return this.held.getAsBoolean();
    }

    // ------------------------------------------------------------------ budget and progress

    /** Takes one operation from the budget; false when it is spent. */
    boolean spend() {
        return this.budget.getAndDecrement() > 0;
    }

    long budgetLeft() {
        return this.budget.get();
    }

    /** Writes made so far: the round's measure of progress. */
    long writes() {
        return this.writes.sum();
    }

    // ------------------------------------------------------------------ thread marks

    /** Writes {@code item}, marking this thread as inside a write for the nesting checks. */
    <T> boolean write(Consumer<T> consumer, T item) {
        int[] depth = WRITE_DEPTH.get();
        depth[0]++;
        this.writes.increment();
        try {
            return consumer.write(item);
        }
        finally {
            depth[0]--;
        }
    }

    static boolean inWrite() {
        return WRITE_DEPTH.get()[0] > 0;
    }

    /** Runs a task the drain executor was given, marking the thread (a caller-runs policy runs it on the caller). */
    static void runDrainTask(Runnable task) {
        int[] depth = DRAIN_TASK.get();
        depth[0]++;
        try {
            task.run();
        }
        finally {
            depth[0]--;
        }
    }

    /** Calls into the registry, marking the thread, so that a stop the registry makes itself can be recognized. */
    static <T> T registryCall(java.util.function.Supplier<T> call) {
        int[] depth = REGISTRY_CALL.get();
        depth[0]++;
        try {
            return call.get();
        }
        finally {
            depth[0]--;
        }
    }

    static boolean inRegistryCall() {
        return REGISTRY_CALL.get()[0] > 0;
    }

    /** Whether a thread inside {@code write} may receive callbacks and listener events now (§4.6). */
    boolean writerMayDeliver() {
        return this.writerDelivers || this.executorFailed || DRAIN_TASK.get()[0] > 0;
    }

    // ------------------------------------------------------------------ callbacks

    /**
     * Enters a callback of the consumer's loop to {@code producer}; returns the thread that was inside a callback
     * before (this one, when nested), for {@link #exit}.
     */
    @Nullable Thread enter(CheckingProducer producer, History.Event callback) {
        Thread me = Thread.currentThread();
        boolean writing = inWrite();
        Thread owner = this.inCallback.get();
        Thread before;
        if (owner == me) {
            before = me;
            // FD-12: a push producer writing from inside its own resumeProducing is paused from inside that write
            if (!(writing && callback == History.Event.PAUSE && this.current == producer)) {
                String outer = currentCallback();
                report("nesting (DESIGN §4.6)", () -> callback + " to " + producer + " nested inside " + outer
                        + " on the same thread" + producer.historyIfDetailed());
            }
        }
        else {
            before = null;
            if (!this.inCallback.compareAndSet(null, me)) {
                String other = currentCallback();
                report("no two callbacks overlap (DESIGN §4.2)", () -> callback + " to " + producer + " while "
                        + other + " runs on " + owner + producer.historyIfDetailed());
            }
        }
        if (writing && before != me && !writerMayDeliver()) {
            report("nesting: nothing on a writer's thread with a drain executor (DESIGN §4.6; issue 18 defect 8)",
                    () -> callback + " to " + producer + " delivered on writing thread " + me.getName()
                            + " inside its write" + producer.historyIfDetailed());
        }
        sampleStack(callback, producer);
        if (before == null) {
            this.current = producer;
        }
        this.currentEvent = callback;
        this.currentProducer = producer;
        return before;
    }

    private String currentCallback() {
        return this.currentEvent + " to " + this.currentProducer;
    }

    void exit(@Nullable Thread outer) {
        if (outer == null) {
            this.current = null;
            this.inCallback.compareAndSet(Thread.currentThread(), null);
        }
    }

    /** A listener event: the nesting rule for writers, and the stack. */
    void listenerEvent(History.Event event, Object producer) {
        if (inWrite() && !writerMayDeliver() && this.inCallback.get() != Thread.currentThread()) {
            String thread = Thread.currentThread().getName();
            report("nesting: nothing on a writer's thread with a drain executor (DESIGN §4.6; issue 18 defect 8)",
                    () -> "listener event " + event + " of " + producer + " delivered on writing thread " + thread
                            + " inside its write");
        }
        sampleStack(event, null);
    }

    private void sampleStack(History.Event what, @Nullable Object producer) {
        if (!this.detailed || (this.samples.incrementAndGet() & 15) != 0) {
            return;
        }
        long depth = StackWalker.getInstance().walk(frames -> frames.limit(MAX_STACK_DEPTH + 1).count());
        if (depth > MAX_STACK_DEPTH) {
            StackTraceElement[] stack = new Throwable().getStackTrace();
            report("no recursion (DESIGN §4.8)", what + " of " + producer + " ran " + stack.length + " frames deep on "
                    + Thread.currentThread().getName() + "; top: " + Arrays.toString(Arrays.copyOf(stack, 12)));
        }
    }
}
