package dev.sluice;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

import dev.sluice.internal.Log;
import dev.sluice.internal.OwnerLoop;
import org.jspecify.annotations.Nullable;

/**
 * Producer bookkeeping for consumers: the port of Twisted's {@code _ConsumerMixin}, made safe for many threads.
 *
 * <p>Everything a consumer does to its producer and its listeners happens on one <em>owner loop</em>
 * ({@link OwnerLoop}): a work-in-progress counter, and the thread that moves it from 0 runs everything that is due
 * until it is back to 0 — queued operations (registrations, unregistrations, stops, operator holds and releases) and
 * the producer callbacks and listener events they and the buffer make due, in order, then the subclass's
 * {@linkplain #drainStep() drain} — on the calling thread, or as one task on the consumer's executor. A thread that
 * finds the loop busy records its change and leaves; the owner looks again before it lets go. No thread ever waits for
 * another, and no lock is held while user code runs.
 *
 * <p>A subclass says what it wants by overriding {@link #shouldPauseProducer()} and {@link #drainStep()}, calls
 * {@link #answerWrite(boolean)} on the way out of every {@code write}, {@link #producerStateChanged()} when the
 * answer of {@code shouldPauseProducer} may have fallen, {@link #requestMore()} when a pull producer should write one
 * more chunk, and {@link #stopProducer()} when the consumer has gone.
 *
 * <h2>Guarantees (DESIGN §4, {@code docs/threading.md})</h2>
 * <ul>
 *   <li>Callbacks never overlap and arrive in the order of the state changes that caused them; none is lost; no
 *       library lock is held while one runs, so a callback may call back into the consumer.</li>
 *   <li><strong>{@code false} is a promise.</strong> A {@code write} that returned {@code false} is followed by
 *       {@code resumeProducing} or {@code stopProducing} to the producer that got it, whenever and on whatever thread
 *       its registration was announced: a push producer that got {@code false} and was not paused is paused and then
 *       resumed (pause and resume stay edge-triggered and alternate); a pull producer is asked for more once the
 *       buffer has drained (FD-11a). Nothing is owed to a producer that unregistered itself.</li>
 *   <li>Listener events ({@code registered}, {@code unregistered}, {@code paused}, {@code resumed}, {@code stopped},
 *       {@code failed}) come from the loop in the order of the callbacks: {@code registered} before any callback to
 *       that producer, {@code paused}, {@code resumed} and {@code stopped} right before the call they announce.</li>
 *   <li>Every stop goes through the loop, the one for a producer registered with a consumer that has gone included
 *       (FD-2); no callback follows it.</li>
 *   <li>Nesting: with an executor, the loop runs there and a writer receives no callback at all. With none (the
 *       inline drain), the writer that finds the loop idle runs it and delivers what is due; a push producer writing
 *       from inside its own {@code resumeProducing} gets the pause its write made due before that write returns
 *       (FD-12). An executor that runs tasks on the caller ({@code Runnable::run}, Spring's
 *       {@code SyncTaskExecutor}, {@code CallerRunsPolicy}) behaves like the inline drain.</li>
 *   <li>Exception-safe: the loop lets go of its ownership in a {@code finally}; every call into user code catches
 *       {@link Throwable}. A producer callback that throws is reported to {@link #producerFailed}; a listener that
 *       throws is logged and ignored; a {@link VirtualMachineError} fails the consumer and is rethrown once the loop
 *       has let go.</li>
 *   <li>No unbounded recursion: a pull producer that writes from inside {@code resumeProducing} is asked for its next
 *       chunk after that call returns, by the same loop.</li>
 * </ul>
 *
 * <p>Decisions where Twisted is accidental (twisted-spec §12): a new registration starts un-paused whatever the last
 * one was (FD-4); a push producer registered while {@link #shouldPauseProducer()} is already true is paused at once,
 * since pauses are edge-triggered and no later write would send one (FD-3, FD-10).
 *
 * <p>The loop also keeps the figures an operator wants: {@link #producerPauses()}, {@link #producerPausedNanos()}
 * (never decreasing) and {@link #currentPauseNanos()}.
 *
 * @param <T> the type of data written
 */
public abstract class ConsumerSupport<T> implements Consumer<T> {

    private static final Log log = Log.of(ConsumerSupport.class);

    /** How many queued operations one call of the loop's signal step applies before it lets the drain step run. */
    private static final int OPERATIONS_PER_ROUND = 256;

    /** The key of every anonymous hold ({@link #holdProducer()}); counted, where a keyed hold is a set member. */
    private static final Object ANONYMOUS = new Object() {
        @Override
        public String toString() {
            return "anonymous hold";
        }
    };

    private final String name;

    private final OwnerLoop loop;

    /** The claim of the registered producer: set at once by registerProducer, announced later by the loop. */
    private final AtomicReference<@Nullable Registration> registration = new AtomicReference<>();

    /** Operations for the loop, in the order they happened. */
    private final Queue<Operation> operations = new ConcurrentLinkedQueue<>();

