package dev.sluice;

import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.internal.Log;
import dev.sluice.internal.SignalLane;
import org.jspecify.annotations.Nullable;

/**
 * Producer bookkeeping for consumers: the port of Twisted's {@code _ConsumerMixin}, made safe for many threads.
 *
 * <p>It keeps the registered producer and makes every call to it, and every {@link ProducerListener} event, through
 * one serialized <em>signal lane</em> ({@link SignalLane}): whichever thread finds the lane idle delivers what is
 * pending; a thread that finds it busy records its change and leaves, and the owner delivers it right after its
 * current callback. No thread ever waits for another. A subclass says what it wants by overriding
 * {@link #shouldPauseProducer()} and calling {@link #producerStateChanged()} when that answer may have changed (the
 * lane makes a push producer's state match, edge-triggered: one pause per change, a resume only to balance a pause),
 * {@link #pauseWanted()} from the write that made it true, {@link #requestMore()} when a pull producer should write one
 * more chunk, and {@link #stopProducer()} when the consumer has gone.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Callbacks never overlap, arrive in the order of the state changes that caused them, each after its cause, and
 *       none is lost; no library lock is held while one runs, so a callback may call back into the consumer.</li>
 *   <li>Listener events ({@code registered}, {@code unregistered}, {@code paused}, {@code resumed}, {@code stopped},
 *       {@code failed}) come from the lane in the same order, a {@code registered} before any callback to that
 *       producer.</li>
 *   <li>Every stop goes through the lane, the one for a producer registered with a consumer that has gone included
 *       (FD-2), so it never overlaps another callback; no callback follows it.</li>
 *   <li>Nesting: the only callback a thread receives from inside its own {@code write} is the {@code pauseProducing}
 *       that this write made due, delivered before the write returns when the lane is idle or when the writer is the
 *       push producer writing from inside its own {@code resumeProducing} (Twisted's FD-12). Anything else that
 *       becomes due meanwhile — a resume after another thread drained the buffer, a stop — is handed to the
 *       consumer's {@linkplain #signalExecutor() signal executor}. <strong>The one exception</strong>: a consumer with
 *       no signal executor (a {@link BufferedConsumer} that drains inline), or whose executor has just thrown, has no
 *       other thread to hand it to, so the writing thread delivers it before its write returns. A producer that holds a non-reentrant lock around
 *       {@code write} and takes the same lock in {@code resumeProducing} or {@code stopProducing} must therefore
 *       give its consumer an executor ({@link BufferedConsumer.Builder#drainOn}).</li>
 *   <li>No unbounded recursion: a pull producer that writes from inside {@code resumeProducing} is asked for its next
 *       chunk after that call returns.</li>
 * </ul>
 *
 * <p>Decisions where Twisted is accidental (twisted-spec §12): a new registration starts un-paused whatever the last
 * one was (FD-4); a push producer registered while {@link #shouldPauseProducer()} is already true is paused at once,
 * since pauses are edge-triggered and no later write would send one (FD-3, FD-10).
 *
 * <p>The lane also keeps the figures an operator wants, with plain stores and no clock read on the write path:
 * {@link #producerPauses()}, {@link #producerPausedNanos()} and {@link #currentPauseNanos()}.
 *
 * @param <T> the type of data written
 */
public abstract class ConsumerSupport<T> implements Consumer<T> {

    private static final Log log = Log.of(ConsumerSupport.class);

    private final String name;

    private final AtomicReference<@Nullable Registration> registration = new AtomicReference<>();

    /** Registrations, unregistrations and stops, in the order they happened; the lane delivers them in that order. */
    private final Queue<Event> events = new ConcurrentLinkedQueue<>();

    /** Every hold in force, counted and keyed: one word for the write path to read. */
    private final AtomicInteger holds = new AtomicInteger();

    private final AtomicInteger anonymousHolds = new AtomicInteger();

