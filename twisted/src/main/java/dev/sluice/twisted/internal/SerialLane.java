package dev.sluice.twisted.internal;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.internal.Log;
import dev.sluice.internal.MpscLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * Runs one object's calls one at a time, on the threads that make them: the owner loop of a consumer (DESIGN §4.2)
 * carrying arbitrary calls. No thread is started, no lock is taken, and no thread waits for another.
 *
 * <ul>
 *   <li>A call made while the lane is idle runs at once, on the calling thread, which then also runs every call other
 *       threads make meanwhile, until none is left.</li>
 *   <li>A call made from another thread while one runs is queued (an {@link MpscLinkedQueue}, one atomic exchange) and
 *       run by the running thread right after the current call, in order per calling thread. The caller returns at
 *       once.</li>
 *   <li>A call made from inside a running call, on the thread that runs it, runs at once, nested, like a plain method
 *       call: Twisted's synchronous re-entrancy (a consumer that pauses its producer from inside the producer's
 *       write).</li>
 * </ul>
 * Calls never overlap, and each happens-after the one before it. Ownership is one work-in-progress counter: the
 * thread that moves it from 0 owns the lane and runs the queue until the counter is back to 0.
 *
 * <p>By default no call is ever moved to another thread: the thread that found the lane idle runs what others queue
 * for as long as they keep queueing, as the thread running a consumer's loop delivers the signals others raise.
 * An object that several threads call as fast as they can (two threads pumping a page broker) can be given a
 * <em>hand-off executor</em>: once the draining thread's own call has run and it has run {@value #BUDGET} calls in all
 * while more keep coming, it hands the rest of the drain to that executor and returns; order and the one-at-a-time
 * rule are kept. Only the executor the owner of the object chose is ever used. (The predecessor of this class handed
 * such drains to {@link java.util.concurrent.ForkJoinPool#commonPool()} unasked, which ran user callbacks on a pool
 * nobody chose.) An executor that refuses the drain, or throws anything at all, is logged and the calling thread
 * drains on; one that accepts the drain and never runs it leaves the lane owned for ever (as any executor that drops
 * accepted tasks would), so give a lane an executor that runs what it accepts.
 *
 * <h2>Failures (DESIGN §4.9)</h2>
 * Every call is run under {@code catch (Throwable)}, so no failure can leave the lane owned: a failure of a call run
 * at once is thrown to its caller once the calls queued behind it have run; a failure of a queued call is logged once,
 * since its caller has gone, and the drain goes on. A {@link VirtualMachineError} from a queued call is rethrown to
 * the draining thread, but only after the drain has finished and the lane is released. The owned loop also gives the
 * lane up in a {@code finally}, should the loop itself fail (an {@link OutOfMemoryError} while logging): the calls
 * still queued then run with the next call made to the lane.
 */
public final class SerialLane {

    private static final Log LOG = Log.of(SerialLane.class);

    /** The calls one drain runs, its own included, before it hands a still-busy drain to the hand-off executor. */
    static final int BUDGET = 1024;

    private final String name;

    private final @Nullable Executor handOff;

    /** Calls queued and not yet accounted for by the owner; whoever moves it from 0 owns the lane. */
    private final AtomicInteger work = new AtomicInteger();

    /** The thread running the lane now, so that a call it makes runs nested; null while nobody does. */
    private volatile @Nullable Thread owner;

    private final MpscLinkedQueue<Runnable> calls = new MpscLinkedQueue<>();

    /**
     * Creates an idle lane that never moves a call to another thread.
     *
     * @param name what log messages call it
     */
    public SerialLane(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.handOff = null;
    }

    /**
     * Creates an idle lane that hands long drains to {@code handOff} (see the class description).
     *
     * @param name what log messages call it
     * @param handOff where a drain that has run past its budget goes on
     */
    public SerialLane(String name, Executor handOff) {
        this.name = Objects.requireNonNull(name, "name");
        this.handOff = Objects.requireNonNull(handOff, "handOff");
    }

    /** Whether the current thread is running one of this lane's calls (so a call made now runs nested). */
    public boolean isRunningHere() {
        return this.owner == Thread.currentThread();
    }

    /**
     * Runs {@code call} now when the lane is idle or this thread is running one of its calls; otherwise queues it for
     * the running thread and returns at once.
     *
     * @param call the call
     */
    public void execute(Runnable call) {
        Objects.requireNonNull(call, "call");
        if (isRunningHere()) {
            call.run();
            return;
        }
        this.calls.offer(call);
        if (this.work.getAndIncrement() != 0) {
            return; // the owner runs it
        }
        this.owner = Thread.currentThread();
        Failures failures = new Failures(call);
        drain(failures, 1);
        failures.rethrow();
    }

    /**
     * Runs queued calls until none is left or, with a hand-off executor and once the caller's own call has run, the
     * budget is spent and the drain goes on there. Lane owner only; releases the lane however it ends.
     */
    private void drain(Failures failures, int work) {
        int missed = work;
        boolean released = false;
        try {
            int ran = 0;
            for (;;) {
                Runnable next;
                while ((next = this.calls.poll()) != null) {
                    failures.run(next);
                    if (++ran >= BUDGET && failures.ownRan && this.handOff != null && handOff(this.handOff, missed)) {
                        released = true;
                        return;
                    }
                }
                this.owner = null;
                missed = this.work.addAndGet(-missed);
                if (missed == 0) {
                    released = true;
                    return;
                }
                this.owner = Thread.currentThread();
            }
        }
        finally {
            if (!released) {
                // the loop itself failed: give the lane up, so that the next call drains what is left
                this.owner = null;
                this.work.set(0);
            }
        }
    }

    /**
     * Gives the drain, with its work count, to {@code executor}; false if it refuses or throws (the caller drains on).
     */
    private boolean handOff(Executor executor, int missed) {
        this.owner = null;
        try {
            executor.execute(() -> {
                this.owner = Thread.currentThread();
                Failures failures = new Failures(null);
                drain(failures, missed);
                failures.rethrow();
            });
            return true;
        }
        catch (Throwable refused) {
            this.owner = Thread.currentThread();
            LOG.warn("The hand-off executor of '{}' refused a drain; the calling thread drains on", this.name, refused);
            if (refused instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            return false;
        }
    }

    /** What the calls of one drain threw: the own call's failure for its caller, the first fatal error of others. */
    private final class Failures {

        private final @Nullable Runnable own;

        boolean ownRan;

        private @Nullable Throwable mine;

        private @Nullable VirtualMachineError fatal;

        Failures(@Nullable Runnable own) {
            this.own = own;
            this.ownRan = own == null;
        }

        /** Runs one call; whatever it throws is kept (the caller's own call) or logged (a queued call). */
        void run(Runnable next) {
            try {
                next.run();
            }
            catch (Throwable failure) {
                if (next == this.own) {
                    this.mine = failure;
                }
                else {
                    LOG.error("A call queued on '{}' from another thread threw", SerialLane.this.name, failure);
                    if (failure instanceof VirtualMachineError error && this.fatal == null) {
                        this.fatal = error;
                    }
                }
            }
            this.ownRan |= next == this.own;
        }

        /** Throws the own call's failure, else the first fatal error of a queued call; the lane is released by now. */
        void rethrow() {
            Throwable thrown = (this.mine != null) ? this.mine : this.fatal;
            if (thrown != null) {
                throw Failures.<RuntimeException>sneaky(thrown);
            }
        }

        @SuppressWarnings("unchecked")
        private static <E extends Throwable> E sneaky(Throwable failure) throws E {
            throw (E) failure;
        }
    }

    @Override
    public String toString() {
        return "SerialLane[" + this.name + "]";
    }
}
