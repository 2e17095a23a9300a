package dev.sluice.twisted.task;

/**
 * The task's {@link Cooperator} was stopped before the task finished, or the task was given to a stopped cooperator.
 * Twisted's {@code SchedulerStopped}; like it, not a {@link TaskFinishedException}.
 */
public final class SchedulerStoppedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public SchedulerStoppedException() {
        super("the cooperator was stopped");
    }
}
