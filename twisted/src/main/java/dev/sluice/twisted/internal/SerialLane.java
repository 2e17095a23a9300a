package dev.sluice.twisted.internal;

import java.util.Objects;
import java.util.concurrent.Executor;

import dev.sluice.internal.Log;
import dev.sluice.internal.MpscLinkedQueue;
import dev.sluice.internal.SignalLane;
import org.jspecify.annotations.Nullable;

/**
 * Runs one object's calls one at a time, on the threads that make them: a consumer's {@link SignalLane} carrying
 * arbitrary calls instead of producer signals. No thread is started, no lock is taken, and no thread waits for another.
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
 * Calls never overlap, and each happens-after the one before it.
 *
 * <p>By default no call is ever moved to another thread: the thread that found the lane idle runs what others queue
 * for as long as they keep queueing, as the thread running a consumer's signal lane delivers the signals others raise.
 * An object that several threads call as fast as they can (two threads pumping a page broker) can be given a
 * <em>hand-off executor</em>: once the draining thread's own call has run and it has run {@value #BUDGET} calls in all
 * while more keep coming, it hands the rest of the drain to that executor and returns; order and the one-at-a-time
 * rule are kept. Only the executor the owner of the object chose is ever used. (The predecessor of this class handed
 * such drains to {@link java.util.concurrent.ForkJoinPool#commonPool()} unasked, which ran user callbacks on a pool
 * nobody chose.)
 *
 * <p>A failure of a call run at once is thrown to its caller once the calls queued behind it have run; a failure of a
 * queued call is logged, since its caller has gone.
 */
public final class SerialLane {

    private static final Log LOG = Log.of(SerialLane.class);

    /** The calls one drain runs, its own included, before it hands a still-busy drain to the hand-off executor. */
    static final int BUDGET = 1024;

    private final String name;

    private final @Nullable Executor handOff;

    private final SignalLane lane = new SignalLane();

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
        return this.lane.isOwnedByCurrentThread();
    }

    /**
     * Runs {@code call} now when the lane is idle or this thread is running one of its calls; otherwise queues it for
     * the running thread and returns at once.
     *
     * @param call the call
     */
    public void execute(Runnable call) {
        Objects.requireNonNull(call, "call");
        if (this.lane.isOwnedByCurrentThread()) {
            call.run();
            return;
        }
        this.calls.offer(call);
        if (!this.lane.enter()) {
            return;
        }
        @Nullable Throwable mine = drain(call, 1);
        if (mine instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (mine instanceof Error error) {
            throw error;
        }
    }

    /**
     * Runs queued calls until none is left or, with a hand-off executor and once {@code own} has run (null: no call of
     * its own), the budget is spent and the drain goes on there. Returns the failure of {@code own}, if any. Lane owner
     * only.
     */
    private @Nullable Throwable drain(@Nullable Runnable own, int work) {
        @Nullable Throwable mine = null;
        boolean ownRan = own == null;
        int ran = 0;
        int missed = work;
        for (;;) {
            Runnable next;
            while ((next = this.calls.poll()) != null) {
                try {
                    next.run();
                }
                catch (RuntimeException | Error failure) {
                    if (next == own) {
                        mine = failure;
                    }
                    else {
                        LOG.error("A call queued on '{}' from another thread threw", this.name, failure);
                    }
                }
                ownRan |= next == own;
                if (++ran >= BUDGET && ownRan && this.handOff != null && handOff(this.handOff, missed)) {
                    return mine;
                }
            }
            missed = this.lane.leave(missed);
            if (missed == 0) {
                return mine;
            }
        }
    }

    /** Gives the drain, with its work count, to {@code executor}; false if it refuses (the caller drains on). */
    private boolean handOff(Executor executor, int missed) {
        this.lane.disown();
        try {
            executor.execute(() -> {
                this.lane.adopt();
                drain(null, missed);
            });
            return true;
        }
        catch (RuntimeException refused) {
            this.lane.adopt();
            LOG.warn("The hand-off executor of '{}' refused a drain; the calling thread drains on", this.name, refused);
            return false;
        }
    }

    @Override
    public String toString() {
        return "SerialLane[" + this.name + "]";
    }
}
