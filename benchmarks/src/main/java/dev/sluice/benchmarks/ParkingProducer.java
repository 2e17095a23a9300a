package dev.sluice.benchmarks;

import java.util.concurrent.locks.LockSupport;

import dev.sluice.PushProducer;

/**
 * A push producer for a plain thread that honours pauses the way a user would write it: {@link #pauseProducing()} sets
 * a flag, {@link #resumeProducing()} clears it and unparks the producing thread, and the producing thread calls
 * {@link #awaitResumed()} before each write, which parks while the flag is set. The Reactor adapters in these
 * benchmarks wait for demand the same way, so no side gets a cleverer wait (no spinning anywhere).
 */
final class ParkingProducer implements PushProducer {

    private volatile boolean paused;

    private volatile boolean stopped;

    private volatile Thread producerThread;

    /** Pauses seen, read by the benchmarks that report it. */
    long pauses;

    /** Called by the producing thread before it writes: the thread to wake on resume. */
    void bindToCurrentThread() {
        this.producerThread = Thread.currentThread();
    }

    /** Parks the calling (producing) thread while paused. Returns false if the producer was stopped. */
    boolean awaitResumed() {
        while (this.paused) {
            if (this.stopped) {
                return false;
            }
            LockSupport.park(this);
        }
        return !this.stopped;
    }

    boolean isPaused() {
        return this.paused;
    }

    @Override
    public void pauseProducing() {
        this.pauses++;
        this.paused = true;
    }

    @Override
    public void resumeProducing() {
        this.paused = false;
        Thread thread = this.producerThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void stopProducing() {
        this.stopped = true;
        resumeProducing();
    }
}
