package dev.sluice.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.Consumer;
import dev.sluice.PushProducer;

/**
 * A push producer for a plain thread that honours pauses the way a user would write it: {@link #pauseProducing()}, or
 * a {@code write} that returns {@code false}, makes the producing thread park before its next write, in
 * {@link #awaitResumed()}, until {@link #resumeProducing()} unparks it. Every {@code false} is followed by a pause and
 * then a resume; a resume that arrived before the {@code false} was seen has answered it already, which the resume
 * count in the state word tells. The Reactor adapters in these benchmarks wait for demand the same way, so no side
 * gets a cleverer wait (no spinning anywhere).
 */
final class ParkingProducer implements PushProducer {

    /** Resumes received, shifted left by one, with the paused flag in bit 0: one word, so no resume is lost. */
    private final AtomicLong state = new AtomicLong();

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
        while (isPaused()) {
            if (this.stopped) {
                return false;
            }
            LockSupport.park(this);
        }
        return !this.stopped;
    }

    /** Writes {@code chunk} and, when the consumer answers {@code false}, pauses before the next write. */
    void write(Consumer<ByteBuffer> consumer, ByteBuffer chunk) {
        long before = this.state.get();
        if (!consumer.write(chunk)) {
            long resumesBefore = before >>> 1;
            this.state.getAndUpdate(now -> ((now >>> 1) == resumesBefore) ? now | 1 : now);
        }
    }

    boolean isPaused() {
        return (this.state.get() & 1) != 0;
    }

    @Override
    public void pauseProducing() {
        this.pauses++;
        this.state.getAndUpdate(now -> now | 1);
    }

    @Override
    public void resumeProducing() {
        this.state.getAndUpdate(now -> ((now >>> 1) + 1) << 1);
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
