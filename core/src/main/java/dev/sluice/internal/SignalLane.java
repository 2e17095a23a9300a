package dev.sluice.internal;

import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * The ownership half of a consumer's signal lane: a work-in-progress counter that lets one thread at a time deliver
 * callbacks, while any other thread that has something to signal records it and leaves (the drain-loop idiom of
 * Reactor's operators). Nobody waits: a thread that finds the lane busy is done, because the owner looks again before
 * it lets go.
 *
 * <p>The owner loops: {@code for (int missed = 1;;) { deliver everything pending; missed = leave(missed); if
 * (missed == 0) break; }}.
 */
public final class SignalLane {

    private final AtomicInteger work = new AtomicInteger();

    private volatile @Nullable Thread owner;

    /**
     * Records one unit of work and tries to take the lane.
     *
     * @return whether the calling thread now owns the lane and must run it
     */
    public boolean enter() {
        if (this.work.getAndIncrement() == 0) {
            this.owner = Thread.currentThread();
            return true;
        }
        return false;
    }

    /**
     * Lets go of the lane after delivering everything seen so far, or keeps it if work arrived meanwhile.
     *
     * @param missed the units of work this owner has accounted for
     * @return 0 if the lane is now free, else the units of work to account for in the next round (still owned)
     */
    public int leave(int missed) {
        this.owner = null;
        int left = this.work.addAndGet(-missed);
        if (left != 0) {
            this.owner = Thread.currentThread();
        }
        return left;
    }

    /**
     * Makes the calling thread the owner of a lane handed to it: the thread that handed it over called
     * {@link #disown()} and passed its work count along instead of leaving.
     */
    public void adopt() {
        this.owner = Thread.currentThread();
    }

    /** Clears the owner before the lane, with its work count, is handed to another thread. */
    public void disown() {
        this.owner = null;
    }

    /** Whether the calling thread owns the lane now, that is, it is re-entering from inside a callback. */
    public boolean isOwnedByCurrentThread() {
        return this.owner == Thread.currentThread();
    }

    /** Whether any thread owns the lane now (a snapshot, for tests and diagnostics). */
    public boolean isBusy() {
        return this.work.get() != 0;
    }
}
