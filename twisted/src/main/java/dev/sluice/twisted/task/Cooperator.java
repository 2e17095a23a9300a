package dev.sluice.twisted.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * Runs many {@link CooperativeTask}s round-robin in time slices: Twisted's {@code Cooperator}.
 *
 * <h2>Ticks</h2>
 * A tick runs one step of the next task, then asks the termination predicate whether the slice is spent, and goes on
 * with the next task until it is (CO-2). The round-robin cursor survives from one tick to the next, so every task gets
 * its turn however short the slices. After a tick the cooperator schedules the next one if tasks remain; removing the
 * last task cancels the scheduled tick (CO-3). The default predicate ends a tick once {@linkplain
 * Builder#timeSlice(Duration) the time slice} (10 ms) has passed on the {@linkplain Builder#clock(LongSupplier)
 * clock}; every tick runs at least one step.
 *
 * <p>When a task finishes or pauses during a pass, the task after it keeps its turn: the cursor is an index that is
 * moved back when a task before it leaves. (Twisted's live-list iterator skips that task for the rest of the pass,
 * CO-16; that is an accident, not a rule.)
 *
 * <h2>Threads</h2>
 * {@link #cooperate}, {@link #start()}, {@link #stop()} and every {@link CooperativeTask} method may be called from
 * any thread. Ticks are serialized: at most one is scheduled or running at any time, so no two steps ever run at once,
 * and a step happens-after the steps before it. Steps and completion callbacks run with no lock held.
 * {@link #create()} gives a cooperator with its own daemon thread, which {@link #close()} ends; a cooperator built on
 * a caller's {@link Executor} or {@link TickScheduler} leaves that to the caller.
 *
 * <h2>Stopping</h2>
 * {@link #stop()} ends every task in the run list with {@link SchedulerStoppedException}; a paused task ends so when it
 * is next resumed, and a task given to a stopped cooperator ends so at once (CO-5). {@link #start()} after a stop
 * makes the cooperator work again (CO-4).
 */
public final class Cooperator implements AutoCloseable {

    /** The default time slice of a tick: 10 ms, Twisted's {@code _Timer.MAX_SLICE}. */
    public static final Duration DEFAULT_TIME_SLICE = Duration.ofMillis(10);

    private static final Log LOG = Log.of(Cooperator.class);

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Object lock = new Object();

    private final TickScheduler scheduler;

    private final Supplier<BooleanSupplier> terminationPredicateFactory;

    private final @Nullable ScheduledExecutorService ownExecutor;

    private final boolean shared;

    private volatile @Nullable Thread ownThread;

    // guarded by lock
    private final List<CooperativeTask<?>> tasks = new ArrayList<>();
    private int cursor;
    private @Nullable Tick pending;
    private boolean ticking;
    private boolean started;
    private boolean stopped;

    private Cooperator(Builder builder, boolean shared) {
        if (builder.scheduler != null) {
            this.scheduler = builder.scheduler;
            this.ownExecutor = null;
        }
        else {
            String name = builder.threadName + "-" + THREADS.incrementAndGet();
            this.ownExecutor = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                this.ownThread = thread;
                return thread;
            });
            this.scheduler = TickScheduler.of(this.ownExecutor);
        }
        if (builder.terminationPredicateFactory != null) {
            this.terminationPredicateFactory = builder.terminationPredicateFactory;
        }
        else {
            LongSupplier clock = builder.clock;
            long slice = builder.timeSlice.toNanos();
            this.terminationPredicateFactory = () -> {
                long start = clock.getAsLong();
                return () -> clock.getAsLong() - start >= slice;
            };
        }
        this.started = builder.started;
        this.shared = shared;
    }

    /**
     * Returns a started cooperator with a 10 ms time slice, running on its own daemon thread until {@link #close()}.
     *
     * @return a new cooperator
     */
    public static Cooperator create() {
        return builder().build();
    }

    /** Returns a builder for a cooperator. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the process-wide cooperator (Twisted's {@code task.cooperate}, CO-15): started, on its own daemon thread,
     * living as long as the JVM. It cannot be stopped or closed.
     *
     * @return the shared cooperator
     */
    public static Cooperator shared() {
        return Shared.INSTANCE;
    }

    /**
     * Adds a task that advances {@code iterator} one step per work unit (see {@link CooperativeTask} for what a step
     * may return). On a stopped cooperator the task fails at once with {@link SchedulerStoppedException}.
     *
     * @param iterator the work
     * @param <I> the iterator type
     * @return the task
     */
    public <I extends Iterator<?>> CooperativeTask<I> cooperate(I iterator) {
        Objects.requireNonNull(iterator, "iterator");
        CooperativeTask<I> task = new CooperativeTask<>(iterator, this, this.lock);
        boolean added;
        synchronized (this.lock) {
            added = addLocked(task);
        }
        if (!added) {
            task.schedulerStopped();
        }
        return task;
    }

    /**
     * Runs {@code iterator} as a task and returns a future of its outcome: {@code cooperate(iterator).whenDone()}
     * (CO-14).
     *
     * @param iterator the work
     * @param <I> the iterator type
     * @return a future that completes with the iterator when it is exhausted, or fails as the task does
     */
    public <I extends Iterator<?>> CompletableFuture<I> coiterate(I iterator) {
        return cooperate(iterator).whenDone();
    }

    /**
     * Runs {@code iterator} as a task and completes {@code done} with its outcome (CO-14).
     *
     * @param iterator the work
     * @param done the future to complete
     * @param <I> the iterator type
     * @return {@code done}
     */
    public <I extends Iterator<?>> CompletableFuture<I> coiterate(I iterator, CompletableFuture<I> done) {
        cooperate(iterator).whenDone().whenComplete((value, ex) -> {
            if (ex != null) {
                done.completeExceptionally(ex);
            }
            else {
                done.complete(value);
            }
        });
        return done;
    }

    /** Starts a cooperator built not started, or restarts a stopped one (CO-4). Does nothing when running. */
    public void start() {
        synchronized (this.lock) {
            this.started = true;
            this.stopped = false;
            scheduleLocked();
        }
    }

    /**
     * Stops the cooperator: every task in the run list fails with {@link SchedulerStoppedException}, and the scheduled
     * tick is cancelled (CO-5). A tick already running finishes its current step.
     *
     * @throws UnsupportedOperationException on the {@linkplain #shared() shared} cooperator
     */
    public void stop() {
        if (this.shared) {
            throw new UnsupportedOperationException("the shared cooperator cannot be stopped");
        }
        List<CooperativeTask<?>> running;
        synchronized (this.lock) {
            this.stopped = true;
            running = new ArrayList<>(this.tasks);
            this.tasks.clear();
            this.cursor = 0;
            cancelLocked();
        }
        for (CooperativeTask<?> task : running) {
            task.schedulerStopped();
        }
    }

    /** Whether the cooperator is started and not stopped (CO-4). */
    public boolean isRunning() {
        synchronized (this.lock) {
            return this.started && !this.stopped;
        }
    }

    /**
     * Stops the cooperator and, if it runs on its own thread, ends that thread, waiting up to five seconds for a
     * running step to return (not waiting when called from a step). Idempotent.
     *
     * @throws UnsupportedOperationException on the {@linkplain #shared() shared} cooperator
     */
    @Override
    public void close() {
        stop();
        ScheduledExecutorService executor = this.ownExecutor;
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (Thread.currentThread() == this.ownThread) {
            return; // closed by one of its own steps: the thread ends when the step returns
        }
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Cooperator thread did not end within 5 seconds: a step is still running");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adds a task to the run list; false if stopped. */
    boolean addLocked(CooperativeTask<?> task) {
        if (this.stopped) {
            return false;
        }
        this.tasks.add(task);
        try {
            scheduleLocked();
        }
        catch (RuntimeException ex) {
            this.tasks.remove(task);
            throw ex;
        }
        return true;
    }

    /** Removes a task from the run list, if there; cancels the scheduled tick when it was the last. */
    void removeLocked(CooperativeTask<?> task) {
        int index = this.tasks.indexOf(task);
        if (index < 0) {
            return;
        }
        this.tasks.remove(index);
        if (index < this.cursor) {
            this.cursor--;
        }
        if (this.tasks.isEmpty()) {
            cancelLocked();
        }
    }

    /** Whether a tick is scheduled and has not started; for tests. */
    boolean hasScheduledTick() {
        synchronized (this.lock) {
            return this.pending != null;
        }
    }

    private void cancelLocked() {
        Tick tick = this.pending;
        if (tick != null) {
            this.pending = null;
            TickScheduler.Cancellable handle = tick.handle;
            if (handle != null) {
                handle.cancel();
            }
        }
    }

    private void scheduleLocked() {
        if (!this.started || this.stopped || this.pending != null || this.ticking || this.tasks.isEmpty()) {
            return;
        }
        Tick tick = new Tick();
        this.pending = tick;
        try {
            tick.handle = this.scheduler.schedule(tick);
        }
        catch (RejectedExecutionException ex) {
            this.pending = null;
            LOG.warn("Cooperator scheduler rejected a tick; {} task(s) wait for the next cooperate or start",
                    this.tasks.size(), ex);
        }
        catch (RuntimeException ex) {
            this.pending = null;
            throw ex;
        }
    }

    private void tick(Tick me) {
        if (Thread.holdsLock(this.lock)) {
            throw new IllegalStateException("the TickScheduler ran a tick inside schedule(): it must run it later "
                    + "(a direct executor such as Runnable::run cannot drive a Cooperator)");
        }
        synchronized (this.lock) {
            if (this.pending != me) {
                return; // cancelled
            }
            this.pending = null;
            this.ticking = true;
        }
        try {
            BooleanSupplier terminator = this.terminationPredicateFactory.get();
            CooperativeTask<?> task;
            while ((task = nextTask()) != null) {
                task.oneWorkUnit();
                if (terminator.getAsBoolean()) {
                    break;
                }
            }
        }
        finally {
            synchronized (this.lock) {
                this.ticking = false;
                scheduleLocked();
            }
        }
    }

    private @Nullable CooperativeTask<?> nextTask() {
        synchronized (this.lock) {
            if (this.stopped || this.tasks.isEmpty()) {
                return null;
            }
            if (this.cursor >= this.tasks.size()) {
                this.cursor = 0;
            }
            return this.tasks.get(this.cursor++);
        }
    }

    @Override
    public String toString() {
        synchronized (this.lock) {
            return "Cooperator[" + this.tasks.size() + " task(s), " + (this.stopped ? "stopped"
                    : this.started ? "running" : "not started") + "]";
        }
    }

    /** A scheduled tick; its identity tells a live tick from a cancelled one. */
    private final class Tick implements Runnable {

        volatile TickScheduler.@Nullable Cancellable handle;

        @Override
        public void run() {
            tick(this);
        }
    }

    private static final class Shared {
        static final Cooperator INSTANCE = new Cooperator(new Builder().threadName("sluice-cooperator-shared"), true);
    }

    /** Builds a {@link Cooperator}. Not thread-safe. */
    public static final class Builder {

        private @Nullable TickScheduler scheduler;
        private @Nullable Supplier<BooleanSupplier> terminationPredicateFactory;
        private Duration timeSlice = DEFAULT_TIME_SLICE;
        private LongSupplier clock = System::nanoTime;
        private boolean started = true;
        private String threadName = "sluice-cooperator";

        private Builder() {
        }

        /**
         * Runs ticks through {@code scheduler} instead of the cooperator's own thread.
         *
         * @param scheduler the scheduler; the caller owns whatever runs it
         * @return this builder
         */
        public Builder scheduler(TickScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Runs ticks on {@code executor} (see {@link TickScheduler#of(Executor)}) instead of the cooperator's own
         * thread. The caller owns the executor: {@link Cooperator#close()} does not shut it down.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            return scheduler(TickScheduler.of(executor));
        }

        /**
         * Sets how long a tick may run steps before it yields (default 10 ms). Ignored when a
         * {@linkplain #terminationPredicate termination predicate} is set.
         *
         * @param timeSlice a positive duration
         * @return this builder
         */
        public Builder timeSlice(Duration timeSlice) {
            if (timeSlice.isNegative() || timeSlice.isZero()) {
                throw new IllegalArgumentException("timeSlice must be positive, was " + timeSlice);
            }
            this.timeSlice = timeSlice;
            return this;
        }

        /**
         * Sets the clock the time slice is measured on, in nanoseconds (default {@link System#nanoTime()}); tests
         * pass a fake one.
         *
         * @param nanoClock the clock
         * @return this builder
         */
        public Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Replaces the time slice by a factory of termination predicates, Twisted's
         * {@code terminationPredicateFactory}: called once per tick, its predicate is asked after each step whether
         * the tick should end.
         *
         * @param factory the factory
         * @return this builder
         */
        public Builder terminationPredicate(Supplier<BooleanSupplier> factory) {
            this.terminationPredicateFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Sets whether the cooperator starts running at once (default true); if not, tasks wait for
         * {@link Cooperator#start()}.
         *
         * @param started whether to start at once
         * @return this builder
         */
        public Builder started(boolean started) {
            this.started = started;
            return this;
        }

        /**
         * Sets the name prefix of the cooperator's own thread (default {@code sluice-cooperator}).
         *
         * @param threadName the prefix
         * @return this builder
         */
        public Builder threadName(String threadName) {
            this.threadName = Objects.requireNonNull(threadName, "threadName");
            return this;
        }

        /** Builds the cooperator. */
        public Cooperator build() {
            return new Cooperator(this, false);
        }
    }
}
