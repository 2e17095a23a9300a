package dev.sluice.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.PushProducer;

/**
 * A push producer that checks the push contract (twisted-spec TD-5): it starts running; pause is legal only while
 * running, resume only while paused, stop only before stop. An illegal call throws {@link IllegalStateException} and
 * is counted. It also counts callbacks that overlap a callback running on another thread, which the threading
 * contract forbids; a pause nested inside this producer's own resume on the same thread is legal.
 */
public class StrictPushProducer implements PushProducer {

    /** The TD-5 states. */
    public enum State {
        RUNNING, PAUSED, STOPPED
    }

    private volatile State state = State.RUNNING;

    private final List<String> events = new ArrayList<>();

    private final AtomicReference<Thread> inCallback = new AtomicReference<>();

    private final AtomicInteger overlaps = new AtomicInteger();

    private final AtomicInteger violations = new AtomicInteger();

    @Override
    public void pauseProducing() {
        enter("pause", State.RUNNING, State.PAUSED);
    }

    @Override
    public void resumeProducing() {
        enter("resume", State.PAUSED, State.RUNNING);
    }

    @Override
    public void stopProducing() {
        enter("stop", null, State.STOPPED);
    }

    /** Called inside each legal transition, after the state has changed, while the callback is still running. */
    protected void onTransition(String event) {
    }

    private void enter(String event, State from, State to) {
        Thread me = Thread.currentThread();
        Thread previous = this.inCallback.get();
        boolean nested = previous == me;
        if (!nested && !this.inCallback.compareAndSet(null, me)) {
            this.overlaps.incrementAndGet();
        }
        try {
            synchronized (this) {
                State now = this.state;
                boolean legal = (from == null) ? now != State.STOPPED : now == from;
                if (!legal) {
                    this.violations.incrementAndGet();
                    throw new IllegalStateException("Cannot " + event + " a producer that is " + now);
                }
                this.state = to;
                this.events.add(event);
            }
            onTransition(event);
        }
        finally {
            if (!nested) {
                this.inCallback.compareAndSet(me, null);
            }
        }
    }

    public State state() {
        return this.state;
    }

    public boolean isPaused() {
        return this.state == State.PAUSED;
    }

    /** The legal calls received, in order: "pause", "resume", "stop". */
    public synchronized List<String> events() {
        return List.copyOf(this.events);
    }

    /** Callbacks that began while another thread was inside a callback. */
    public int overlaps() {
        return this.overlaps.get();
    }

    /** Illegal calls received. */
    public int violations() {
        return this.violations.get();
    }
}