    /**
     * Every reason for a pause that has arisen (a crossing of the high-water mark, a hold placed). A pause is
     * delivered for each, even when the buffer has drained again before the lane looks, so that a producer that saw
     * {@code write} return {@code false} always gets the pause and the resume that follows it.
     */
    private final AtomicLong pauseReasons = new AtomicLong();

    private final Set<Object> keyedHolds = ConcurrentHashMap.newKeySet();

    private final CopyOnWriteArrayList<ProducerListener> listeners = new CopyOnWriteArrayList<>();

    private final SignalLane lane = new SignalLane();

    /** Whether a lane run has been handed to the signal executor and has not started yet. */
    private final AtomicBoolean laneRunQueued = new AtomicBoolean();

    private final Runnable queuedLaneRun = this::runQueuedLane;

    /** Listener events made by the lane and not yet delivered; lane-confined. */
    private final java.util.ArrayDeque<java.util.function.Consumer<ProducerListener>> announcements =
            new java.util.ArrayDeque<>();

    /** The push registration whose resumeProducing runs on the lane owner's thread; lane-confined. */
    private @Nullable Registration resuming;

    /** Pauses delivered; written on the lane only. */
    private volatile long pauses;

    /** Paused time of finished pauses; written on the lane only. */
    private volatile long pausedNanos;

    /** {@link System#nanoTime()} when the pause in progress began, or 0; written on the lane only. */
    private volatile long pausedSince;

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

    /**
     * The executor that takes over the lane when a writer, having delivered its own pause, finds a resume or a stop
     * due (see the nesting rule in the class description); {@code null} (the default) when the consumer has none, and
     * the writer then delivers it itself.
     */
    protected @Nullable Executor signalExecutor() {
        return null;
    }

