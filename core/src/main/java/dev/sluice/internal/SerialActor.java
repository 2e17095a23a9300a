package dev.sluice.internal;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A lock-free serial executor for one object's state machine: tasks run one at a time, never two at once, each
 * happening-after the one before it, on the threads that submit them. No thread is started and no lock is taken.
 *
 * <ul>
 *   <li>A task submitted while the actor is idle runs at once, on the submitting thread, which then also runs every
 *       task other threads submit meanwhile (the drain loop of a work-in-progress counter), so a task never recurses
 *       into another thread's task.</li>
 *   <li>A task submitted from another thread while a task runs is queued (an {@link MpscLinkedQueue}, one atomic
 *       exchange) and run by the running thread after the current task returns, in submission order per submitting
 *       thread. The submitter does not wait.</li>
 *   <li>A task submitted from inside a running task, on the thread that runs it, runs at once, nested, like a plain
 *       method call: Twisted's synchronous re-entrancy (a consumer that pauses its producer from inside the
 *       producer's write). Nesting is as deep as the calls are, never per queued task.</li>
 * </ul>
 *
 * A failure of a task run at once (idle or nested) is thrown to its submitter, after the tasks queued meanwhile have
 * run; a failure of a queued task is logged, since its submitter has gone.
 */
public final class SerialActor {

    private static final Log LOG = Log.of(SerialActor.class);

    private final String name;

    private final MpscLinkedQueue<Runnable> queue = new MpscLinkedQueue<>();

    private final AtomicInteger work = new AtomicInteger();

    /** The thread running the drain loop, or null; only that thread ever writes itself here. */
    private volatile @Nullable Thread owner;

    /**
     * Creates an idle actor.
     *
     * @param name what log messages call it
     */
    public SerialActor(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Whether the current thread is running one of this actor's tasks (so a submission now runs nested). */
    public boolean isRunningHere() {
        return this.owner == Thread.currentThread();
    }

    /**
     * Runs {@code task} now when the actor is idle or this thread is running one of its tasks; otherwise queues it for
     * the running thread and returns at once.
     *
     * @param task the task
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        Thread me = Thread.currentThread();
        if (this.owner == me) {
            task.run();
            return;
        }
        this.queue.offer(task);
        if (this.work.getAndIncrement() != 0) {
            return;
        }
        this.owner = me;
        Throwable mine = null;
        int missed = 1;
        for (;;) {
            Runnable next;
            while ((next = this.queue.poll()) != null) {
                try {
                    next.run();
                }
                catch (RuntimeException | Error failure) {
                    if (next == task) {
                        mine = failure;
                    }
                    else {
                        LOG.error("A task queued on '{}' from another thread threw", this.name, failure);
                    }
                }
            }
            this.owner = null;
            missed = this.work.addAndGet(-missed);
            if (missed == 0) {
                break;
            }
            this.owner = me;
        }
        if (mine instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (mine instanceof Error error) {
            throw error;
        }
    }

    @Override
    public String toString() {
        return "SerialActor[" + this.name + "]";
    }
}
