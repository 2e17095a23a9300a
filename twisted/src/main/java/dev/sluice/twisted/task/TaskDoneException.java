package dev.sluice.twisted.task;

/** The task's iterator was exhausted: the task completed normally. Twisted's {@code TaskDone}. */
public final class TaskDoneException extends TaskFinishedException {

    private static final long serialVersionUID = 1L;

    public TaskDoneException() {
        super("the task is done: its iterator is exhausted");
    }
}