    /**
     * Called when the {@link #signalExecutor()} refused or failed to take the lane; the lane has been run on the
     * calling thread instead. The default logs it; {@link BufferedConsumer} also disconnects.
     *
     * @param failure what the executor threw
     */
    protected void signalExecutorFailed(Throwable failure) {
        log.error("Signal executor of consumer '{}' failed; signals were delivered on the writing thread", this.name,
                failure);
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
            // FD-2: a consumer that has gone stops the producer and keeps nothing; the stop goes through the lane
            if (this.registration.compareAndSet(fresh, null)) {
                this.events.add(new Event(EventKind.STOP, fresh));
                runLane();
            }
            return;
        }
        if (!streaming) {
            fresh.wantsMore.set(true); // FD-3: a pull producer is asked for its first chunk now
        }
        this.events.add(new Event(EventKind.REGISTERED, fresh));
        runLane();
    }

    @Override
    public final void unregisterProducer() {
        Registration gone = this.registration.getAndSet(null);
        if (gone != null) {
            this.events.add(new Event(EventKind.UNREGISTERED, gone));
            runLane();
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

    /** How many times a producer of this consumer has been paused. */
    public final long producerPauses() {
        return this.pauses;
    }

    /** Total time producers of this consumer have spent paused, the pause in progress included, in nanoseconds. */
    public final long producerPausedNanos() {
        return this.pausedNanos + currentPauseNanos();
    }

    /** How long the pause in progress has lasted, in nanoseconds; 0 when the producer is not paused. */
    public final long currentPauseNanos() {
        long since = this.pausedSince;
        return (since != 0) ? Math.max(0, System.nanoTime() - since) : 0;
    }

    /**
     * Adds an operator's reason to keep the producer paused, on top of the buffer's. Holds nest: the producer resumes
     * only when every hold is released and the buffer no longer wants it paused. A held pull producer is not asked
     * for more until released.
     */
    public final void holdProducer() {
        this.anonymousHolds.incrementAndGet();
        this.holds.incrementAndGet();
        this.pauseReasons.incrementAndGet();
        runLane();
    }

    /**
     * Releases one {@link #holdProducer()}.
     *
     * @throws IllegalStateException if there is no hold to release
     */
    public final void releaseProducer() {
        int left = this.anonymousHolds.getAndUpdate(count -> (count > 0) ? count - 1 : count);
        if (left == 0) {
            throw new IllegalStateException("Consumer '" + this.name + "' has no producer hold to release");
        }
        this.holds.decrementAndGet();
        runLane();
    }

    /**
     * Places the hold called {@code key}, if it is not in place already: idempotent, so that callers on several
     * threads (an operator's pause and resume) need no ordering between them.
     *
     * @param key who holds; compared with {@code equals}
     */
    public final void hold(Object key) {
        if (this.keyedHolds.add(Objects.requireNonNull(key, "key"))) {
            this.holds.incrementAndGet();
            this.pauseReasons.incrementAndGet();
            runLane();
        }
    }

    /**
     * Withdraws the hold called {@code key}, if it is in place.
     *
     * @param key who held
     */
    public final void release(Object key) {
        if (this.keyedHolds.remove(Objects.requireNonNull(key, "key"))) {
            this.holds.decrementAndGet();
            runLane();
        }
    }

    /** Whether an operator hold is in force. */
    public final boolean isProducerHeld() {
        return this.holds.get() > 0;
    }

    /**
     * Whether the consumer wants its producer to go on writing: no operator hold, and the buffer does not want it
     * paused. What {@link Consumer#write} returns.
     */
    public boolean isWritable() {
        return !isProducerHeld() && !shouldPauseProducer();
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
     * Tells the lane that {@link #shouldPauseProducer()} may have changed. The resulting pause or resume is delivered
     * now when the lane is idle, right after the current callback otherwise.
     */
    protected final void producerStateChanged() {
        runLane();
    }

    /**
     * Like {@link #producerStateChanged()}, for the write that has just made {@link #shouldPauseProducer()} true: the
     * pause is delivered before the write returns if the lane is idle, or if the writer is the push producer writing
     * from inside its own {@code resumeProducing} (FD-12); otherwise by the thread running the lane, right after its
     * current callback. Never waits.
     */
    protected final void pauseWanted() {
        this.pauseReasons.incrementAndGet();
        if (this.lane.isOwnedByCurrentThread()) {
            pauseFromInsideResume(false);
            return;
        }
        if (this.lane.enter()) {
            runOwnedLane(1, signalExecutor());
        }
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
        stopped(this.registration.getAndSet(null));
    }

    /**
     * Like {@link #stopProducer()}, but only if {@code expected} is the registered producer: an operator's stop by name
     * cannot stop a producer that registered in its place meanwhile.
     *
     * @param expected the producer to stop
     * @return whether it was registered, and is now stopped
     */
    public final boolean stopProducer(Producer expected) {
        Objects.requireNonNull(expected, "expected");
        for (;;) {
            Registration current = this.registration.get();
            if (current == null || current.producer != expected) {
                return false;
            }
            if (this.registration.compareAndSet(current, null)) {
                stopped(current);
                return true;
            }
        }
    }

    private void stopped(@Nullable Registration gone) {
        if (gone != null) {
            this.events.add(new Event(EventKind.STOP, gone));
            if (this.lane.isOwnedByCurrentThread()) {
                // a producer writing in a loop inside its resume is paused from inside the write that lost the
                // consumer, so that it returns and its stop can follow
                pauseFromInsideResume(true);
            }
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

    /**
     * Called by a subclass when a write arrives after the consumer has gone. If the writer is a push producer writing
     * from inside its own {@code resumeProducing}, it is paused from inside that write, so that a producer writing in
     * a loop until paused returns, and its pending {@code stopProducing} can be delivered.
     */
    protected final void writtenAfterLoss() {
        if (this.lane.isOwnedByCurrentThread()) {
            pauseFromInsideResume(true);
        }
    }

    private void runLane() {
        if (this.lane.enter()) {
            runOwnedLane(1, null);
        }
    }

    /**
     * Delivers until nothing is pending. A run started by a write ({@code handOver} not null) delivers pauses only;
     * when something else is due it asks {@code handOver} to run the lane once more, and lets go: the lane stays free
     * meanwhile, so a run queued behind a long drain loop on the same executor cannot keep later pauses waiting.
     */
    private void runOwnedLane(int work, @Nullable Executor handOver) {
        int missed = work;
        for (;;) {
            for (;;) {
                Step step = deliverNext(handOver != null);
                if (step == Step.IDLE) {
                    break;
                }
                if (step == Step.NEEDS_HAND_OVER) {
                    if (handOver != null && scheduleLaneRun(handOver)) {
                        break;
                    }
                    handOver = null; // the executor failed: this thread delivers it after all
                }
            }
            missed = this.lane.leave(missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Asks {@code executor} to run the lane, unless a run is queued there already; false if the executor failed. */
    private boolean scheduleLaneRun(Executor executor) {
        if (!this.laneRunQueued.compareAndSet(false, true)) {
            return true;
        }
        try {
            executor.execute(this.queuedLaneRun);
            return true;
        }
        catch (Throwable failure) {
            if (failure instanceof VirtualMachineError error) {
                throw error;
            }
            this.laneRunQueued.set(false);
            signalExecutorFailed(failure);
            return false;
        }
    }

    private void runQueuedLane() {
        this.laneRunQueued.set(false);
        runLane();
    }

    private enum Step {
        DELIVERED, IDLE, NEEDS_HAND_OVER
    }

    /**
     * Delivers the next thing due, if any: a registration event, else a producer signal, else one queued listener
     * event. Lane owner only.
     */
    private Step deliverNext(boolean pausesOnly) {
        Step step = deliverNextSignal(pausesOnly);
        if (step != Step.IDLE) {
            return step;
        }
        java.util.function.Consumer<ProducerListener> announcement = this.announcements.poll();
        if (announcement == null) {
            return Step.IDLE;
        }
        notifyListeners(announcement);
        return Step.DELIVERED;
    }

    private Step deliverNextSignal(boolean pausesOnly) {
        Event event = this.events.peek();
        if (event != null) {
            if (event.kind == EventKind.STOP && pausesOnly) {
                return Step.NEEDS_HAND_OVER;
            }
            this.events.poll();
            handle(event);
            return Step.DELIVERED;
        }
        Registration current = this.registration.get();
        if (current == null || current.phase != Registration.ANNOUNCED) {
            return Step.IDLE; // its REGISTERED event is on its way
        }
        if (current.streaming) {
            long reasons = this.pauseReasons.get();
            boolean pause = wantsPause();
            if (current.paused) {
                current.pausedFor = reasons; // a pause in force answers every reason that arose meanwhile
                if (pause) {
                    return Step.IDLE;
                }
                if (pausesOnly) {
                    return Step.NEEDS_HAND_OVER;
                }
                current.paused = false;
                pauseEnded();
                this.resuming = current;
                try {
                    deliver(current, Signal.RESUME);
                }
                finally {
                    this.resuming = null;
                }
                return Step.DELIVERED;
            }
            if (!pause && reasons == current.pausedFor) {
                return Step.IDLE;
            }
            current.paused = true;
            current.pausedFor = reasons;
            pauseDelivered();
            deliver(current, Signal.PAUSE);
            return Step.DELIVERED;
        }
        if (!isProducerHeld() && current.wantsMore.get()) {
            if (pausesOnly) {
                return Step.NEEDS_HAND_OVER;
            }
            current.wantsMore.set(false);
            deliver(current, Signal.RESUME);
            return Step.DELIVERED;
        }
        return Step.IDLE;
    }

    private void handle(Event event) {
        Registration target = event.registration;
        Producer producer = target.producer;
        switch (event.kind) {
            case REGISTERED -> {
                // an unregistration or stop that overtook this event has already retired the registration
                if (target.phase == Registration.NEW) {
                    target.phase = Registration.ANNOUNCED;
                    target.pausedFor = this.pauseReasons.get(); // reasons from before it came need no pause of it
                    // at once, before any callback to it: a listener may act on it (the registry applies a standing
                    // operator order) before the producer is first asked for data
                    notifyListeners(listener -> listener.registered(producer, target.streaming));
                }
            }
            case UNREGISTERED -> {
                if (target.phase == Registration.ANNOUNCED) {
                    endPauseOf(target);
                    notifyListeners(listener -> listener.unregistered(producer));
                }
                target.phase = Registration.RETIRED;
            }
            case STOP -> {
                if (target.phase == Registration.ANNOUNCED) {
                    endPauseOf(target);
                }
                target.phase = Registration.RETIRED;
                deliver(target, Signal.STOP);
            }
        }
    }

    /**
     * The lane owner re-enters from a write made inside a push producer's resumeProducing (FD-12): the producer is
     * paused at once if the buffer now wants it paused, or, after a loss, so that a producer writing in a loop until
     * paused returns and its stop can follow.
     */
    private void pauseFromInsideResume(boolean lost) {
        Registration current = this.resuming;
        if (current == null || current.paused) {
            return;
        }
        boolean stillRegistered = current == this.registration.get();
        if ((lost && !stillRegistered) || (stillRegistered && wantsPause())) {
            current.paused = true;
            current.pausedFor = this.pauseReasons.get();
            pauseDelivered();
            deliver(current, Signal.PAUSE);
        }
    }

    private boolean wantsPause() {
        return isProducerHeld() || shouldPauseProducer();
    }

    private void pauseDelivered() {
        this.pauses++; // lane-confined writer
        this.pausedSince = nonZeroNanoTime();
    }

    private void pauseEnded() {
        long since = this.pausedSince;
        if (since != 0) {
            this.pausedNanos += Math.max(0, System.nanoTime() - since);
            this.pausedSince = 0;
        }
    }

    private void endPauseOf(Registration target) {
        if (target.paused) {
            pauseEnded();
        }
    }

    private static long nonZeroNanoTime() {
        long now = System.nanoTime();
        return (now != 0) ? now : 1;
    }

    private void deliver(Registration target, Signal signal) {
        Producer producer = target.producer;
        if (!this.listeners.isEmpty()) {
            // queued as the call is made, so listeners see the calls in the producer's order, a nested pause included
            switch (signal) {
                case PAUSE -> announce(listener -> listener.paused(producer));
                case RESUME -> announce(listener -> listener.resumed(producer));
                case STOP -> announce(listener -> listener.stopped(producer));
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
                announce(listener -> listener.failed(producer, failure));
            }
            producerFailed(producer, failure);
        }
    }

    /**
     * Queues a listener event. Lane-confined: the lane delivers queued events in order, one at a time, each after
     * any producer signal that has become due, so a slow listener delays a pause by one event at most.
     */
    private void announce(java.util.function.Consumer<ProducerListener> event) {
        if (!this.listeners.isEmpty()) {
            this.announcements.add(event);
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

    private enum EventKind {
        REGISTERED, UNREGISTERED, STOP
    }

    private record Event(EventKind kind, Registration registration) {
    }

    /** One registration of one producer; a new registration starts un-paused (FD-4). */
    private static final class Registration {

        final Producer producer;

        final boolean streaming;

        /** The state the last callback gave the producer; written on the lane only. */
        volatile boolean paused;

        static final int NEW = 0;

        static final int ANNOUNCED = 1;

        static final int RETIRED = 2;

        /** NEW until the lane has delivered its REGISTERED event, RETIRED once unregistered or stopped; lane only. */
        int phase = NEW;

        /** The count of pause reasons the last pause delivered answered; lane only. */
        long pausedFor;

        /** A pull producer owes one resumeProducing call. */
        final AtomicBoolean wantsMore = new AtomicBoolean();

        Registration(Producer producer, boolean streaming) {
            this.producer = producer;
            this.streaming = streaming;
        }
    }
}
