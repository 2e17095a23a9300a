package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.PullProducer;
import dev.sluice.PushProducer;
import org.jspecify.annotations.Nullable;

/**
 * A producer that behaves like a real one and checks every callback it gets, for one registration (a producer object
 * is registered once):
 * <ul>
 *   <li>its writers <em>wait</em>: a push producer's writer that got {@code false} waits for {@code resumeProducing}
 *       or {@code stopProducing} ({@link #awaitAnswer}), never for {@code isWritable()}; a pull producer writes one
 *       chunk per {@code resumeProducing} and waits for the next. What the consumer owes it ("{@code false}, then a
 *       resume or a stop"; "a pause, then a resume or a stop"; "a pull producer that wrote is asked again") is
 *       tracked ({@link #owedFor}); a debt older than the round's patience is a lost wake-up;</li>
 *   <li>callbacks: the checks of {@link Checks#enter}; push producers start running and then see pause, resume,
 *       pause, ... strictly alternating (edge-triggered); nothing after {@code stopProducing}; one stop;</li>
 *   <li>a resume is not delivered while a hold is in force ({@link Holds});</li>
 *   <li>with a recording listener, the listener's events and the callbacks interleave as v3 says: {@code registered}
 *       first, each {@code paused}/{@code resumed}/{@code stopped} right before its callback, nothing after
 *       {@code unregistered} or the stop;</li>
 *   <li>a stop that the registry makes itself (not through the consumer's loop) reaches only a producer that is not
 *       registered with the consumer (issue 18 defect 7).</li>
 * </ul>
 * Everything it saw goes to its {@link History}, printed with any violation about it.
 */
abstract class CheckingProducer implements Producer {

    /** What a producer has been told last. */
    enum State {
        RUNNING, PAUSED, STOPPED
    }

    /** No debt: {@link #owedMark} when the consumer owes the producer nothing. */
    private static final long NOTHING_OWED = -1;

    final int id;

    final Checks checks;

    final History history;

    /** The operator order slot of this producer in the registry, or null when it is not in the registry by name. */
    final Holds.@Nullable Slot order;

    /** Its name in the registry, when registered there by hand. */
    volatile @Nullable String registryName;

    private volatile State state = State.RUNNING;

    /** Resumes and stops received: what a waiting writer waits to see move. */
    private volatile long answers;

    private volatile boolean left;

    /** Whether the round has it registered with the consumer: set before registerProducer, cleared on leaving. */
    private volatile boolean registered;

    /** The value of {@link #answers} that a debt waits to see passed, or {@link #NOTHING_OWED}; under this. */
    private long owedMark = NOTHING_OWED;

    private long owedSince;

    private String owedFor = "";

    private boolean reportedLost;

    private int waiters;

    /** {@link System#nanoTime()} when the previous callback began, or the registration was asked for. */
    private volatile long previousCallback;

    private final AtomicReference<@Nullable Thread> busy = new AtomicReference<>();

    // the timeline seen by the recording listener and the callbacks; under this
    private History.@Nullable Event lastTimeline;

    private boolean announced;

    private boolean ended;

    private long callbacks;

    /** The callback at which this producer throws an injected failure, or 0. */
    private final long throwAtCallback;

    private final Faults.@Nullable Kind throwKind;

    CheckingProducer(int id, Checks checks, Holds.@Nullable Slot order, long throwAtCallback,
            Faults.@Nullable Kind throwKind) {
        this.id = id;
        this.checks = checks;
        this.history = new History(checks.origin, checks.detailed);
        this.order = order;
        this.throwAtCallback = throwAtCallback;
        this.throwKind = throwKind;
    }

    boolean isRunning() {
        return this.state == State.RUNNING;
    }

    boolean isPaused() {
        return this.state == State.PAUSED;
    }

    boolean isStopped() {
        return this.state == State.STOPPED;
    }

    /** Whether the round has let go of it: unregistered (by the round or by itself) or stopped. */
    boolean isGone() {
        return this.left || this.state == State.STOPPED;
    }

    boolean hasLeft() {
        return this.left;
    }

    /** Resumes and stops received so far: read before a write, passed to {@link #awaitAnswer}. */
    long answers() {
        return this.answers;
    }

    // ------------------------------------------------------------------ registration, by the round

    /** Before {@code registerProducer}. */
    void registering() {
        this.registered = true;
        this.previousCallback = System.nanoTime();
        this.history.add(History.Event.REGISTER_CALLED, 0);
    }

