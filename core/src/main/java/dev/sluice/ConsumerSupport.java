package dev.sluice;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * Producer bookkeeping for consumers: the port of Twisted's {@code _ConsumerMixin}, made safe for many threads.
 *
 * <p>It keeps the registered producer and whether it streams, and makes every call to it through one serialized
 * <em>signal lane</em>: a lock-free work-in-progress counter that lets one thread at a time deliver callbacks while
 * other threads only record what they want and leave. A subclass says what it wants by overriding
 * {@link #shouldPauseProducer()} and calling {@link #producerStateChanged()} when that answer may have changed (the
 * lane then makes the push producer's state match, edge-triggered: one pause per change, a resume only to balance a
 * pause), {@link #requestMore()} when a pull producer should write one more chunk, and {@link #stopProducer()} when
 * the consumer has gone. This is what makes {@link Consumer}'s threading rules hold:
 * <ul>
 *   <li>callbacks never overlap and are made in the order the state changed, each after the change that caused it;
 *   </li>
 *   <li>a request made while a callback runs is delivered right after it returns, by the thread that made the
 *       callback, so none is lost and none recurses: a pull producer that writes from {@code resumeProducing} is
 *       asked for its next chunk after it returns, however many chunks it writes;</li>
 *   <li>the one nested call is Twisted's: when a push producer writes from inside {@code resumeProducing} and that
 *       write makes {@link #shouldPauseProducer()} true, {@code pauseProducing} is called at once, from inside the
 *       write, so a synchronous producer stops in time;</li>
 *   <li>no lock is held while a callback runs.</li>
 * </ul>
 *
 * <p>When another thread is in the middle of a callback, a change is delivered when that callback returns rather
 * than at once, so a producer writing from its own thread may write a little more before its pause arrives.
 *
 * <p>Subclasses provide Twisted's three connection attributes ({@link #isConnected()}, {@link #isDisconnecting()},
 * {@link #isDisconnected()}) and {@link #startWriting()}.
 *
 * <p>Decisions where Twisted is accidental (twisted-spec §12): a new registration starts un-paused whatever the last
 * one was (FD-4); a push producer registered while {@link #shouldPauseProducer()} is already true is paused at once,
 * since pauses are edge-triggered and no later write would send one (FD-3, FD-10).
 *
 * @param <T> the type of data written
 */
public abstract class ConsumerSupport<T> implements Consumer<T> {

    private static final Log log = Log.of(ConsumerSupport.class);

    private final String name;

    private final AtomicReference<@Nullable Registration> registration = new AtomicReference<>();

    private final Queue<Registration> stops = new ConcurrentLinkedQueue<>();

    private final AtomicInteger holds = new AtomicInteger();

    private final CopyOnWriteArrayList<ProducerListener> listeners = new CopyOnWriteArrayList<>();

    private final AtomicInteger laneWork = new AtomicInteger();

    private final AtomicReference<@Nullable LaneWaiter> laneWaiter = new AtomicReference<>();

    private volatile @Nullable Thread laneOwner;

    /** The push registration whose resumeProducing is running on the lane owner's thread; lane-confined. */
    private @Nullable Registration resuming;

    /**
     * Creates the support for a consumer called {@code name}, the name that log messages and errors use.
     *
     * @param name the consumer's name
     */
    protected ConsumerSupport(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Returns the name given at construction. */
    public final String name() {
        return this.name;
    }

    /** Whether the consumer still has somewhere to send data (Twisted's {@code connected}). */
    protected abstract boolean isConnected();

    /** Whether the consumer was asked to flush and close (Twisted's {@code disconnecting}). */
    protected abstract boolean isDisconnecting();

    /** Whether the consumer has nowhere to send data any more (Twisted's {@code disconnected}). */
    protected abstract boolean isDisconnected();

    /**
     * Makes the consumer look at its buffer soon: called by {@link #unregisterProducer()} while disconnecting, so that
     * a pending close can complete (FD-5).
     */
    protected abstract void startWriting();

    /**
     * Whether a push producer should be paused now, as far as the buffer is concerned. Called on the signal lane;
     * must be cheap and must not call the producer. Operator holds ({@link #holdProducer()}) are added on top.
     */
    protected boolean shouldPauseProducer() {
        return false;
    }

    @Override
    public final void registerProducer(Producer producer, boolean streaming) {
        Objects.requireNonNull(producer, "producer");
        if (streaming && !(producer instanceof PushProducer)) {
            throw new IllegalArgumentException("Cannot register " + producer + " with consumer '" + this.name
                    + "' as streaming: it is not a PushProducer");
        }
        Registration fresh = new Registration(producer, streaming);
        if (!this.registration.compareAndSet(null, fresh)) {
            throw new IllegalStateException("Cannot register producer " + producer + " with consumer '" + this.name
                    + "', because producer " + currentProducerOrNone() + " was never unregistered");
        }
        if (isDisconnected()) {
            // FD-2: a consumer that has gone stops the producer at once and keeps nothing
            if (this.registration.compareAndSet(fresh, null)) {
                deliver(fresh, Signal.STOP);
            }
            return;
        }
        notifyListeners(listener -> listener.registered(producer, streaming));
        if (!streaming) {
            fresh.wantsMore.set(true); // FD-3: a pull producer is asked for its first chunk now
        }
        runLane();
    }

    @Override
    public final void unregisterProducer() {
        Registration gone = this.registration.getAndSet(null);
        if (gone != null) {
            notifyListeners(listener -> listener.unregistered(gone.producer));
        }
        if (isConnected() && isDisconnecting()) {
            startWriting();
        }
    }

    /** Returns the registered producer, or {@code null} (Twisted's {@code producer}). */
    public final @Nullable Producer producer() {
        Registration current = this.registration.get();
        return (current != null) ? current.producer : null;
    }

    /** Whether the registered producer is a push producer (Twisted's {@code streamingProducer}). */
    public final boolean isStreamingProducer() {
        Registration current = this.registration.get();
        return current != null && current.streaming;
    }

    /**
     * Whether the registered push producer has been paused and not yet resumed (Twisted's {@code producerPaused}):
     * the state of the last callback made, not of the buffer.
     */
    public final boolean isProducerPaused() {
        Registration current = this.registration.get();
        return current != null && current.paused;
    }

    /**
     * Adds an operator's reason to keep the producer paused, on top of the buffer's. Holds nest: the producer resumes
     * only when every hold is released and the buffer no longer wants it paused. A held pull producer is not asked
     * for more until released.
     */
    public final void holdProducer() {
        this.holds.incrementAndGet();
        runLane();
    }

    /**
     * Releases one {@link #holdProducer()}.
     *
     * @throws IllegalStateException if there is no hold to release
     */
    public final void releaseProducer() {
        int left = this.holds.getAndUpdate(count -> (count > 0) ? count - 1 : count);
        if (left == 0) {
            throw new IllegalStateException("Consumer '" + this.name + "' has no producer hold to release");
        }
        runLane();
    }

    /** Whether an operator hold is in force. */
    public final boolean isProducerHeld() {
        return this.holds.get() > 0;
    }

    /** Adds a listener for registrations and producer callbacks. */
    public final void addProducerListener(ProducerListener listener) {
        this.listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added with {@link #addProducerListener}. */
    public final void removeProducerListener(ProducerListener listener) {
        this.listeners.remove(listener);
    }

    /**
     * Tells the lane that {@link #shouldPauseProducer()} may have changed. Delivers the resulting pause or resume now
     * when no other callback is running, right after it otherwise.
     */
    protected final void producerStateChanged() {
        runLane(false);
    }

    /**
     * Like {@link #producerStateChanged()}, for the write that has just made {@link #shouldPauseProducer()} true.
     * When another thread is inside a callback, this thread waits for that callback to return and delivers the
     * pause itself, so the write does not return before the producer is paused. It gives up waiting, leaving the
     * pause to the other thread, if that thread is blocked inside the callback, so a callback that waits for a lock
     * the writer holds cannot deadlock.
     */
    protected final void pauseWanted() {
        runLane(true);
    }

    /**
     * Asks a registered pull producer for one more chunk (Twisted calls this after each complete drain). Requests
     * made before the producer has been called coalesce into one call. Does nothing for a push producer.
     */
    protected final void requestMore() {
        Registration current = this.registration.get();
        if (current != null && !current.streaming) {
            current.wantsMore.set(true);
            runLane();
        }
    }

    /**
     * Stops the registered producer for good: it is unregistered at once and its {@code stopProducing} is called on
     * the lane, after any callback in progress, never from inside one. Consumers call this when they have gone
     * (FD-16); an operator may call it to stop a producer by hand, and a consumer waiting to close then closes.
     */
    public final void stopProducer() {
        Registration gone = this.registration.getAndSet(null);
        if (gone != null) {
            this.stops.add(gone);
            runLane();
            if (isConnected() && isDisconnecting()) {
                startWriting();
            }
        }
    }

    /**
     * Called on the lane when a producer callback throws. The default logs it; subclasses decide what else follows
     * (Twisted drops the connection, TCP-2).
     *
     * @param producer the producer whose callback failed
     * @param failure what it threw
     */
    protected void producerFailed(Producer producer, Throwable failure) {
        log.error("Producer {} of consumer '{}' threw from a callback", producer, this.name, failure);
    }

    private void runLane() {
        runLane(false);
    }

    /**
     * Runs the signal lane, or leaves the work to the thread running it. With {@code awaitPause}, a thread whose
     * write has just made the buffer want a pause while another thread is inside a callback waits for that callback
     * to return and takes the lane over, so the pause reaches the producer before the write returns.
     */
    private void runLane(boolean awaitPause) {
        Thread me = Thread.currentThread();
        if (this.laneWork.getAndIncrement() == 0) {
            this.laneOwner = me;
            ownLane(me, 1);
            return;
        }
        if (this.laneOwner == me) {
            pauseFromInsideResume();
        }
        else if (awaitPause) {
            int handed = awaitHandOff(me);
            if (handed > 0) {
                ownLane(me, handed);
            }
        }
    }

    /** Delivers signals until nothing is pending, or hands the lane to a waiting writer. */
    private void ownLane(Thread me, int missed) {
        for (;;) {
            if (handOff(missed)) {
                return;
            }
            if (deliverNext()) {
                continue;
            }
            this.laneOwner = null;
            missed = this.laneWork.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
            this.laneOwner = me;
        }
    }

    /**
     * Waits, as a writer whose write wants a pause, until the lane owner hands the lane over (returns the work count
     * handed), or until waiting is pointless: the lane went idle, so the pause was delivered, or the owner is blocked
     * inside a callback, perhaps on something this thread holds, so it delivers the pause when it can (returns 0).
     */
    private int awaitHandOff(Thread me) {
        LaneWaiter waiter = new LaneWaiter(me);
        if (!this.laneWaiter.compareAndSet(null, waiter)) {
            return 0;
        }
        for (int round = 0;; round++) {
            if (waiter.state == LaneWaiter.HANDED) {
                return waiter.handedWork;
            }
            if (this.laneWork.get() == 0 || ownerIsStuck()) {
                if (waiter.withdraw()) {
                    this.laneWaiter.compareAndSet(waiter, null);
                    return 0;
                }
                return waiter.handedWork; // handed over meanwhile
            }
            // the owner is usually a few instructions from the end of its callback: spin, then let it have the CPU
            // (two cores are common), and park only if it takes longer, since a timed park costs tens of microseconds
            if (round < 64) {
                Thread.onSpinWait();
            }
            else if (round < 256) {
                Thread.yield();
            }
            else {
                LockSupport.parkNanos(this, 20_000);
            }
        }
    }

    private boolean ownerIsStuck() {
        Thread owner = this.laneOwner;
        if (owner == null) {
            return false;
        }
        Thread.State state = owner.getState();
        return state == Thread.State.BLOCKED || state == Thread.State.WAITING
                || state == Thread.State.TIMED_WAITING;
    }

    /** Hands the lane, with its work count, to a writer waiting to deliver a pause. Owner only. */
    private boolean handOff(int missed) {
        LaneWaiter waiter = this.laneWaiter.get();
        if (waiter == null) {
            return false;
        }
        this.laneOwner = waiter.thread;
        if (!waiter.handOver(missed)) {
            this.laneOwner = Thread.currentThread(); // it withdrew: keep the lane
            return false;
        }
        this.laneWaiter.compareAndSet(waiter, null);
        LockSupport.unpark(waiter.thread);
        return true;
    }

    /**
     * The lane owner is re-entering from a write made inside a push producer's resumeProducing (FD-12): the producer
     * is paused at once if the buffer now wants it paused, or if it was stopped meanwhile (its stop comes when the
     * resume returns, and a producer that writes in a loop until paused would otherwise never return).
     */
    private void pauseFromInsideResume() {
        Registration current = this.resuming;
        if (current == null || current.paused) {
            return;
        }
        boolean stopped = current != this.registration.get() && this.stops.contains(current);
        if (stopped || (current == this.registration.get() && wantsPause())) {
            current.paused = true;
            deliver(current, Signal.PAUSE);
        }
    }

    /**
     * Called by a subclass when a write arrives after the consumer has gone. If the writer is a push producer writing
     * from inside its own {@code resumeProducing}, it is paused from inside that write, so that a producer writing in
     * a loop until paused returns, and its pending {@code stopProducing} can be delivered.
     */
    protected final void writtenAfterLoss() {
        if (this.laneOwner == Thread.currentThread()) {
            this.laneWork.getAndIncrement(); // the owner's loop takes one more turn for this
            pauseFromInsideResume();
        }
    }

    /** Delivers the next pending signal; false if none is pending. Lane owner only. */
    private boolean deliverNext() {
        Registration stopped = this.stops.poll();
        if (stopped != null) {
            deliver(stopped, Signal.STOP);
            return true;
        }
        Registration current = this.registration.get();
        if (current == null) {
            return false;
        }
        if (current.streaming) {
            boolean pause = wantsPause();
            if (pause == current.paused) {
                return false;
            }
            current.paused = pause;
            if (pause) {
                deliver(current, Signal.PAUSE);
            }
            else {
                this.resuming = current;
                try {
                    deliver(current, Signal.RESUME);
                }
                finally {
                    this.resuming = null;
                }
            }
            return true;
        }
        if (this.holds.get() == 0 && current.wantsMore.getAndSet(false)) {
            deliver(current, Signal.RESUME);
            return true;
        }
        return false;
    }

    private boolean wantsPause() {
        return this.holds.get() > 0 || shouldPauseProducer();
    }

    private void deliver(Registration target, Signal signal) {
        Producer producer = target.producer;
        if (!this.listeners.isEmpty()) {
            // before the call, so listeners see the calls in the producer's order, a nested pause included
            switch (signal) {
                case PAUSE -> notifyListeners(listener -> listener.paused(producer));
                case RESUME -> notifyListeners(listener -> listener.resumed(producer));
                case STOP -> notifyListeners(listener -> listener.stopped(producer));
            }
        }
        try {
            switch (signal) {
                case PAUSE -> ((PushProducer) producer).pauseProducing();
                case RESUME -> producer.resumeProducing();
                case STOP -> producer.stopProducing();
            }
        }
        catch (RuntimeException | Error failure) {
            if (failure instanceof VirtualMachineError) {
                throw failure;
            }
            if (!this.listeners.isEmpty()) {
                notifyListeners(listener -> listener.failed(producer, failure));
            }
            producerFailed(producer, failure);
        }
    }

    private void notifyListeners(java.util.function.Consumer<ProducerListener> event) {
        if (this.listeners.isEmpty()) {
            return;
        }
        for (ProducerListener listener : this.listeners) {
            try {
                event.accept(listener);
            }
            catch (RuntimeException ex) {
                log.warn("Producer listener {} of consumer '{}' threw; ignored", listener, this.name, ex);
            }
        }
    }

    private String currentProducerOrNone() {
        Producer current = producer();
        return (current != null) ? current.toString() : "(none)";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + this.name + "]";
    }

    private enum Signal {
        PAUSE, RESUME, STOP
    }

    /** One registration of one producer; a new registration starts un-paused (FD-4). */
    private static final class Registration {

        final Producer producer;

        final boolean streaming;

        /** The state the last callback gave the producer; written on the lane only. */
        volatile boolean paused;

        /** A pull producer owes one resumeProducing call. */
        final AtomicBoolean wantsMore = new AtomicBoolean();

        Registration(Producer producer, boolean streaming) {
            this.producer = producer;
            this.streaming = streaming;
        }
    }

    /** A writer waiting for the lane so that it can deliver its pause itself. */
    private static final class LaneWaiter {

        static final int WAITING = 0;

        static final int HANDED = 1;

        static final int WITHDRAWN = 2;

        private static final java.lang.invoke.VarHandle STATE;

        static {
            try {
                STATE = java.lang.invoke.MethodHandles.lookup().findVarHandle(LaneWaiter.class, "state", int.class);
            }
            catch (ReflectiveOperationException ex) {
                throw new ExceptionInInitializerError(ex);
            }
        }

        final Thread thread;

        volatile int state = WAITING;

        /** The lane's work count, written before the hand-over is published. */
        int handedWork;

        LaneWaiter(Thread thread) {
            this.thread = thread;
        }

        boolean handOver(int work) {
            this.handedWork = work;
            return STATE.compareAndSet(this, WAITING, HANDED);
        }

        boolean withdraw() {
            return STATE.compareAndSet(this, WAITING, WITHDRAWN);
        }
    }
}
