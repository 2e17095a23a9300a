package dev.sluice.twisted.task;

/**
 * The task was stopped with {@link CooperativeTask#stop()}. Its {@link CooperativeTask#whenDone()} futures fail with
 * this exception. Twisted's {@code TaskStopped}.
 */
public final class TaskStoppedException extends TaskFinishedException {

    private static final long serialVersionUID = 1L;

    public TaskStoppedException() {
        super("the task was stopped");
    }
}