    private final CopyOnWriteArrayList<ProducerListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * Producers whose stop is queued and not yet delivered, each with how many such stops: no longer registered, still
     * this consumer's to stop. By identity, as the slot and the registry compare producers: two producers that are
     * equal are still two. Counted, since an operator's stop waiting for a callback (STOP_LEFT) and the stop of a
     * registration the producer made again meanwhile are both on their way at once.
     */
    private final Map<Identity, Integer> stopsOnTheirWay = new ConcurrentHashMap<>();

    /**
     * The producer the loop may be calling now (set before it reads the registration slot, cleared after the call):
     * one that has left the slot while the loop is inside its callback is still this consumer's to stop.
     */
    private volatile @Nullable Producer calling;

    /**
     * The holds asked for and not released, by key (anonymous ones counted under {@link #ANONYMOUS}): what
     * {@code write} answers and {@link #isProducerHeld()} report from the moment a hold call returns. Each key changes
     * atomically with {@link #holdsAsked}; the loop decides the producer's callbacks from its own copy, applied in the
     * order of the calls.
     */
    private final ConcurrentHashMap<Object, Integer> holdsByKey = new ConcurrentHashMap<>();

    /** How many holds are asked for now: keys held, anonymous holds each counted. */
    private final AtomicInteger holdsAsked = new AtomicInteger();

    /** Pause figures, replaced as a whole by the loop at each pause and resume, so a reader sees one snapshot. */
    private volatile PauseClock pauseClock = PauseClock.NEVER;

    /** The largest paused time reported, so that readers never see it go back. */
    private final AtomicLong pausedNanosReported = new AtomicLong();

    // ---- loop-confined state

    /** The registration the loop has announced and not retired. */
    private @Nullable Registration current;

    /** Holds by key (anonymous ones counted under {@link #ANONYMOUS}), as the loop has applied them. */
    private final Map<Object, Integer> holds = new HashMap<>();

    /** The holds the loop has applied and not released. */
    private int holdsApplied;

    /** The push registration whose resumeProducing the loop is running, for FD-12's nested pause. */
    private @Nullable Registration resuming;

    /**
     * Creates the support for a consumer called {@code name} whose loop runs on the calling thread.
     *
     * @param name the consumer's name, used by log messages and errors
     */
    protected ConsumerSupport(String name) {
        this(name, null);
    }

