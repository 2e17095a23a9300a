package dev.sluice.twisted.task;

import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where a {@link Cooperator} runs its ticks: Twisted's {@code scheduler} argument. The cooperator asks for one tick at
 * a time and never asks again before that tick has run or been cancelled, so its ticks never overlap even on a
 * multi-threaded executor.
 *
 * <p>{@link #schedule} must not run the tick inside the call (that would recurse) and must not block; it is called
 * while the cooperator holds its lock.
 */
@FunctionalInterface
public interface TickScheduler {

    /**
     * Arranges for {@code tick} to run once, later, on some thread.
     *
     * @param tick what to run
     * @return a handle that cancels the tick if it has not run yet; a handle that cannot cancel is allowed, since the
     *         cooperator ignores a tick it has cancelled
     */
    Cancellable schedule(Runnable tick);

    /** Cancels a scheduled tick. */
    @FunctionalInterface
    interface Cancellable {

        /** Cancels the tick if it has not started; does nothing otherwise. */
        void cancel();
    }

    /**
     * Runs ticks on {@code executor}. A {@link ScheduledExecutorService} gets cancellable ticks scheduled with no
     * delay; any other executor gets them through {@link Executor#execute}.
     *
     * @param executor the executor; the caller owns it and shuts it down
     * @return a scheduler over it
     */
    static TickScheduler of(Executor executor) {
        if (executor instanceof ScheduledExecutorService scheduled) {
            return tick -> {
                Future<?> future = scheduled.schedule(tick, 0, TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            };
        }
        return tick -> {
            executor.execute(tick);
            return () -> { };
        };
    }
}
