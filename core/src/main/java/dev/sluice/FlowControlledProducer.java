package dev.sluice;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * The producer side of flow control, done once: a {@link PushProducer} built from a source's {@code pause},
 * {@code resume} and {@code close} (a message listener container, a socket's auto-read, a reactive subscription's
 * demand), whose {@link #write} honours the consumer's {@code false} without the race users otherwise write by hand.
 *
 * <pre>{@code
 * FlowControlledProducer<Event> feed = FlowControlledProducer.builder(consumer)
 *         .onPause(source::pause)
 *         .onResume(source::resume)
 *         .onStop(source::close)
 *         .build();
 * consumer.registerProducer(feed, true);
 * source.start(feed::write); // the source's own thread writes; write never blocks
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>{@code false} pauses the source at once.</b> When {@link #write} gets {@code false} from the consumer (its
 *       buffer is above the high-water mark, an operator holds the producer, or it has gone), the source is paused
 *       before {@code write} returns, unless a {@link #resumeProducing()} has arrived since the write began: that
 *       resume answered the {@code false} already (or came before the crossing, whose {@code pauseProducing} is still
 *       to come), so pausing now would leave the source paused with no resume to follow. That is the whole race, and
 *       it is decided by one compare-and-set on a word that counts the resumes; no lock, no waiting.</li>
 *   <li><b>The consumer's callbacks are followed.</b> {@link #pauseProducing()} pauses the source,
 *       {@link #resumeProducing()} resumes it, {@link #stopProducing()} closes it.</li>
 *   <li><b>The source sees edges, one at a time.</b> However many {@code false}s and callbacks arrive, and from
 *       however many threads, the source's hooks are called only when the wanted state changes, so they alternate
 *       pause, resume, pause, … (a pause wanted and answered by a resume before the source was told is not passed on
 *       at all), they never run concurrently, and {@code close} comes once, last, after any hook in progress has
 *       returned. Whichever thread changes the state while no hook runs calls the hooks (the consumer's thread in a
 *       callback, or the writer inside {@code write}); a thread that changes it while one runs leaves the new state
 *       to that thread and returns at once. So no thread waits for another, a hook that writes (a source that emits
 *       from inside {@code resume}) does not recurse, and the source is never left paused once the consumer has
 *       resumed it and the threads are quiet.</li>
 *   <li><b>A thread that wants to wait can.</b> {@link #awaitWritable()} and {@link #awaitWritable(Duration)} block
 *       the calling thread while the producer is paused (by a {@code false} or a callback), until the resume or the
 *       stop: the blocking flavour for a producer with a thread of its own ({@link dev.sluice.io.ConsumerOutputStream}
 *       is one). Waiting before each write keeps the consumer's buffer within its high-water mark plus one write per
 *       writing thread.</li>
 *   <li><b>Hooks must be quick and must not block:</b> they run on the consumer's thread or inside {@code write}. A
 *       hook that throws (anything) stops this producer: the close hook runs once (unless it was the one that threw;
 *       a failure of its own is added as suppressed), waiting threads wake, and the throwable goes to the caller of
 *       the method during which the hook ran, after the hooks due have been called and the hook-calling turn has been
 *       released: from a consumer callback it reaches the consumer, which fails and stops its producer (DESIGN §4.9);
 *       from {@code write} it reaches the writer.</li>
 *   <li>{@link #write} always hands the item to the consumer, even after a stop: a consumer that has gone drops and
 *       counts it. It is meant for one consumer, and one registration: unregistered while paused, it stays paused.</li>
 * </ul>
 *
 * <p>The producer can also be used inside another producer (the registered one forwards its callbacks here), as
 * {@link dev.sluice.flow.ConsumerSubscriber} does to stop requesting on {@code false}.
 *
 * @param <T> the type of item written
 */
public final class FlowControlledProducer<T> implements PushProducer {

    /** Wanted: the source paused (a {@code false} or a {@code pauseProducing} not yet answered by a resume). */
    private static final long PAUSED = 1L;

    /** Stopped for good: by the consumer, by {@link #stopProducing()}, or by a hook that threw. */
    private static final long STOPPED = 2L;

    /** The resumes received are counted from bit 2 up. */
    private static final long ONE_RESUME = 4L;

    private static final Runnable NOTHING = () -> {
    };

    private final Consumer<? super T> consumer;

    private final Runnable pause;

    private final Runnable resume;

    private final Runnable stop;

    /** Resumes received, the {@link #PAUSED} wish and the {@link #STOPPED} flag: one word, changed by CAS. */
    private final AtomicLong state = new AtomicLong();

    /** Turns to call the hooks: the thread that moves it from 0 calls them until it is back to 0. */
    private final AtomicInteger hookWork = new AtomicInteger();

    /** What the source was last told; touched only by the thread that holds the hook turn. */
    private boolean sourcePaused;

    /** Whether the close hook has been called; touched only by the thread that holds the hook turn. */
    private boolean sourceClosed;

    /** Threads blocked in {@link #awaitWritable}, woken on every resume and on the stop. */
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();

    private FlowControlledProducer(Builder<T> builder) {
        this.consumer = builder.consumer;
        this.pause = builder.pause;
        this.resume = builder.resume;
        this.stop = builder.stop;
    }

    /**
     * Starts a builder for a producer that writes into {@code consumer}. Without hooks the producer only keeps the
     * state, for a writer that waits ({@link #awaitWritable()}) or asks ({@link #isPaused()}).
     *
     * @param consumer the consumer written into
     * @param <T> the type of item
     * @return the builder
     */
    public static <T> Builder<T> builder(Consumer<? super T> consumer) {
        return new Builder<>(consumer);
    }

    /**
     * Writes {@code item} into the consumer and, when the consumer answers {@code false}, pauses the source before
     * returning unless a resume has arrived since this write began (see the class contract). Never blocks; may call
     * a hook on this thread.
     *
     * @param item the item, given up to the consumer
     * @return the consumer's answer: {@code false} means the source has been paused (or a resume has answered the
     *         {@code false} already)
     * @throws NullPointerException if {@code item} is {@code null}
     */
    public boolean write(T item) {
        long before = this.state.get();
        if (this.consumer.write(item)) {
            return true;
        }
        long resumesBefore = before & ~(PAUSED | STOPPED);
        for (;;) {
            long now = this.state.get();
            if ((now & ~(PAUSED | STOPPED)) != resumesBefore || (now & (PAUSED | STOPPED)) != 0) {
                return false; // answered by a resume already, paused already, or stopped
            }
            if (this.state.compareAndSet(now, now | PAUSED)) {
                callHooks();
                return false;
            }
        }
    }

    /** The consumer's buffer went above its high-water mark (or it is held): pauses the source. */
    @Override
    public void pauseProducing() {
        long now = this.state.getAndUpdate(current -> ((current & STOPPED) != 0) ? current : current | PAUSED);
        if ((now & (PAUSED | STOPPED)) == 0) {
            callHooks();
        }
    }

    /** The consumer has drained to its low-water mark: resumes the source, and wakes threads waiting to write. */
    @Override
    public void resumeProducing() {
        long now = this.state.getAndUpdate(
                current -> ((current & STOPPED) != 0) ? current : (current & ~PAUSED) + ONE_RESUME);
        if ((now & STOPPED) == 0) {
            wakeWaiters();
            callHooks();
        }
    }

    /**
     * The consumer has gone (or the producing side gives up): closes the source once, after any hook in progress, and
     * wakes threads waiting to write, whose {@code awaitWritable} returns {@code false}. Idempotent.
     */
    @Override
    public void stopProducing() {
        if ((this.state.getAndUpdate(current -> current | STOPPED) & STOPPED) == 0) {
            wakeWaiters();
            callHooks();
        }
    }

    /**
     * Whether the consumer wants this producer paused: a {@code false} or a {@code pauseProducing} that no resume has
     * answered yet. {@code false} once stopped.
     */
    public boolean isPaused() {
        long now = this.state.get();
        return (now & (PAUSED | STOPPED)) == PAUSED;
    }

    /** Whether the producer has been stopped (by its consumer, by {@link #stopProducing()}, or by a hook that threw). */
    public boolean isStopped() {
        return (this.state.get() & STOPPED) != 0;
    }

    /**
     * Blocks the calling thread while the producer is paused, until it is resumed or stopped. Returns at once if it
     * is not paused.
     *
     * @return {@code true} if the producer may write, {@code false} if it has been stopped
     * @throws InterruptedException if the thread is interrupted while waiting (the interrupt status is cleared)
     */
    public boolean awaitWritable() throws InterruptedException {
        return await(0L, false);
    }

    /**
     * Blocks the calling thread while the producer is paused, until it is resumed or stopped, or {@code timeout} has
     * elapsed. Returns at once if it is not paused.
     *
     * @param timeout the longest wait
     * @return {@code true} if the producer may write, {@code false} if it has been stopped or the timeout elapsed
     *         first ({@link #isStopped()} tells which)
     * @throws InterruptedException if the thread is interrupted while waiting (the interrupt status is cleared)
     */
    public boolean awaitWritable(Duration timeout) throws InterruptedException {
        return await(timeout.toNanos(), true);
    }

    private boolean await(long timeoutNanos, boolean timed) throws InterruptedException {
        long now = this.state.get();
        if ((now & (PAUSED | STOPPED)) != PAUSED) {
            return (now & STOPPED) == 0;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        Thread self = Thread.currentThread();
        this.waiters.add(self); // before the state is read again: a resume after that read unparks this thread
        try {
            for (;;) {
                now = this.state.get();
                if ((now & (PAUSED | STOPPED)) != PAUSED) {
                    return (now & STOPPED) == 0;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("Interrupted while " + this + " was paused");
                }
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                }
                else {
                    LockSupport.park(this);
                }
            }
        }
        finally {
            this.waiters.remove(self);
        }
    }

    private void wakeWaiters() {
        for (Thread waiter : this.waiters) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Brings the source to the wanted state, one hook at a time: the thread that takes the turn calls the hooks due,
     * and again for every change made meanwhile, then releases the turn. A hook's failure stops the producer; the
     * first is rethrown once the turn is released.
     */
    private void callHooks() {
        if (this.hookWork.getAndIncrement() != 0) {
            return; // the thread holding the turn sees the change: it re-reads the state before it releases the turn
        }
        Throwable failure = null;
        int missed = 1;
        for (;;) {
            Runnable hook;
            while ((hook = nextHook()) != null) {
                try {
                    hook.run();
                }
                catch (Throwable thrown) {
                    failure = firstOf(failure, thrown);
                    if ((this.state.getAndUpdate(current -> current | STOPPED) & STOPPED) == 0) {
                        wakeWaiters();
                    }
                }
            }
            missed = this.hookWork.addAndGet(-missed);
            if (missed == 0) {
                break;
            }
        }
        if (failure != null) {
            throw FlowControlledProducer.<RuntimeException>sneaky(failure);
        }
    }

    /** The hook that brings the source one step closer to the wanted state, or {@code null} if it is there. */
    private @Nullable Runnable nextHook() {
        if (this.sourceClosed) {
            return null;
        }
        long now = this.state.get();
        if ((now & STOPPED) != 0) {
            this.sourceClosed = true;
            return this.stop;
        }
        boolean wanted = (now & PAUSED) != 0;
        if (wanted == this.sourcePaused) {
            return null;
        }
        this.sourcePaused = wanted;
        return wanted ? this.pause : this.resume;
    }

    private static Throwable firstOf(@Nullable Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        if (first != next) {
            first.addSuppressed(next);
        }
        return first;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable failure) throws E {
        throw (E) failure;
    }

    @Override
    public String toString() {
        long now = this.state.get();
        String state = ((now & STOPPED) != 0) ? "stopped" : ((now & PAUSED) != 0) ? "paused" : "producing";
        return "FlowControlledProducer[" + state + ", into " + this.consumer + "]";
    }

    /**
     * Builds a {@link FlowControlledProducer}. Every hook is optional (default: nothing).
     *
     * @param <T> the type of item
     */
    public static final class Builder<T> {

        private final Consumer<? super T> consumer;

        private Runnable pause = NOTHING;

        private Runnable resume = NOTHING;

        private Runnable stop = NOTHING;

        private java.util.function.@Nullable Consumer<? super FlowControlledProducer<T>> start;

        private Builder(Consumer<? super T> consumer) {
            this.consumer = Objects.requireNonNull(consumer, "consumer");
        }

        /** Pauses the source: called when a write gets {@code false} or the consumer pauses the producer. */
        public Builder<T> onPause(Runnable pause) {
            this.pause = Objects.requireNonNull(pause, "pause");
            return this;
        }

        /** Resumes the source: called when the consumer resumes a producer whose source was paused. */
        public Builder<T> onResume(Runnable resume) {
            this.resume = Objects.requireNonNull(resume, "resume");
            return this;
        }

        /** Closes the source and releases what it holds: called once, last, when the producer is stopped. */
        public Builder<T> onStop(Runnable stop) {
            this.stop = Objects.requireNonNull(stop, "stop");
            return this;
        }

        /**
         * Starts the source once the consumer has registered the producer (a pipe of the Spring starter or the
         * registry registers it; a source that wrote earlier would write into a consumer that owes it nothing).
         * {@code start} is called once, on the first registration, with the producer, by the consumer's producer
         * listener, before any callback to the producer: the place to hand {@link #write} to the source's thread.
         *
         * @param start starts the source; must not block
         * @return this builder
         * @throws IllegalArgumentException if the consumer tells no producer listeners of its registrations (it is
         *         not a {@link ConsumerSupport}, such as a {@link BufferedConsumer})
         */
        public Builder<T> whenRegistered(java.util.function.Consumer<? super FlowControlledProducer<T>> start) {
            Objects.requireNonNull(start, "start");
            if (!(this.consumer instanceof ConsumerSupport<?>)) {
                throw new IllegalArgumentException("whenRegistered needs a consumer with producer listeners (a "
                        + "ConsumerSupport such as BufferedConsumer), not " + this.consumer);
            }
            this.start = start;
            return this;
        }

        /** Builds the producer; register it with the consumer (or let a pipe register it). */
        public FlowControlledProducer<T> build() {
            FlowControlledProducer<T> producer = new FlowControlledProducer<>(this);
            java.util.function.Consumer<? super FlowControlledProducer<T>> starter = this.start;
            if (starter != null) {
                ((ConsumerSupport<?>) this.consumer).addProducerListener(new StartWhenRegistered<>(producer, starter));
            }
            return producer;
        }
    }

    /** Starts the source on the producer's first registration. */
    private static final class StartWhenRegistered<T> implements ProducerListener {

        private final FlowControlledProducer<T> producer;

        private final java.util.function.Consumer<? super FlowControlledProducer<T>> start;

        private final AtomicBoolean started = new AtomicBoolean();

        StartWhenRegistered(FlowControlledProducer<T> producer,
                java.util.function.Consumer<? super FlowControlledProducer<T>> start) {
            this.producer = producer;
            this.start = start;
        }

        @Override
        public void registered(Producer registered, boolean streaming) {
            if (registered == this.producer && this.started.compareAndSet(false, true)) {
                this.start.accept(this.producer);
            }
        }
    }
}
