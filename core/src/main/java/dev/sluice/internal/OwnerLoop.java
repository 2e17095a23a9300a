package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

/**
 * One consumer's owner loop (DESIGN §4.2): a work-in-progress counter, and the thread that moves it from 0 runs the
 * consumer's rounds until it is back to 0 — on the calling thread, or as one task on an executor. Any other thread that
 * has something for the consumer records it and calls {@link #signal()}, which only counts when the loop is owned: the
 * owner goes round again before it lets go, so nothing is lost and nobody waits (Reactor's drain-loop idiom).
 *
 * <p>Exception-safe: a round that throws is reported to the fault handler and the loop goes on until the counter is
 * back to 0; ownership is let go in a {@code finally}. A {@link VirtualMachineError} met during the loop
 * ({@link #keepFatal}) is rethrown by the owner after it has let go. An executor that throws from {@code execute} is
 * reported once and the calling thread runs the loop itself; one that runs the task on the caller behaves like no
 * executor at all.
 *
 * <p>Fields: the counter, the owner (read only by the thread that may be it, so opaque accesses suffice), and the
 * moment the loop was handed to the executor (0 while it is not waiting there), which also makes sure each hand-over
 * runs once.
 */
public final class OwnerLoop {

    private static final Log log = Log.of(OwnerLoop.class);

    private static final VarHandle WORK;

    private static final VarHandle OWNER;

