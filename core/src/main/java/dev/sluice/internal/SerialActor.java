package dev.sluice.internal;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
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
 * A failure of a task run at once (idle or nested) is thrown to its submitter; a failure of a queued task is logged,
 * since its submitter has gone.
 *
 * <p>A thread that drains for others is not kept forever: once its own task has run and it has run
 * {@value #BUDGET} tasks in all, while more keep coming, it hands the rest of the drain to the actor's executor
 * (default {@link ForkJoinPool#commonPool()}) and returns. Without that, a thread that started the drain could be
 * held as long as other threads keep submitting. The hand-off keeps the order and the one-at-a-time rule; it only
 * happens when other threads submit faster than the tasks run, so a single thread never sees it.
 */
public final class SerialActor {

    private static final Log LOG = Log.of(SerialActor.class);

    /** The tasks one submitter runs, its own included, before it hands a still-busy drain to the executor. */
    static final int BUDGET = 1024;

    private final String name;

    private final Executor overflow;

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
        this(name, ForkJoinPool.commonPool());
    }

    /**
     * Creates an idle actor.
     *
     * @param name what log messages call it
     * @param overflow where a drain that has run past its budget goes on
     */
    public SerialActor(String name, Executor overflow) {
        this.name = Objects.requireNonNull(name, "name");
        this.overflow = Objects.requireNonNull(overflow, "overflow");
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
        Throwable mine = drain(me, task, 1);
        if (mine instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (mine instanceof Error error) {
            throw error;
        }
    }

    /**
     * Runs queued tasks until none is left or, once {@code own} has run (null: no task of its own), the budget is
     * spent and the drain is handed to the executor. Returns the failure of {@code own}, if any. Owner only.
     */
    private @Nullable Throwable drain(Thread me, @Nullable Runnable own, int counted) {
        Throwable mine = null;
        boolean ownRan = own == null;
        int ran = 0;
        int missed = counted;
        for (;;) {
            Runnable next;
            while ((next = this.queue.poll()) != null) {
                try {
                    next.run();
                }
                catch (RuntimeException | Error failure) {
                    if (next == own) {
                        mine = failure;
                    }
                    else {
                        LOG.error("A task queued on '{}' from another thread threw", this.name, failure);
                    }
                }
                ownRan |= next == own;
                if (++ran >= BUDGET && ownRan && handOff(missed)) {
                    return mine;
                }
            }
            this.owner = null;
            missed = this.work.addAndGet(-missed);
            if (missed == 0) {
                return mine;
            }
            this.owner = me;
        }
    }

    /** Gives the drain, with its work count, to the executor; false if it refuses. */
    private boolean handOff(int missed) {
        this.owner = null;
        try {
            this.overflow.execute(() -> {
                Thread runner = Thread.currentThread();
                this.owner = runner;
                drain(runner, null, missed);
            });
            return true;
        }
        catch (RejectedExecutionException ex) {
            this.owner = Thread.currentThread();
            return false;
        }
    }

    @Override
    public String toString() {
        return "SerialActor[" + this.name + "]";
    }
}