    /** {@code registerProducer} returned. A pull producer is owed its first request (FD-3). */
    void registeredReturned() {
        this.history.add(History.Event.REGISTERED_RETURNED, 0);
        if (this instanceof PullProducer) {
            owe(0, "its first request (FD-3)");
        }
    }

    /** {@code registerProducer} threw: another producer is registered. */
    void refused() {
        this.registered = false;
        this.history.add(History.Event.REGISTER_REFUSED, 0);
        leave();
    }

    /** Before the round (or the producer itself) unregisters it: from now on the consumer owes it nothing. */
    void unregistering() {
        this.registered = false;
        this.history.add(History.Event.UNREGISTER_CALLED, 0);
        leave();
    }

    private void leave() {
        synchronized (this) {
            this.left = true;
            this.owedMark = NOTHING_OWED;
            if (this.waiters > 0) {
                notifyAll();
            }
        }
    }

    // ------------------------------------------------------------------ debts and waiting

    /** The consumer owes this producer a resume or a stop after {@code answersBefore}: {@code why}. */
    void owe(long answersBefore, String why) {
        synchronized (this) {
            if (this.left || this.state == State.STOPPED || this.answers > answersBefore
                    || this.owedMark != NOTHING_OWED) {
                return;
            }
            this.owedMark = answersBefore;
            this.owedSince = System.nanoTime();
            this.owedFor = why;
        }
    }

    /** A write of this producer's returned false. */
    void gotFalse(long answersBefore) {
        this.history.add(History.Event.WROTE_FALSE, answersBefore);
        owe(answersBefore, "a resume or a stop after write returned false");
    }

    private void answered() {
        synchronized (this) {
            this.answers++;
            if (this.owedMark != NOTHING_OWED && this.answers > this.owedMark) {
                this.owedMark = NOTHING_OWED;
            }
            if (this.waiters > 0) {
                notifyAll();
            }
        }
    }

    /**
     * Waits until a resume or stop after {@code answersBefore}, the producer's leaving, or {@code giveUp}; up to
     * {@code patienceNanos}, then reports a lost wake-up unless a hold may be keeping it paused (then waits on).
     *
     * @return whether it was answered (false: gone, round ending, or given up)
     */
    boolean awaitAnswer(long answersBefore, long patienceNanos, BooleanSupplier giveUp) {
        this.history.add(History.Event.WAIT_BEGAN, answersBefore);
        long deadline = System.nanoTime() + patienceNanos;
        synchronized (this) {
            this.waiters++;
            try {
                while (this.answers <= answersBefore) {
                    if (this.left || this.state == State.STOPPED || giveUp.getAsBoolean()) {
                        return false;
                    }
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        if (this.owedMark == NOTHING_OWED || this.checks.holds.active(this.order)) {
                            deadline = System.nanoTime() + patienceNanos;
                            continue;
                        }
                        this.history.add(History.Event.WAIT_TIMED_OUT, answersBefore);
                        reportLostWakeUp(patienceNanos, "a writer waited");
                        return false;
                    }
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return false;
            }
            finally {
                this.waiters--;
            }
        }
        this.history.add(History.Event.WAIT_ENDED, this.answers);
        return true;
    }

    /** Wakes waiting writers: the round is ending. */
    void wake() {
        synchronized (this) {
            if (this.waiters > 0) {
                notifyAll();
            }
        }
    }

    /**
     * The watchdog's check: reports a debt older than {@code patienceNanos} unless a hold may be keeping the producer
     * paused. Returns whether something is owed.
     */
    boolean checkDebt(long now, long patienceNanos, String when) {
        synchronized (this) {
            if (this.owedMark == NOTHING_OWED) {
                return false;
            }
            if (now - this.owedSince < patienceNanos || this.checks.holds.active(this.order)) {
                return true;
            }
        }
        reportLostWakeUp(now - this.owedSince, when);
        return true;
    }

    private void reportLostWakeUp(long waitedNanos, String how) {
        String owed;
        synchronized (this) {
            if (this.reportedLost) {
                return;
            }
            this.reportedLost = true;
            owed = this.owedFor;
        }
        this.checks.lostWakeUps.incrementAndGet();
        this.checks.report("false, then a resume or a stop (DESIGN §4.3; lost wake-up)", () -> this + " owed " + owed
                + " for " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms (" + how + "), no hold in force"
                + history());
    }

    // ------------------------------------------------------------------ callbacks

