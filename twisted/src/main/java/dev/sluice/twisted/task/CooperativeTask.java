package dev.sluice.twisted.task;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * A task run by a {@link Cooperator}: an iterator advanced one step per work unit. Twisted's
 * {@code CooperativeTask}. Created by {@link Cooperator#cooperate(Iterator)}.
 *
 * <h2>Steps</h2>
 * A work unit calls {@code hasNext()} and, if it is true, {@code next()}:
 * <ul>
 *   <li>{@code hasNext()} false: the task is done; {@link #whenDone()} futures complete with the iterator (CO-6).</li>
 *   <li>a step throws: the task failed; the futures fail with that exception.</li>
 *   <li>a step returns a {@link CompletionStage}: the task pauses until the stage completes, then resumes; if the
 *       stage fails, the task fails with that failure. A stage that completes after the task has finished is ignored
 *       (CO-11).</li>
 *   <li>any other value is ignored.</li>
 * </ul>
 *
 * <h2>Control</h2>
 * {@link #pause()} and {@link #resume()} nest like a stack; {@link #stop()} ends the task with
 * {@link TaskStoppedException}. All three may be called from any thread; they never run a step themselves. The
 * {@link #whenDone()} futures complete on the thread that finished the task (the cooperator's, or the caller of
 * {@link #stop()}), after the task has left its cooperator (CO-13), with no lock held.
 *
 * @param <I> the type of the iterator
 */
public final class CooperativeTask<I extends Iterator<?>> {

    /** How a task finished. */
    private enum Ending { DONE, STOPPED, FAILED, SCHEDULER_STOPPED }

    private final I iterator;
    private final Cooperator cooperator;
    private final Object lock;

    // guarded by lock
    private int pauseCount;
    private @Nullable Ending ending;
    private @Nullable Throwable failure;
    private final List<CompletableFuture<I>> waiters = new ArrayList<>(1);

    CooperativeTask(I iterator, Cooperator cooperator, Object lock) {
        this.iterator = iterator;
        this.cooperator = cooperator;
        this.lock = lock;
    }

    /**
     * Returns a new future that completes when the task finishes: with the iterator when it is exhausted, or
     * exceptionally with the step's failure, {@link TaskStoppedException} or {@link SchedulerStoppedException}. Each
     * call returns a new, independent future; after the task has finished it is already complete (CO-12).
     *
     * @return a new future of the task's outcome
     */
    public CompletableFuture<I> whenDone() {
        CompletableFuture<I> future = new CompletableFuture<>();
        Ending done;
        synchronized (this.lock) {
            done = this.ending;
            if (done == null) {
                this.waiters.add(future);
                return future;
            }
        }
        settle(future, done);
        return future;
    }

    /**
     * Pauses the task: it runs no step until a matching {@link #resume()}. Pauses nest (CO-8).
     *
     * @throws TaskFinishedException if the task has finished ({@link TaskDoneException}, {@link TaskStoppedException}
     *         or {@link TaskFailedException})
     * @throws SchedulerStoppedException if the task finished because its cooperator stopped
     */
    public void pause() {
        synchronized (this.lock) {
            if (this.ending != null) {
                throw finishedException(this.ending);
            }
            pauseLocked();
        }
    }

    private void pauseLocked() {
        this.pauseCount++;
        if (this.pauseCount == 1) {
            this.cooperator.removeLocked(this);
        }
    }

    /**
     * Balances one {@link #pause()}. When the last pause is balanced and the task has not finished, it goes back to
     * its cooperator and runs again from the next tick; no step runs inside this call (CO-9).
     *
     * @throws NotPausedException if the task is not paused, finished or not
     */
    public void resume() {
        synchronized (this.lock) {
            if (this.pauseCount == 0) {
                throw new NotPausedException();
            }
            this.pauseCount--;
            if (this.pauseCount > 0 || this.ending != null || this.cooperator.addLocked(this)) {
                return;
            }
        }
        finish(Ending.SCHEDULER_STOPPED, null);
    }

    /**
     * Stops the task for good: its {@link #whenDone()} futures fail with {@link TaskStoppedException}, synchronously,
     * and it runs no further step (CO-10).
     *
     * @throws TaskFinishedException if the task had already finished
     * @throws SchedulerStoppedException if the task had finished because its cooperator stopped
     */
    public void stop() {
        if (!finish(Ending.STOPPED, null)) {
            synchronized (this.lock) {
                throw finishedException(this.ending);
            }
        }
    }

    /** Returns how many pauses are waiting for a resume. */
    int pauseCount() {
        synchronized (this.lock) {
            return this.pauseCount;
        }
    }

    /** Whether the task has finished, in whatever way. */
    public boolean isDone() {
        synchronized (this.lock) {
            return this.ending != null;
        }
    }

    /** Runs one step; called by the cooperator's tick only. */
    void oneWorkUnit() {
        Object result;
        try {
            if (!this.iterator.hasNext()) {
                finish(Ending.DONE, null);
                return;
            }
            result = this.iterator.next();
        }
        catch (Throwable ex) {
            finish(Ending.FAILED, ex);
            if (ex instanceof VirtualMachineError error) {
                throw error;
            }
            return;
        }
        if (result instanceof CompletionStage<?> stage) {
            waitFor(stage);
        }
    }

    private void waitFor(CompletionStage<?> stage) {
        synchronized (this.lock) {
            if (this.ending != null) {
                return; // the step finished its own task: nothing to wait for
            }
            pauseLocked();
        }
        stage.whenComplete((value, ex) -> {
            if (ex != null) {
                finish(Ending.FAILED, unwrap(ex));
            }
            else {
                resume();
            }
        });
    }

    /**
     * Ends the task as done from inside its own step, as a Python generator's {@code return} ends it in the unit that
     * returns rather than on the next one: the {@link #whenDone()} futures succeed now. For {@link PullToPush} (PP-8).
     */
    void finishFromStep() {
        finish(Ending.DONE, null);
    }

    /** Ends the task with SchedulerStopped; called by the cooperator outside its lock. */
    void schedulerStopped() {
        finish(Ending.SCHEDULER_STOPPED, null);
    }

    /**
     * Finishes the task unless it has already finished: leaves the cooperator, then completes the waiters outside the
     * lock (CO-13).
     *
     * @return whether this call finished the task
     */
    private boolean finish(Ending how, @Nullable Throwable cause) {
        List<CompletableFuture<I>> toSettle;
        synchronized (this.lock) {
            if (this.ending != null) {
                return false;
            }
            this.ending = how;
            this.failure = cause;
            this.cooperator.removeLocked(this);
            toSettle = new ArrayList<>(this.waiters);
            this.waiters.clear();
        }
        for (CompletableFuture<I> future : toSettle) {
            settle(future, how);
        }
        return true;
    }

    private void settle(CompletableFuture<I> future, Ending how) {
        switch (how) {
            case DONE -> future.complete(this.iterator);
            case STOPPED -> future.completeExceptionally(new TaskStoppedException());
            case SCHEDULER_STOPPED -> future.completeExceptionally(new SchedulerStoppedException());
            case FAILED -> future.completeExceptionally(failureLocked());
        }
    }

    private Throwable failureLocked() {
        synchronized (this.lock) {
            Throwable cause = this.failure;
            return (cause != null) ? cause : new IllegalStateException("task failed");
        }
    }

    private IllegalStateException finishedException(@Nullable Ending how) {
        if (how == null) {
            return new IllegalStateException("not finished");
        }
        return switch (how) {
            case DONE -> new TaskDoneException();
            case STOPPED -> new TaskStoppedException();
            case SCHEDULER_STOPPED -> new SchedulerStoppedException();
            case FAILED -> new TaskFailedException(failureLocked());
        };
    }

    private static Throwable unwrap(Throwable ex) {
        Throwable cause = ex;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public String toString() {
        synchronized (this.lock) {
            return "CooperativeTask[" + this.iterator + ", " + ((this.ending != null) ? this.ending
                    : (this.pauseCount > 0) ? "paused " + this.pauseCount : "running") + "]";
        }
    }
}
