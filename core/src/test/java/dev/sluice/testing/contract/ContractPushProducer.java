package dev.sluice.testing.contract;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import dev.sluice.Consumer;
import dev.sluice.PushProducer;

/**
 * A push producer that honours {@code false} the way the threading contract asks: it stops writing and waits for
 * {@code resumeProducing} or {@code stopProducing}, with a timeout, and a timeout is a lost wake-up. It records every
 * callback and checks them: pause and resume must alternate, starting with a pause; nothing may follow a stop; two
 * callbacks may not run at once on different threads.
 *
 * <h2>Which resume answers a {@code false}</h2>
 * A write and the resume count read just before it are made under a read lock that callbacks from other threads take
 * exclusively, so a resume counted after that read was delivered after the write was applied: it answers the write (no
 * stale resume from before the write can be mistaken for the answer). A callback made on a writing thread, from inside
 * its own write, takes no lock. Writers do not exclude each other. A {@code false} is answered once a resume has come
 * after the write and the producer is not paused again, or once it is stopped.
 *
 * <p>Thread-safe: any number of threads may write through it.
 */
public final class ContractPushProducer extends CheckedProducer implements PushProducer {

    /** The states of a push producer (twisted-spec TD-5). */
    public enum State {
        RUNNING, PAUSED, STOPPED
    }

    /** What a writer learnt from a {@code false}. */
    public enum Answer {
        /** {@code write} returned {@code true}: nothing to wait for. */
        WRITABLE,
        /** A resume came after the write. */
        RESUMED,
        /** The producer was stopped. */
        STOPPED,
        /** Neither came in time: a lost wake-up. */
        TIMED_OUT
    }

    /**
     * One write: whether it returned {@code true}, and the resumes counted before it.
     *
     * @param writable what {@code write} returned
     * @param resumesBefore the resumes received before the write
     */
    public record Ticket(boolean writable, long resumesBefore) {
    }

    private final ReentrantReadWriteLock writes = new ReentrantReadWriteLock();

    // guarded by monitor
    private State state = State.RUNNING;
    private long pauses;
    private long resumes;
    private final List<String> events = new ArrayList<>();

    @Override
    public void pauseProducing() {
        callback("pause");
    }

    @Override
    public void resumeProducing() {
        callback("resume");
    }

    @Override
    public void stopProducing() {
        callback("stop");
    }

    /** Writes {@code chunk} into {@code consumer} and notes the resumes counted before, as one step (see above). */
    public Ticket write(Consumer<ByteBuffer> consumer, ByteBuffer chunk) {
        this.writes.readLock().lock();
        try {
            long before;
            synchronized (this.monitor) {
                before = this.resumes;
            }
            return new Ticket(consumer.write(chunk), before);
        }
        finally {
            this.writes.readLock().unlock();
        }
    }

    /** Writes, and on {@code false} waits for the answer. */
    public Answer writeHonouring(Consumer<ByteBuffer> consumer, ByteBuffer chunk, Duration timeout) {
        return await(write(consumer, chunk), timeout);
    }

    /** Waits until {@code ticket}'s {@code false} is answered by a resume or a stop, at most {@code timeout}. */
    public Answer await(Ticket ticket, Duration timeout) {
        if (ticket.writable()) {
            return Answer.WRITABLE;
        }
        synchronized (this.monitor) {
            waitUntil(() -> this.state == State.STOPPED
                    || (this.resumes > ticket.resumesBefore() && this.state == State.RUNNING),
                    System.nanoTime() + timeout.toNanos());
            return switch (this.state) {
                case STOPPED -> Answer.STOPPED;
                case RUNNING -> (this.resumes > ticket.resumesBefore()) ? Answer.RESUMED : Answer.TIMED_OUT;
                case PAUSED -> Answer.TIMED_OUT;
            };
        }
    }

    private void callback(String event) {
        Thread me = enter();
        boolean insideOwnWrite = this.writes.getReadHoldCount() > 0;
        if (!insideOwnWrite) {
            this.writes.writeLock().lock();
        }
        try {
            synchronized (this.monitor) {
                transition(event);
                this.events.add(event);
                this.monitor.notifyAll();
            }
        }
        finally {
            if (!insideOwnWrite) {
                this.writes.writeLock().unlock();
            }
            exit(me);
        }
    }

    private void transition(String event) {
        State now = this.state;
        if (now == State.STOPPED) {
            violation(event + " after stopProducing (call #" + (this.events.size() + 1) + ")");
            return;
        }
        switch (event) {
            case "pause" -> {
                if (now == State.PAUSED) {
                    violation("pause while paused (call #" + (this.events.size() + 1) + ")");
                }
                this.pauses++;
                this.state = State.PAUSED;
            }
            case "resume" -> {
                if (now == State.RUNNING) {
                    violation("resume without a pause to balance (call #" + (this.events.size() + 1) + ")");
                }
                this.resumes++;
                this.state = State.RUNNING;
            }
            default -> this.state = State.STOPPED;
        }
    }

    public State state() {
        synchronized (this.monitor) {
            return this.state;
        }
    }

    public long pauses() {
        synchronized (this.monitor) {
            return this.pauses;
        }
    }

    public long resumes() {
        synchronized (this.monitor) {
            return this.resumes;
        }
    }

    /** Every callback received, in order: "pause", "resume", "stop". */
    public List<String> events() {
        synchronized (this.monitor) {
            return List.copyOf(this.events);
        }
    }

    @Override
    public String toString() {
        synchronized (this.monitor) {
            return "ContractPushProducer[" + this.state + ", " + this.pauses + " pauses, " + this.resumes
                    + " resumes]";
        }
    }
}