    @Override
    public void resumeProducing() {
        long now = System.nanoTime();
        Thread outer = this.checks.enter(this, History.Event.RESUME);
        Thread previous = claim(History.Event.RESUME);
        try {
            this.history.add(History.Event.RESUME, this.answers + 1);
            timeline(History.Event.RESUME);
            if (this.state == State.STOPPED) {
                this.checks.report("no callback after stop (DESIGN §4.2)", () -> "resumeProducing to " + this
                        + " after its stopProducing" + history());
                return;
            }
            checkNoHold(now);
            this.previousCallback = now;
            resumed();
            answered();
            afterResume();
            maybeThrow();
        }
        finally {
            release(previous);
            this.checks.exit(outer);
        }
    }

    @Override
    public void stopProducing() {
        boolean direct = Checks.inRegistryCall() && calledByRegistry();
        Thread outer = direct ? null : this.checks.enter(this, History.Event.STOP);
        Thread previous = claim(History.Event.STOP);
        try {
            this.history.add(direct ? History.Event.DIRECT_STOP : History.Event.STOP, 0);
            if (direct) {
                if (this.registered && this.state != State.STOPPED) { // a second stop is reported below
                    this.checks.report("registry stops go through the consumer's loop (v3; issue 18 defect 7)", () ->
                            "the registry called stopProducing on " + this + " itself while it is registered with"
                                    + " the consumer" + history());
                }
            }
            else {
                timeline(History.Event.STOP);
            }
            if (this.state == State.STOPPED) {
                this.checks.report("no callback after stop (DESIGN §4.2)", () -> "second stopProducing to " + this
                        + history());
            }
            this.state = State.STOPPED;
            this.previousCallback = System.nanoTime();
            answered();
            maybeThrow();
        }
        finally {
            release(previous);
            if (!direct) {
                this.checks.exit(outer);
            }
        }
    }

    /**
     * A resume while a hold is in force (v3; issue 18 defect 6). Certain when the hold was in force before the
     * producer's previous callback began: the loop decided this resume after that callback, having applied every
     * operation queued before it. Also reported when the hold has been in force for {@link Checks#HELD_LONG_NANOS}
     * and the consumer itself says, inside this callback, that a hold is in force.
     */
    private void checkNoHold(long now) {
        Holds.Slot hold = this.checks.holds.inForceBefore(this.previousCallback, this.order);
        String why = "since before its previous callback";
        if (hold == null) {
            hold = this.checks.holds.inForceBefore(now - Checks.HELD_LONG_NANOS, this.order);
            why = "for more than " + TimeUnit.NANOSECONDS.toMillis(Checks.HELD_LONG_NANOS)
                    + " ms, and the consumer says a hold is in force";
            if (hold != null && !this.checks.consumerSaysHeld()) {
                hold = null;
            }
        }
        if (hold != null) {
            Holds.Slot held = hold;
            String since = why;
            this.checks.report("no resume while a hold is in force (v3; issue 18 defect 6)", () -> "resumeProducing to "
                    + this + " while hold '" + held + "' was in force " + since + history());
        }
    }

    /** Whether the registry itself, not a consumer, is calling stopProducing: the immediate caller is the registry. */
    private static boolean calledByRegistry() {
        return StackWalker.getInstance().walk(frames -> frames.skip(2).findFirst()
            .map(frame -> frame.getClassName().startsWith("dev.sluice.registry."))
            .orElse(false));
    }

    /** Two callbacks to this producer at once, whoever makes them. */
    private @Nullable Thread claim(History.Event callback) {
        Thread me = Thread.currentThread();
        Thread before = this.busy.get();
        if (before == me) {
            return me;
        }
        if (!this.busy.compareAndSet(null, me)) {
            this.checks.report("no two callbacks overlap (DESIGN §4.2)", () -> callback + " to " + this + " while "
                    + before + " is inside another callback to it" + history());
            return me;
        }
        return null;
    }

    private void release(@Nullable Thread previous) {
        if (previous == null) {
            this.busy.compareAndSet(Thread.currentThread(), null);
        }
    }

    /** The producer's part of a resume: a push producer leaves PAUSED, a pull producer writes or is asked. */
    abstract void resumed();

    /** After a resume has been counted: a pull producer that wrote is owed its next request; a burst writes. */
    void afterResume() {
    }

    /** Throws the injected failure, at its callback. */
    private void maybeThrow() {
        long count = ++this.callbacks; // callbacks do not overlap (checked above)
        if (count == this.throwAtCallback && this.throwKind != null) {
            Throwable failure = this.checks.faults.make(this.throwKind, Faults.Site.PRODUCER);
            this.history.add(History.Event.CALLBACK_THREW, count);
            throw Faults.sneaky(failure);
        }
    }

    /** The registry was told to stop this producer (an operator's stop). */
    volatile boolean operatorStopOrdered;

    void moveTo(State next) {
        this.state = next;
    }