    private static final VarHandle QUEUED_SINCE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WORK = lookup.findVarHandle(OwnerLoop.class, "work", int.class);
            OWNER = lookup.findVarHandle(OwnerLoop.class, "owner", Thread.class);
            QUEUED_SINCE = lookup.findVarHandle(OwnerLoop.class, "queuedSince", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;

    private final @Nullable Executor executor;

    private final Rounds rounds;

    private final Runnable queuedRun = this::runQueued;

    @SuppressWarnings("unused") // through WORK
    private volatile int work;

    @SuppressWarnings("unused") // through OWNER
    private @Nullable Thread owner;

    @SuppressWarnings("unused") // through QUEUED_SINCE
    private volatile long queuedSince;

    /** The first VirtualMachineError met by the current owner; owner-confined. */
    private @Nullable VirtualMachineError fatal;

    /**
     * A loop for the consumer called {@code name}.
     *
     * @param name for log messages
     * @param executor where the loop runs, or {@code null} for the thread that finds it idle
     * @param rounds the consumer's work and its fault handlers; called by the owner only
     */
    public OwnerLoop(String name, @Nullable Executor executor, Rounds rounds) {
        this.name = name;
        this.executor = executor;
        this.rounds = rounds;
    }

    /** What the owner runs. */
    public interface Rounds {

        /** One round of the consumer's work. */
        void round();

        /**
         * A round threw: a defect, or a {@link VirtualMachineError}. The consumer should fail.
         *
         * @param failure what it threw
         */
        void roundFailed(Throwable failure);

        /**
         * The executor threw from {@code execute} and will not run the loop; the calling thread runs it next.
         *
         * @param failure what it threw
         */
        void executorFailed(Throwable failure);
    }

    /**
     * Records one unit of work; if the loop was idle, starts it: runs it here (no executor) or hands it to the
     * executor. Never waits.
     */
    public void signal() {
        if ((int) WORK.getAndAdd(this, 1) == 0) {
            start();
        }
    }

    /**
     * Takes the loop if it is idle, for a write that wants to do its first step itself; the caller then must call
     * {@link #runOwned()}.
     *
     * @return whether the calling thread now owns the loop
     */
    public boolean tryOwnIdle() {
        if (WORK.compareAndSet(this, 0, 1)) {
            OWNER.setOpaque(this, Thread.currentThread());
            return true;
        }
        return false;
    }

    /**
     * Lets go of a loop taken with {@link #tryOwnIdle()} without running a round, if no other thread has signalled
     * meanwhile and no fault is kept; for a caller that knows nothing else is due. Otherwise the caller still owns the
     * loop and must call {@link #runOwned()}.
     *
     * @return whether the loop is free now
     */
    public boolean tryReleaseIdle() {
        if (this.fatal != null) {
            return false;
        }
        OWNER.setOpaque(this, null);
        if (WORK.compareAndSet(this, 1, 0)) {
            return true;
        }
        OWNER.setOpaque(this, Thread.currentThread());
        return false;
    }

    /** Whether the calling thread owns the loop now: it is inside a round (a callback, the sink, a drain step). */
    public boolean isOwnedByCurrentThread() {
        return OWNER.getOpaque(this) == Thread.currentThread();
    }

    /** Since when ({@link System#nanoTime()}) the loop has waited for its executor to run it; 0 if it is not waiting. */
    public long queuedSinceNanos() {
        return this.queuedSince;
    }

    /** Whether the loop is owned or waiting to run (a snapshot, for tests and diagnostics). */
    public boolean isBusy() {
        return this.work != 0;
    }

    /**
     * Keeps {@code failure} to rethrow when the owner lets go, if it is a {@link VirtualMachineError}; owner only.
     *
     * @param failure what user code or a round threw
     */
    public void keepFatal(Throwable failure) {
        if (failure instanceof VirtualMachineError error && this.fatal == null) {
            this.fatal = error;
        }
    }

    private void start() {
        Executor handOver = this.executor;
        if (handOver == null) {
            runOwned();
            return;
        }
        long since = nonZeroNanoTime();
        QUEUED_SINCE.setVolatile(this, since);
        try {
            handOver.execute(this.queuedRun);
        }
        catch (Throwable failure) {
            if (QUEUED_SINCE.compareAndSet(this, since, 0L)) {
                // the task will never run: this thread holds the loop, reports the executor and runs the loop itself
                OWNER.setOpaque(this, Thread.currentThread());
                keepFatal(failure);
                try {
                    this.rounds.executorFailed(failure);
                }
                catch (Throwable secondary) {
                    keepFatal(secondary);
                    log.error("Consumer '{}' failed while handling its executor's failure", this.name, secondary);
                }
                runOwned();
            }
            else {
                // the executor ran the task (on this thread or another) and threw afterwards
                log.error("Executor of consumer '{}' threw after taking its loop", this.name, failure);
                if (failure instanceof VirtualMachineError error) {
                    throw error;
                }
            }
        }
    }

    private void runQueued() {
        long since = this.queuedSince;
        if (since != 0 && QUEUED_SINCE.compareAndSet(this, since, 0L)) {
            runOwned();
        }
    }

    /** Runs rounds until the work count is back to 0; the calling thread must hold the loop. */
    public void runOwned() {
        Thread me = Thread.currentThread();
        VirtualMachineError pending = null;
        int missed = 1;
        boolean letGo = false;
        try {
            for (;;) {
                OWNER.setOpaque(this, me);
                try {
                    this.rounds.round();
                }
                catch (Throwable failure) {
                    keepFatal(failure);
                    roundFailed(failure);
                }
                if (this.fatal != null) {
                    if (pending == null) {
                        pending = this.fatal;
                    }
                    this.fatal = null; // taken before letting go: the next owner keeps its own
                }
                OWNER.setOpaque(this, null);
                missed = (int) WORK.getAndAdd(this, -missed) - missed;
                if (missed == 0) {
                    letGo = true;
                    break;
                }
            }
        }
        finally {
            if (!letGo) {
                // something escaped the guards (it is on its way up): the loop is freed, so that the next signal
                // starts it afresh instead of finding it owned for ever
                OWNER.setOpaque(this, null);
                WORK.setVolatile(this, 0);
            }
        }
        if (pending != null) {
            throw pending;
        }
    }

    private void roundFailed(Throwable failure) {
        try {
            this.rounds.roundFailed(failure);
        }
        catch (Throwable secondary) {
            keepFatal(secondary);
            log.error("Consumer '{}' failed while handling a fault of its loop", this.name, secondary);
        }
    }

    private static long nonZeroNanoTime() {
        long now = System.nanoTime();
        return (now != 0) ? now : 1;
    }
}
