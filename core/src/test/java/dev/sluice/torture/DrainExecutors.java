package dev.sluice.torture;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * The drain executors of the torture, every kind a user may pass to {@code drainOn} (v3, issue 18 item 3), each
 * wrapped so that the checks know when a task runs on the thread that handed it over ({@link Checks#runDrainTask}).
 */
final class DrainExecutors {

    /** Where the consumer's loop runs. */
    enum Kind {
        /** No {@code drainOn}: the calling thread that finds the loop idle. */
        INLINE(true),
        /** {@code drainOn(Runnable::run)}: caller-runs, like Spring's {@code SyncTaskExecutor} (defect 2). */
        RUN_ON_CALLER(true),
        /** A single thread. */
        SINGLE(false),
        /** A pool of three threads. */
        POOL(false),
        /** A one-thread pool with a queue of one and {@code CallerRunsPolicy}: caller-runs when saturated. */
        CALLER_RUNS_POOL(false),
        /** A scheduler: one task in four starts after a random delay of up to 200 µs. */
        LATE(false),
        /** A virtual thread per task, when the JDK has them (21+); a pool otherwise. */
        VIRTUAL(false),
        /** A single thread that throws {@code RejectedExecutionException} at one chosen call. */
        REJECTS_ONCE(false),
        /** A single thread that throws a plain {@code Error} at one chosen call. */
        THROWS_ERROR(false);

        /** Whether a writer that hands a task over runs it itself, always. */
        final boolean callerRuns;

        Kind(boolean callerRuns) {
            this.callerRuns = callerRuns;
        }
    }

    private static final @Nullable ExecutorService NO_VIRTUAL_THREADS = null;

    private final List<ExecutorService> owned = new ArrayList<>();

    private final @Nullable Executor executor;

    private final boolean virtual;

    /**
     * Makes the executor of {@code kind} for a round.
     *
     * @param failAtCall the call at which REJECTS_ONCE and THROWS_ERROR fail
     */
    DrainExecutors(Kind kind, Checks checks, ThreadFactory threads, SplittableRandom random, int failAtCall) {
        boolean madeVirtual = false;
        this.executor = switch (kind) {
            case INLINE -> null;
            case RUN_ON_CALLER -> Runnable::run;
            case SINGLE -> wrap(own(Executors.newSingleThreadExecutor(threads)));
            case POOL -> wrap(own(Executors.newFixedThreadPool(3, threads)));
            case CALLER_RUNS_POOL -> wrap(own(new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(1), threads, new ThreadPoolExecutor.CallerRunsPolicy())));
            case LATE -> {
                ScheduledExecutorService scheduler = own(Executors.newSingleThreadScheduledExecutor(threads));
                yield task -> {
                    int delay;
                    synchronized (random) {
                        delay = random.nextInt(4) == 0 ? random.nextInt(200) : 0;
                    }
                    scheduler.schedule(() -> Checks.runDrainTask(task), delay, TimeUnit.MICROSECONDS);
                };
            }
            case VIRTUAL -> {
                ExecutorService virtualThreads = virtualThreadPerTask();
                madeVirtual = virtualThreads != null;
                yield wrap(own(virtualThreads != null ? virtualThreads : Executors.newFixedThreadPool(3, threads)));
            }
            case REJECTS_ONCE, THROWS_ERROR -> {
                Executor single = wrap(own(Executors.newSingleThreadExecutor(threads)));
                AtomicInteger calls = new AtomicInteger();
                yield task -> {
                    if (calls.incrementAndGet() == failAtCall) {
                        checks.executorFailed = true;
                        throw Faults.sneaky(kind == Kind.REJECTS_ONCE
                                ? rejected(checks) : checks.faults.make(Faults.Kind.ERROR, Faults.Site.EXECUTOR));
                    }
                    single.execute(task);
                };
            }
        };
        this.virtual = madeVirtual;
    }

    private static Throwable rejected(Checks checks) {
        Throwable failure = checks.faults.make(Faults.Kind.RUNTIME, Faults.Site.EXECUTOR);
        RejectedExecutionException rejected = new RejectedExecutionException("torture: rejected", failure);
        return rejected;
    }

    private static Executor wrap(ExecutorService executor) {
        return task -> executor.execute(() -> Checks.runDrainTask(task));
    }

    private <E extends ExecutorService> E own(E executor) {
        this.owned.add(executor);
        return executor;
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()} on JDK 21+, by reflection so that this compiles on 17. */
    private static @Nullable ExecutorService virtualThreadPerTask() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        }
        catch (ReflectiveOperationException | RuntimeException notThere) {
            return NO_VIRTUAL_THREADS;
        }
    }

    /** What to pass to {@code drainOn}, or null for the inline drain. */
    @Nullable Executor executor() {
        return this.executor;
    }

    /** Whether VIRTUAL got virtual threads. */
    boolean virtual() {
        return this.virtual;
    }

    /** Shuts the threads down; false if one was still busy after the patience. */
    boolean shutDown(long patienceMillis) throws InterruptedException {
        boolean quiet = true;
        for (ExecutorService executor : this.owned) {
            executor.shutdown();
        }
        for (ExecutorService executor : this.owned) {
            if (!executor.awaitTermination(patienceMillis, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
                quiet = false;
            }
        }
        return quiet;
    }
}