    State state() {
        return this.state;
    }

    void previousCallbackNow(long now) {
        this.previousCallback = now;
    }

    // ------------------------------------------------------------------ the listener timeline

    /**
     * Records a listener event or a callback of the consumer's loop and checks where it stands: {@code registered}
     * first; each {@code paused}/{@code resumed}/{@code stopped} right before its callback; {@code failed} right
     * after a callback; nothing after {@code unregistered} or the stop (but the stop's own {@code failed}).
     */
    void timeline(History.Event event) {
        if (!this.checks.recording) {
            return;
        }
        String problem = null;
        synchronized (this) {
            History.Event last = this.lastTimeline;
            if (this.ended && event == History.Event.STOP && last == History.Event.L_UNREGISTERED
                    && this.operatorStopOrdered) {
                // ProducerListener's one exception: an operator's stop of a producer that left while the loop may
                // still have been calling it is made by that loop after unregistered, with no stopped event
            }
            else if (this.ended && !(event == History.Event.L_FAILED && last == History.Event.STOP)) {
                // failed comes right after the callback that threw, the stop included (ProducerListener's javadoc)
                problem = event + " after the producer's last event " + last;
            }
            else {
                switch (event) {
                    case L_REGISTERED -> {
                        if (last != null) {
                            problem = "registered after " + last;
                        }
                        this.announced = true;
                    }
                    case L_PAUSED, L_RESUMED, L_STOPPED, L_UNREGISTERED -> {
                        if (!this.announced) {
                            problem = event + " before registered";
                        }
                        else if (isAnnouncement(last)) {
                            problem = event + " while " + last + " still waits for its callback";
                        }
                        this.ended |= event == History.Event.L_UNREGISTERED;
                    }
                    case L_FAILED -> {
                        if (last != History.Event.PAUSE && last != History.Event.RESUME && last != History.Event.STOP) {
                            problem = "failed after " + last + ", not right after a callback";
                        }
                    }
                    case PAUSE, RESUME, STOP -> {
                        if (!this.announced) {
                            problem = event + " before the listener was told registered";
                        }
                        else if (last != announcementOf(event)) {
                            problem = event + " without its listener event right before it (last event " + last + ")";
                        }
                        this.ended |= event == History.Event.STOP;
                    }
                    default -> throw new AssertionError(event);
                }
            }
            this.lastTimeline = event;
        }
        if (problem != null) {
            String found = problem;
            this.checks.report("listener events in callback order (v3; issue 18 defect 12)", () -> this + ": " + found
                    + history());
        }
    }

    private static boolean isAnnouncement(History.@Nullable Event event) {
        return event == History.Event.L_PAUSED || event == History.Event.L_RESUMED
                || event == History.Event.L_STOPPED;
    }

    private static History.Event announcementOf(History.Event callback) {
        return switch (callback) {
            case PAUSE -> History.Event.L_PAUSED;
            case RESUME -> History.Event.L_RESUMED;
            case STOP -> History.Event.L_STOPPED;
            default -> throw new AssertionError(callback);
        };
    }

    /** Whether the listener was told {@code registered} and not yet that it left: what a registry snapshot reflects. */
    synchronized boolean announcedAndNotEnded() {
        return this.announced && !this.ended;
    }

    /** Whether the listener was told it left ({@code unregistered}); a stop shows in {@link #isStopped()}. */
    synchronized boolean unregisteredAnnounced() {
        return this.ended && this.lastTimeline == History.Event.L_UNREGISTERED;
    }

    // ------------------------------------------------------------------ reports

    String history() {
        return "; history of " + this + " (registered with the consumer: " + this.registered + ", left: "
                + this.left + "):" + this.history.render();
    }

    String historyIfDetailed() {
        return this.checks.detailed ? history() : "";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "#" + this.id + "[" + this.state + "]";
    }

    /**
     * A push producer. Writer threads of the round write for it; with {@code burst} it also writes from inside its own
     * {@code resumeProducing} until write says stop (Twisted's FD-12 case), as its source {@code source}.
     */
    static final class Push extends CheckingProducer implements PushProducer {

        private final @Nullable Source source;

        private final int burst;

        Push(int id, Checks checks, Holds.@Nullable Slot order, long throwAt, Faults.@Nullable Kind throwKind,
                @Nullable Source source, int burst) {
            super(id, checks, order, throwAt, throwKind);
            this.source = source;
            this.burst = burst;
        }

        /** A push producer that only gets callbacks (the Lincheck test's). */
        Push(int id, Checks checks) {
            this(id, checks, null, 0, null, null, 0);
        }

