package dev.sluice.twisted.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.PushProducer;

/**
 * A push producer that counts its resumes and records its stop, for writers that honour {@code false} on their own
 * threads: a writer takes {@link #resumes()} before a write and, on {@code false}, waits until it has moved or the
 * producer is stopped. Pausing is the writers' business; {@code pauseProducing} does nothing.
 */
public final class ResumeCounter implements PushProducer {

    private final AtomicInteger resumes = new AtomicInteger();

    private final AtomicBoolean stopped = new AtomicBoolean();

    @Override
    public void pauseProducing() {
    }

    @Override
    public void resumeProducing() {
        this.resumes.incrementAndGet();
    }

    @Override
    public void stopProducing() {
        this.stopped.set(true);
    }

    /** The resumes received so far. */
    public int resumes() {
        return this.resumes.get();
    }

    /** Whether {@code stopProducing} was called. */
    public boolean isStopped() {
        return this.stopped.get();
    }
}
