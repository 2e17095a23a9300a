package dev.sluice.twisted.task;

/**
 * Thrown by {@link CooperativeTask#pause()} and {@link CooperativeTask#stop()} when the task has already finished;
 * the subclass says how it finished. Twisted's {@code TaskFinished}.
 */
public abstract sealed class TaskFinishedException extends IllegalStateException
        permits TaskDoneException, TaskStoppedException, TaskFailedException {

    private static final long serialVersionUID = 1L;

    TaskFinishedException(String message, Throwable cause) {
        super(message, cause);
    }

    TaskFinishedException(String message) {
        super(message);
    }
}
