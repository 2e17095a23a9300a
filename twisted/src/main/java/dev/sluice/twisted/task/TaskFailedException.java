package dev.sluice.twisted.task;

/**
 * The task failed: a step threw, or a {@link java.util.concurrent.CompletionStage} it returned failed. The cause is
 * that failure. Twisted's {@code TaskFailed}.
 */
public final class TaskFailedException extends TaskFinishedException {

    private static final long serialVersionUID = 1L;

    public TaskFailedException(Throwable cause) {
        super("the task failed: " + cause, cause);
    }
}