        @Override
        public void pauseProducing() {
            long now = System.nanoTime();
            Thread outer = this.checks.enter(this, History.Event.PAUSE);
            try {
                this.history.add(History.Event.PAUSE, 0);
                timeline(History.Event.PAUSE);
                switch (state()) {
                    case STOPPED -> this.checks.report("no callback after stop (DESIGN §4.2)", () -> "pauseProducing to "
                            + this + " after its stopProducing" + history());
                    case PAUSED -> this.checks.report("pause/resume alternate (edge-triggered, FD-10)", () ->
                            "pauseProducing to " + this + ", which is paused already" + history());
                    case RUNNING -> moveTo(State.PAUSED);
                }
                previousCallbackNow(now);
                owe(answers(), "a resume or a stop after its pause");
            }
            finally {
                this.checks.exit(outer);
            }
        }

        @Override
        void resumed() {
            if (state() != State.PAUSED) {
                this.checks.report("pause/resume alternate (edge-triggered, FD-10)", () -> "resumeProducing to " + this
                        + ", which was not paused" + history());
            }
            moveTo(State.RUNNING);
        }

        @Override
        void afterResume() {
            Source own = this.source;
            if (own == null || this.burst == 0) {
                return;
            }
            for (int i = 0; i < this.burst && isRunning() && !hasLeft() && !this.checks.stopping; i++) {
                if (!this.checks.spend()) {
                    return;
                }
                long before = answers();
                if (!own.writeNext(this.checks)) {
                    gotFalse(before);
                    return;
                }
            }
        }
    }

    /**
     * A pull producer: each resume writes one chunk, from inside the call (Twisted's way) or, with a {@link #worker},
     * from the round's pull-worker thread, which waits for the next resume. After its last chunk it unregisters itself
     * (in the same call, as {@code FileSender} does).
     */
    static final class Pull extends CheckingProducer implements PullProducer {

        private final Source source;

        private final Runnable unregisterSelf;

        /** Whether the round's worker thread writes its chunks; otherwise they are written inside resumeProducing. */
        final boolean worker;

        private int chunksLeft;

        /** Requests not yet served by the worker: coalesced into one, as the consumer coalesces them. */
        private volatile boolean asked;

        Pull(int id, Checks checks, Holds.@Nullable Slot order, long throwAt, Faults.@Nullable Kind throwKind,
                Source source, int chunks, boolean worker, Runnable unregisterSelf) {
            super(id, checks, order, throwAt, throwKind);
            this.source = source;
            this.chunksLeft = chunks;
            this.worker = worker;
            this.unregisterSelf = unregisterSelf;
        }

        @Override
        void resumed() {
            if (this.worker) {
                this.asked = true;
            }
        }

        @Override
        void afterResume() {
            if (!this.worker) {
                writeChunk(answers());
            }
        }

        /**
         * The worker's turn: waits for a request (reporting a lost wake-up after the patience), then writes one chunk.
         *
         * @return false when this producer is done: gone, or {@code giveUp}
         */
        boolean serveOnce(long patienceNanos, BooleanSupplier giveUp) {
            long seen = answers();
            while (!this.asked) {
                if (hasLeft() || isStopped() || giveUp.getAsBoolean()) {
                    return false;
                }
                awaitAnswer(seen, patienceNanos, giveUp);
                seen = answers();
            }
            this.asked = false;
            writeChunk(answers());
            return !hasLeft() && !isStopped();
        }

        private void writeChunk(long answersBefore) {
            if (this.chunksLeft == 0 || isStopped() || hasLeft()) {
                return; // asked again after its last chunk: nothing to write
            }
            this.chunksLeft--;
            this.checks.spend();
            boolean more = this.source.writeNext(this.checks);
            this.history.add(more ? History.Event.WROTE_TRUE : History.Event.WROTE_FALSE, answersBefore);
            if (this.chunksLeft == 0) {
                this.unregisterSelf.run();
            }
            else {
                owe(answersBefore, "its next request after a chunk (FD-11a)");
            }
        }

    }

    /** Where a producer that writes itself writes: its consumer, its source number, its items' size, the tally. */
    record Source(BufferedConsumer<ByteBuffer> consumer, int number, int size, Tally tally) {

        /** Writes the source's next item; a failure the write throws leaves the source uncertain, and goes on. */
        boolean writeNext(Checks checks) {
            ByteBuffer item = this.tally.next(this.number, this.size);
            try {
                return checks.write(this.consumer, item);
            }
            catch (RuntimeException | Error failure) {
                this.tally.failed(this.number, item);
                throw failure;
            }
        }
    }
}