    /**
     * Creates the support for a consumer called {@code name} whose loop runs on {@code executor}, or on the calling
     * thread when it is {@code null}.
     *
     * @param name the consumer's name, used by log messages and errors
     * @param executor where the owner loop runs, or {@code null} for the calling thread
     */
    protected ConsumerSupport(String name, @Nullable Executor executor) {
        this.name = Objects.requireNonNull(name, "name");
        this.loop = new OwnerLoop(name, executor, new Rounds());
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
     * Whether a push producer should be paused now, as far as the buffer is concerned. Called on the loop; must be
     * cheap and must not call the producer. Operator holds ({@link #hold(Object)}) are added on top.
     */
    protected boolean shouldPauseProducer() {
        return false;
    }

    /**
     * Whether nothing is buffered, so that no drain is coming to ask a pull producer for more (FD-11a); called on the
     * loop. The default says yes; a consumer with a buffer answers for it.
     */
    protected boolean isDrained() {
        return true;
    }

    /**
     * Moves buffered data on; called by the loop after the producer signals of each round, and again whenever a round
     * made more work. The default does nothing. Runs on the loop only, so it needs no lock of its own.
     */
    protected void drainStep() {
    }

    /**
     * Called when the loop's executor refused or failed to take the loop; the calling thread then runs the loop
     * itself. The default logs it; {@link BufferedConsumer} also fails the consumer.
     *
     * @param failure what the executor threw
     */
    protected void loopExecutorFailed(Throwable failure) {
        log.error("Executor of consumer '{}' failed to take its loop; the loop ran on the calling thread", this.name,
                failure);
    }

    /**
     * Called on the loop when it meets a fault it cannot recover from: a {@link VirtualMachineError} from user code
     * (rethrown once the loop has let go), or a round that threw past every guard. The default logs it;
     * {@link BufferedConsumer} also fails the consumer.
     *
     * @param failure what was thrown
     */
    protected void loopFault(Throwable failure) {
        log.error("Loop of consumer '{}' failed", this.name, failure);
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
            // FD-2: a consumer that has gone stops the producer and keeps nothing; the stop goes through the loop
            takeOut(fresh, OperationKind.STOP);
            return;
        }
        enqueue(new Operation(OperationKind.REGISTER, fresh));
    }

    @Override
    public final void unregisterProducer() {
        Registration gone = this.registration.get();
        if (gone != null) {
            takeOut(gone, OperationKind.UNREGISTER);
        }
        if (isConnected() && isDisconnecting()) {
            startWriting();
        }
    }

    /** Returns the registered producer, or {@code null} (Twisted's {@code producer}). */
    public final @Nullable Producer producer() {
        Registration claimed = this.registration.get();
        return (claimed != null) ? claimed.producer : null;
    }

    /** Whether the registered producer is a push producer (Twisted's {@code streamingProducer}). */
    public final boolean isStreamingProducer() {
        Registration claimed = this.registration.get();
        return claimed != null && claimed.streaming;
    }

    /**
     * Whether the registered push producer has been paused and not yet resumed (Twisted's {@code producerPaused}):
     * the state of the last callback made, not of the buffer.
     */
    public final boolean isProducerPaused() {
        Registration claimed = this.registration.get();
        return claimed != null && claimed.paused;
    }

    /** How many times a producer of this consumer has been paused. */
    public final long producerPauses() {
        return this.pauseClock.pauses;
    }

    /**
     * Total time producers of this consumer have spent paused, the pause in progress included, in nanoseconds. Never
     * smaller than an earlier answer.
     */
    public final long producerPausedNanos() {
        PauseClock clock = this.pauseClock;
        long now = clock.finishedNanos + clock.runningNanos();
        long reported = this.pausedNanosReported.get();
        while (now > reported) {
            if (this.pausedNanosReported.compareAndSet(reported, now)) {
                return now;
            }
            reported = this.pausedNanosReported.get();
        }
        return reported;
    }

    /** How long the pause in progress has lasted, in nanoseconds; 0 when the producer is not paused. */
    public final long currentPauseNanos() {
        return this.pauseClock.runningNanos();
    }

    /**
     * Adds an operator's reason to keep the producer paused, on top of the buffer's. Holds nest: the producer resumes
     * only when every hold is released and the buffer no longer wants it paused. A held pull producer is not asked
     * for more until released. Like every signal, the hold is applied by the loop: before this call returns when the
     * loop runs on this thread, right after the loop's current step otherwise.
     */
    public final void holdProducer() {
        ask(ANONYMOUS, true);
        this.loop.signal();
    }

    /**
     * Releases one {@link #holdProducer()}.
     *
     * @throws IllegalStateException if there is no hold to release
     */
    public final void releaseProducer() {
        if (!ask(ANONYMOUS, false)) {
            throw new IllegalStateException("Consumer '" + this.name + "' has no producer hold to release");
        }
        this.loop.signal();
    }

    /**
     * Places the hold called {@code key}, if it is not in place already: idempotent, so that callers on several
     * threads (an operator's pause and resume) need no ordering between them. Applied by the loop, in the order of
     * the calls, so a release of one key never lifts another key's hold.
     *
     * @param key who holds; compared with {@code equals}
     */
    public final void hold(Object key) {
        ask(Objects.requireNonNull(key, "key"), true);
        this.loop.signal();
    }

    /**
     * Withdraws the hold called {@code key}, if it is in place when the loop applies this call.
     *
     * @param key who held
     */
    public final void release(Object key) {
        ask(Objects.requireNonNull(key, "key"), false);
        this.loop.signal();
    }

    /**
     * Records a hold asked for or released and queues it for the loop, both in one step per key (inside the map's
     * {@code compute}), so that the loop applies a key's changes in the order they were asked and its view ends where
     * the asked one does; a call that changes nothing (a keyed hold already in place, a release of none) queues
     * nothing. Returns whether anything changed (a keyed hold is placed once, released once; anonymous holds count).
     * The caller signals the loop.
     */
    private boolean ask(Object key, boolean hold) {
        boolean[] changed = new boolean[1];
        this.holdsByKey.compute(key, (held, count) -> {
            if (hold) {
                if (count == null || held == ANONYMOUS) {
                    this.holdsAsked.incrementAndGet();
                    this.operations.add(new Operation(OperationKind.HOLD, key));
                    changed[0] = true;
                    return (count == null) ? 1 : count + 1;
                }
                return count;
            }
            if (count == null) {
                return null;
            }
            this.holdsAsked.decrementAndGet();
            this.operations.add(new Operation(OperationKind.RELEASE, key));
            changed[0] = true;
            return (count > 1) ? count - 1 : null;
        });
        return changed[0];
    }

    /**
     * Whether an operator hold is in force: asked for and not released. From the moment {@link #hold} returns,
     * {@code write} answers {@code false}; the pause itself comes from the loop.
     */
    public final boolean isProducerHeld() {
        return this.holdsAsked.get() > 0;
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
     * What every {@code write} returns through: keeps the promise of a {@code false}. When {@code writable} is false,
     * the producer registered now owes a resume or a stop, which the loop delivers; and a push producer writing from
     * inside its own {@code resumeProducing} on the loop's thread is paused before this returns (FD-12), so that a
     * producer that writes until paused returns.
     *
     * @param writable what the write answers
     * @return {@code writable}
     */
    protected final boolean answerWrite(boolean writable) {
        if (!writable) {
            refused(true);
        }
        return writable;
    }

    /**
     * For the write that has just made {@link #shouldPauseProducer()} true; the same as {@code answerWrite(false)}.
     */
    protected final void pauseWanted() {
        refused(true);
    }

    /**
     * Called by a subclass when a write arrives after the consumer has gone; the same as {@code answerWrite(false)}: a
     * push producer writing in a loop inside its {@code resumeProducing} is paused, so that it returns and its stop
     * can follow.
     */
    protected final void writtenAfterLoss() {
        refused(false);
    }

    /**
     * Keeps the promise of a {@code false}. {@code buffered}: the write left an item for the loop, which must run even
     * when no producer is left to answer; a write dropped after the consumer has gone leaves nothing.
     */
    private void refused(boolean buffered) {
        Registration claimed = this.registration.get();
        if (this.loop.isOwnedByCurrentThread()) {
            Registration inResume = this.resuming;
            // FD-12: nested, before the write returns, so that a producer that writes until paused returns; also
            // when it was stopped or unregistered meanwhile, whose writes nothing else would stop
            if (inResume != null && !inResume.paused
                    && (inResume != claimed || isDisconnected() || wantsPause() || isProducerHeld())) {
                pause(inResume);
                return;
            }
        }
        if (claimed != null) {
            if (!claimed.owed) {
                claimed.owed = true;
            }
        }
        else if (!buffered) {
            return; // a write dropped after the consumer has gone, with no producer left to answer: nothing to do
        }
        this.loop.signal();
    }

    /**
     * Tells the loop that {@link #shouldPauseProducer()} or the drain's state may have changed. What follows is
     * delivered now when the loop is idle and runs here, right after the loop's current step otherwise.
     */
    protected final void producerStateChanged() {
        this.loop.signal();
    }

    /**
     * Asks a registered pull producer for one more chunk (Twisted calls this after each complete drain). Requests
     * made before the producer has been called coalesce into one call. Does nothing for a push producer.
     */
    protected final void requestMore() {
        Registration claimed = this.registration.get();
        if (claimed != null && !claimed.streaming && !claimed.wantsMore) {
            claimed.wantsMore = true;
            if (!this.loop.isOwnedByCurrentThread()) {
                this.loop.signal(); // the owner delivers it at the end of its round anyway
            }
        }
    }

    /** Asks the loop to run: now, on this thread, if it is idle and has no executor; else soon. */
    protected final void runLoop() {
        this.loop.signal();
    }

    /** Whether the calling thread runs this consumer's loop now: it is inside a callback, the sink or a drain step. */
    protected final boolean isLoopOwnedByCurrentThread() {
        return this.loop.isOwnedByCurrentThread();
    }

    /** Takes the loop if it is idle, for a subclass's write-through fast path; then it must call {@link #runOwned}. */
    final boolean tryOwnIdleLoop() {
        return this.loop.tryOwnIdle();
    }

    /** Runs the loop that {@link #tryOwnIdleLoop()} took, until nothing is due. */
    final void runOwned() {
        this.loop.runOwned();
    }

    /**
     * Lets go of the loop that {@link #tryOwnIdleLoop()} took without a round when nothing is due for the producer —
     * no operation queued, no callback owed — and {@code drained} says the subclass has nothing to move; else runs it.
     * The write-through path's shortcut: one atomic instead of a round per item.
     */
    final void finishOwned(boolean drained) {
        if (drained && this.operations.isEmpty() && signalsSettled() && this.loop.tryReleaseIdle()) {
            return;
        }
        this.loop.runOwned();
    }

    /** Whether the announced registration's state is what the consumer wants; loop only. */
    private boolean signalsSettled() {
        Registration target = this.current;
        if (target == null) {
            return this.registration.get() == null;
        }
        if (target.owed || target != this.registration.get()) {
            return false;
        }
        if (target.streaming) {
            return target.paused ? resumeBlocked() : !wantsPause();
        }
        return !(target.wantsMore && !holdBlocksResume());
    }

    /**
     * Keeps {@code failure} for the loop to rethrow once it has let go, if it is a {@link VirtualMachineError}; for a
     * subclass that catches {@link Throwable} around user code it calls on the loop.
     *
     * @param failure what the user code threw
     */
    protected final void keepIfFatal(Throwable failure) {
        this.loop.keepFatal(failure);
    }

    /** Whether the loop was handed to its executor and has not started there; since when, else 0. For health. */
    public final long loopQueuedSinceNanos() {
        return this.loop.queuedSinceNanos();
    }

    /**
     * Stops the registered producer for good: it is unregistered at once and its {@code stopProducing} is called by
     * the loop, after any callback in progress, never from inside one. Consumers call this when they have gone
     * (FD-16); an operator may call it to stop a producer by hand, and a consumer waiting to close then closes.
     */
    public final void stopProducer() {
        Registration gone = this.registration.get();
        if (gone != null && takeOut(gone, OperationKind.STOP)) {
            stopped();
        }
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
        Registration claimed = this.registration.get();
        if (claimed == null || claimed.producer != expected || !takeOut(claimed, OperationKind.STOP)) {
            return false;
        }
        stopped();
        return true;
    }

    /**
     * Whether {@code producer} is registered here, or was and the {@code stopProducing} this consumer owes it has not
     * been delivered yet (a stop queued to the loop, FD-2's stop of a registration on a consumer that has gone), or has
     * left while the loop may still be inside a callback to it: in each case only this consumer's loop may call it.
     *
     * @param producer the producer
     * @return whether this consumer is the one to call it
     */
    public final boolean isProducerOrStopping(Producer producer) {
        return producer() == producer || this.stopsOnTheirWay.containsKey(new Identity(producer)) || this.calling == producer;
    }

    /**
     * Stops {@code producer} through this consumer's loop if it is registered here (as {@link #stopProducer(Producer)})
     * or its stop is already on its way (then there is nothing more to do). What the registry calls first for an
     * operator's stop.
     *
     * @param producer the producer to stop
     * @return whether this consumer stops it, or already was
     */
    public final boolean stopThroughLoop(Producer producer) {
        Objects.requireNonNull(producer, "producer");
        return stopProducer(producer) || this.stopsOnTheirWay.containsKey(new Identity(producer));
    }

    /**
     * Stops {@code producer}, which has left this consumer, through this consumer's loop if the loop may still be
     * inside a callback to it (a pull producer that unregisters itself inside its own {@code resumeProducing}): once
     * that callback has returned, the loop stops it where it is registered by then, if it registered with this consumer
     * again inside the callback (the registration is stopped as {@link #stopProducer(Producer)} stops it); else it calls
     * {@code stopProducing}, after the {@code unregistered} event and with no {@code stopped} event (the producer has
     * left); a {@code failed} event follows if it throws. What the registry calls for an operator's stop when no
     * consumer has the producer registered ({@link #stopThroughLoop}), so that it never calls the producer beside the
     * loop.
     *
     * @param producer the producer to stop
     * @return whether this consumer's loop stops it; false when it may be stopped directly
     */
    public final boolean stopAfterCallback(Producer producer) {
        return stopAfterCallback(producer, moved -> false);
    }

    /**
     * Like {@link #stopAfterCallback(Producer)}, for a producer that may register with another consumer inside the
     * callback: once the callback has returned, {@code stopWhereRegistered} is asked to stop it through the loop of the
     * consumer it is registered with by then (the registry asks every consumer it follows, as
     * {@link #stopProducer(Producer)}), and only if it declines does this loop call {@code stopProducing}. Either way the
     * producer gets one {@code stopProducing}, and no callback after it.
     *
     * @param producer the producer to stop
     * @param stopWhereRegistered stops the producer through the loop of another consumer it has registered with;
     * false if it is registered with none
     * @return whether this consumer's loop stops it; false when it may be stopped directly
     */
    public final boolean stopAfterCallback(Producer producer, Predicate<? super Producer> stopWhereRegistered) {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(stopWhereRegistered, "stopWhereRegistered");
        Identity key = new Identity(producer);
        if (this.calling != producer || this.stopsOnTheirWay.containsKey(key)) {
            return this.stopsOnTheirWay.containsKey(key); // not inside a callback to it, or its stop is on its way here
        }
        onItsWay(key);
        enqueue(new Operation(OperationKind.STOP_LEFT, new LeftStop(producer, stopWhereRegistered)));
        return true;
    }

    private void stopped() {
        if (isConnected() && isDisconnecting()) {
            startWriting();
        }
    }

    /**
     * Takes {@code claimed} out of the registration slot as {@code kind} (UNREGISTER or STOP) and queues that for the
     * loop. The registration is marked with how it leaves before the slot lets go of it, so that when the loop meets
     * a newer registration before this one's operation (the newer one took the slot in between), it knows how this one
     * left and retires it first (listeners hear of the states in the order they changed). Of two calls taking the same
     * registration out, the first to mark it queues its operation and returns true; the other only helps empty the
     * slot, so that neither returns while the slot still holds it.
     */
    private boolean takeOut(Registration claimed, OperationKind kind) {
        boolean marked = Registration.LEAVING.compareAndSet(claimed, null, kind);
        if (marked && kind == OperationKind.STOP) {
            onItsWay(new Identity(claimed.producer));
        }
        this.registration.compareAndSet(claimed, null); // only a call that took it out empties the slot of it
        if (marked) {
            enqueue(new Operation(kind, claimed));
        }
        return marked;
    }

    /**
     * Called on the loop when a producer callback throws. The default logs it; subclasses decide what else follows
     * (Twisted drops the connection, TCP-2).
     *
     * @param producer the producer whose callback failed
     * @param failure what it threw
     */
    protected void producerFailed(Producer producer, Throwable failure) {
        log.error("Producer {} of consumer '{}' threw from a callback", producer, this.name, failure);
    }

    /**
     * Runs a piece of user code on the loop: a {@link Throwable} is handed to {@code onFailure}, and a
     * {@link VirtualMachineError} is also kept for the loop to rethrow once it has let go. Never throws.
     *
     * @param call the user code
     * @param onFailure what to do when it throws
     * @return whether the call returned normally
     */
    protected final boolean guarded(Runnable call, java.util.function.Consumer<Throwable> onFailure) {
        try {
            call.run();
            return true;
        }
        catch (Throwable failure) {
            handleFailure(failure, onFailure);
            return false;
        }
    }

    private void handleFailure(Throwable failure, java.util.function.Consumer<Throwable> onFailure) {
        try {
            onFailure.accept(failure);
            if (failure instanceof VirtualMachineError) {
                this.loop.keepFatal(failure);
                loopFault(failure);
            }
        }
        catch (Throwable secondary) {
            this.loop.keepFatal(secondary);
            log.error("Consumer '{}' failed while handling a failure", this.name, secondary);
        }
    }

    private void enqueue(Operation operation) {
        this.operations.add(operation);
        this.loop.signal();
    }

    /** The loop's view of this consumer. */
    private final class Rounds implements OwnerLoop.Rounds {

        @Override
        public void round() {
            runDue();
        }

        @Override
        public void roundFailed(Throwable failure) {
            loopFault(failure);
        }

        @Override
        public void executorFailed(Throwable failure) {
            loopExecutorFailed(failure);
        }
    }

    // ---------------------------------------------------------------- the loop's work

    /**
     * One round of the loop: operations and signals until quiet (or until {@link #OPERATIONS_PER_ROUND} operations
     * were applied), the drain step, then signals again.
     */
    private void runDue() {
        deliverSignals();
        drainStep();
        deliverSignals();
    }

    /**
     * Applies queued operations and delivers what they make due. At most {@link #OPERATIONS_PER_ROUND} operations a
     * call: a thread that registers and unregisters faster than slow listeners let the loop announce it must not keep
     * the loop from its drain step, which sends, discards and closes (seen: a consumer aborted during such a storm
     * never completed {@code whenClosed()}). What is left is taken in the next round, which the loop is told to run.
     */
    private void deliverSignals() {
        int budget = OPERATIONS_PER_ROUND;
        for (;;) {
            boolean applied = false;
            for (Operation operation; budget > 0 && (operation = this.operations.poll()) != null; budget--) {
                apply(operation);
                applied = true;
            }
            boolean delivered = reconcile();
            if (budget == 0 && !this.operations.isEmpty()) {
                // the signals of the operations left may already be counted as seen by this round: one more round
                this.loop.signal();
                return;
            }
            if (!applied && !delivered) {
                return;
            }
        }
    }

    private void apply(Operation operation) {
        switch (operation.kind) {
            case REGISTER -> {
                Registration fresh = (Registration) operation.target;
                if (fresh.phase == Registration.NEW) {
                    if (this.registration.get() == fresh) {
                        announce(fresh);
                    }
                    else {
                        // it left the slot before the loop got here, and a newer registration's announcement may come
                        // before its own operation: it leaves now, as its mark (set before the slot let go) says
                        left(fresh);
                    }
                }
            }
            case UNREGISTER, STOP -> leave((Registration) operation.target, operation.kind);
            case STOP_LEFT -> stopLeft((LeftStop) operation.target);
            case HOLD -> {
                Object key = operation.target;
                Integer count = this.holds.get(key);
                if (count == null || key == ANONYMOUS) {
                    this.holds.put(key, (count == null) ? 1 : count + 1);
                    this.holdsApplied++;
                }
            }
            case RELEASE -> {
                Object key = operation.target;
                Integer count = this.holds.get(key);
                if (count != null) {
                    if (count > 1) {
                        this.holds.put(key, count - 1);
                    }
                    else {
                        this.holds.remove(key);
                    }
                    this.holdsApplied--;
                }
            }
        }
    }

    /**
     * An operator's stop of a producer that left while the loop was calling it ({@link #stopAfterCallback}), after that
     * call: through the registration it made here again inside the callback, or the stop of it already on its way here,
     * or through the consumer it is registered with by then ({@code stopWhereRegistered}), else by calling it here,
     * with no {@code stopped} event. What that call throws is logged and told to listeners ({@code failed}) but does not
     * fail this consumer, which the producer has left.
     */
    private void stopLeft(LeftStop stop) {
        Producer producer = stop.producer();
        Identity key = new Identity(producer);
        Registration again = this.registration.get();
        boolean stoppedHere = again != null && again.producer == producer && takeOut(again, OperationKind.STOP);
        delivered(key); // this stop's count; a stop of a registration made here again keeps its own
        if (stoppedHere || this.stopsOnTheirWay.containsKey(key)) {
            return; // registered here again, and stopped (now, or by this consumer meanwhile): that stop is the one
        }
        boolean elsewhere;
        try {
            elsewhere = stop.stopWhereRegistered().test(producer);
        }
        catch (Throwable failure) {
            // another consumer's loop, run on this thread, reported its own fault and rethrew a VirtualMachineError:
            // it has the producer, and the error goes on to this loop's caller without failing this consumer
            this.loop.keepFatal(failure);
            if (!(failure instanceof VirtualMachineError)) {
                log.error("Consumer '{}' could not hand an operator's stop of {} to the consumer it moved to",
                        this.name, producer, failure);
            }
            return;
        }
        if (elsewhere) {
            return;
        }
        onItsWay(key); // until the call returns, only this loop may stop it (the count was given up for the hand-off)
        try {
            producer.stopProducing();
        }
        catch (Throwable failure) {
            handleFailure(failure, thrown -> {
                log.error("Producer {}, which left consumer '{}', threw from stopProducing on an operator's stop; it "
                        + "is stopped all the same", producer, this.name, thrown);
                notifyListeners((listener, p) -> listener.failed(p, thrown), producer);
            });
        }
        finally {
            delivered(key);
        }
    }

    /** One more stop of the producer is on its way through this loop. */
    private void onItsWay(Identity key) {
        this.stopsOnTheirWay.merge(key, 1, Integer::sum);
    }

    /** One stop of the producer on its way through this loop has been delivered (or handed on). */
    private void delivered(Identity key) {
        this.stopsOnTheirWay.computeIfPresent(key, (k, count) -> (count > 1) ? count - 1 : null);
    }

    /** Delivers how {@code gone}, which has left the slot, left: as its mark says. */
    private void left(Registration gone) {
        OperationKind kind = gone.leaving;
        leave(gone, (kind != null) ? kind : OperationKind.UNREGISTER); // marked before the slot let go: never null
    }

    /**
     * Delivers how {@code gone} left: listeners hear {@code unregistered}, or the producer is stopped (announced first
     * if it never was: listeners hear of a producer before they hear of its stop). Once per registration: when a newer
     * registration's announcement has retired it already, its own operation finds it retired.
     */
    private void leave(Registration gone, OperationKind kind) {
        if (kind == OperationKind.UNREGISTER) {
            if (gone.phase == Registration.ANNOUNCED) {
                retire(gone);
                notifyListeners(ProducerListener::unregistered, gone.producer);
            }
            gone.phase = Registration.RETIRED;
            return;
        }
        if (gone.phase == Registration.NEW) {
            announce(gone);
        }
        if (gone.phase != Registration.RETIRED) {
            retire(gone);
            gone.phase = Registration.RETIRED;
            call(gone, Signal.STOP);
            delivered(new Identity(gone.producer)); // after the call: until it returns, only this loop may stop it
        }
    }

    private void announce(Registration fresh) {
        Registration previous = this.current;
        if (previous != null && previous != fresh) {
            // it left the slot before fresh took it, so it is marked, and its own operation is still queued
            left(previous);
        }
        fresh.phase = Registration.ANNOUNCED;
        this.current = fresh;
        notifyListeners((listener, producer) -> listener.registered(producer, fresh.streaming), fresh.producer);
    }

    private void retire(Registration gone) {
        if (this.current == gone) {
            this.current = null;
        }
        if (gone.paused) {
            pauseEnded();
        }
    }

    /**
     * Makes the registered producer's state what the consumer wants; returns whether it called the producer. A push
     * producer that owes a callback for a {@code false} and is not paused is paused, and then resumed if nothing wants
     * it paused any more.
     */
    private boolean reconcile() {
        Registration target = this.current;
        if (target == null) {
            return false;
        }
        // written before the slot is read, where the registry reads them the other way round (isProducerOrStopping):
        // a producer that leaves the slot after this read is seen as called, and its operator's stop is queued here
        this.calling = target.producer;
        try {
            if (target != this.registration.get()) {
                return false; // on its way out: its unregistration or stop is queued, and no callback before it
            }
            return reconcile(target);
        }
        finally {
            this.calling = null;
        }
    }

    private boolean reconcile(Registration target) {
        if (target.streaming) {
            if (target.paused) {
                target.owed = false; // the resume to come answers every false given meanwhile
                if (resumeBlocked()) {
                    return false;
                }
                resume(target);
                return true;
            }
            if (target.owed || wantsPause()) {
                target.owed = false;
                pause(target);
                return true;
            }
            return false;
        }
        if (target.owed) {
            // a pull producer's false for a full buffer is answered by the drain that empties it (FD-11a); one given
            // for a hold, or for a chunk that weighed nothing, would have no drain to answer it: it is asked again
            target.owed = false;
            if (!shouldPauseProducer() && isDrained()) {
                target.wantsMore = true;
            }
        }
        if (target.wantsMore && !holdBlocksResume()) {
            target.wantsMore = false;
            call(target, Signal.RESUME);
            return true;
        }
        return false;
    }

    private void pause(Registration target) {
        target.paused = true;
        PauseClock clock = this.pauseClock;
        this.pauseClock = new PauseClock(clock.pauses + 1, clock.finishedNanos, nonZeroNanoTime());
        call(target, Signal.PAUSE);
    }

    private void resume(Registration target) {
        target.paused = false;
        pauseEnded();
        Registration outer = this.resuming;
        this.resuming = target;
        try {
            call(target, Signal.RESUME);
        }
        finally {
            this.resuming = outer;
        }
    }

    private void pauseEnded() {
        PauseClock clock = this.pauseClock;
        if (clock.since != 0) {
            this.pauseClock = new PauseClock(clock.pauses, clock.finishedNanos + clock.runningNanos(), 0);
        }
    }

    /** What the loop wants, from the holds it has applied (in order) and the buffer. Loop only. */
    private boolean wantsPause() {
        return this.holdsApplied > 0 || shouldPauseProducer();
    }

    /** Whether a paused push producer must stay paused: a hold, applied or still queued, or the buffer. Loop only. */
    private boolean resumeBlocked() {
        return holdBlocksResume() || shouldPauseProducer();
    }

    /**
     * Whether a hold forbids a resume: one the loop has applied, or one asked for whose operation is still queued (a
     * round applies at most {@link #OPERATIONS_PER_ROUND} operations before it decides, and a hold call has returned
     * once its operation is queued: from then on no resume may be decided). Loop only.
     */
    private boolean holdBlocksResume() {
        return this.holdsApplied > 0 || isProducerHeld();
    }

    private static long nonZeroNanoTime() {
        long now = System.nanoTime();
        return (now != 0) ? now : 1;
    }

    private void call(Registration target, Signal signal) {
        Producer producer = target.producer;
        switch (signal) {
            case PAUSE -> notifyListeners(ProducerListener::paused, producer);
            case RESUME -> notifyListeners(ProducerListener::resumed, producer);
            case STOP -> notifyListeners(ProducerListener::stopped, producer);
        }
        try {
            switch (signal) {
                case PAUSE -> ((PushProducer) producer).pauseProducing();
                case RESUME -> producer.resumeProducing();
                case STOP -> producer.stopProducing();
            }
        }
        catch (Throwable failure) {
            handleFailure(failure, thrown -> {
                notifyListeners((listener, p) -> listener.failed(p, thrown), producer);
                producerFailed(producer, thrown);
            });
        }
    }

    private void notifyListeners(BiConsumer<ProducerListener, Producer> event, Producer producer) {
        if (this.listeners.isEmpty()) {
            return;
        }
        for (ProducerListener listener : this.listeners) {
            try {
                event.accept(listener, producer);
            }
            catch (Throwable failure) {
                handleFailure(failure, thrown -> log.warn("Producer listener {} of consumer '{}' threw; ignored",
                        listener, this.name, thrown));
            }
        }
    }

    private String currentProducerOrNone() {
        Producer claimed = producer();
        return (claimed != null) ? claimed.toString() : "(none)";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + this.name + "]";
    }

    private enum Signal {
        PAUSE, RESUME, STOP
    }

    private enum OperationKind {
        REGISTER, UNREGISTER, STOP, STOP_LEFT, HOLD, RELEASE
    }

    /** Something for the loop to apply: a registration, a {@link LeftStop} or a hold's key (HOLD, RELEASE). */
    private record Operation(OperationKind kind, Object target) {
    }

    /** An operator's stop of a producer that left while the loop was calling it. */
    private record LeftStop(Producer producer, Predicate<? super Producer> stopWhereRegistered) {
    }

    /** A producer compared by identity. */
    private record Identity(Producer producer) {

        @Override
        public boolean equals(@Nullable Object other) {
            return other instanceof Identity identity && identity.producer == this.producer;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this.producer);
        }
    }

    /** Pause figures at one instant; replaced, never changed. */
    private record PauseClock(long pauses, long finishedNanos, long since) {

        static final PauseClock NEVER = new PauseClock(0, 0, 0);

        long runningNanos() {
            return (this.since != 0) ? Math.max(0, System.nanoTime() - this.since) : 0;
        }
    }

    /** One registration of one producer; a new registration starts un-paused (FD-4). */
    private static final class Registration {

        static final int NEW = 0;

        static final int ANNOUNCED = 1;

        static final int RETIRED = 2;

        final Producer producer;

        final boolean streaming;

        /** The state the last callback gave the producer; written on the loop only. */
        volatile boolean paused;

        /** A write answered {@code false} and the callback that answers it has not been made. */
        volatile boolean owed;

        /** A pull producer owes one resumeProducing call. */
        volatile boolean wantsMore;

        /** NEW until the loop has announced it, RETIRED once unregistered or stopped; loop only. */
        int phase = NEW;

        /** How it leaves the slot (UNREGISTER or STOP), set once, before the slot lets go of it. */
        volatile @Nullable OperationKind leaving;

        static final AtomicReferenceFieldUpdater<Registration, OperationKind> LEAVING = AtomicReferenceFieldUpdater
            .newUpdater(Registration.class, OperationKind.class, "leaving");

        Registration(Producer producer, boolean streaming) {
            this.producer = producer;
            this.streaming = streaming;
            this.wantsMore = !streaming; // FD-3: a pull producer is asked for its first chunk once announced
        }
    }
}
