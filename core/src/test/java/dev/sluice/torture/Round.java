package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.registry.ProducerStoppedException;
import org.jspecify.annotations.Nullable;

/**
 * Runs one {@link Scenario} against a fresh {@link BufferedConsumer} in a hostile world: writer threads that wait for
 * their resume like real producers, push and pull producers coming and going, listeners and a registry whose
 * operators hold, release, stop and read from several threads, sinks, weighers, executors and hooks that fail. It lets
 * them spend the round's operation budget while a watchdog looks for lost wake-ups, then brings the round to a quiet
 * point (every thread done, every hold released, the sink taking everything) and checks what must hold there, ends the
 * consumer and checks how it ended. Everything broken goes to {@link Violations}, with the round, its scenario seed
 * and the history of the producer concerned.
 *
 * <p>An operation is one call into the consumer or the registry: write, drain, register, unregister, hold, release,
 * stop, an operator's order or read, a loss.
 */
final class Round {

    static final String THREAD_PREFIX = "torture-";

    /** Sources 0..15 are writer threads; producers that write themselves get the others. */
    static final int WRITER_SOURCES = 16;

    private static final int PRODUCER_SOURCES = 8192;

    /** Registry names kept at once: older ones are removed as new producers come. */
    private static final int NAMES_KEPT = 16;

    private static final int KEYS = 4;

    /** The key held long while the others race ({@link #operate}). */
    private static final int ANCHOR = 0;

    /** The key that operators place and withdraw in a tight race. */
    private static final int RACED = 1;

    /** Figures of the whole run, printed with the torture line. */
    static final AtomicLong MAX_OVERSHOOT_HONOURING_FALSE = new AtomicLong();

    static final AtomicLong MAX_OVERSHOOT_HONOURING_CALLBACK = new AtomicLong();

    private final Scenario scenario;

    private final int number;

    private final long patienceNanos;

    private final Checks checks;

    private final Faults faults;

    private final SplittableRandom random;

    private final AtomicLong budget;

    private final LongAdder extraOperations = new LongAdder();

    private final List<Thread> threads = new ArrayList<>();

    private final List<CheckingProducer> producers = new CopyOnWriteArrayList<>();

    private final Set<CheckingProducer> live = ConcurrentHashMap.newKeySet();

    private final Tally tally = new Tally(WRITER_SOURCES + PRODUCER_SOURCES);

    private final CheckingSink.Delivery delivery;

    private final AtomicInteger producerSources = new AtomicInteger(WRITER_SOURCES);

    private final AtomicInteger producerIds = new AtomicInteger();

    private final ReentrantLock registrations = new ReentrantLock();

    private final Object registered = new Object();

    private final Object pace = new Object();

    private final Semaphore kicks = new Semaphore(0);

    private final AtomicBoolean kickPending = new AtomicBoolean();

    private volatile boolean faultStruck;

    private volatile boolean lossStruck;

    private volatile @Nullable Throwable strikeReason;

    private final LongAdder usersFaultsSeenByCallers = new LongAdder();

    /** Units of overshoot the churn has licensed (each new producer may write before it hears of a full buffer). */
    private final AtomicLong licensed = new AtomicLong();

    /** {@link #licensed} when a writer last saw the buffer at or below the high-water mark. */
    private final AtomicLong licensedAtLow = new AtomicLong();

    private final DrainExecutors drainExecutors;

    private final @Nullable CheckingSink checkingSink;

    private final @Nullable AsyncSinks asyncSinks;

    private final @Nullable ScheduledExecutorService completer;

    private final ThrowingWeigher weigher;

    private final List<Listeners.Hostile> hostiles = new ArrayList<>();

    private final Listeners.@Nullable RegistryEvents registryEvents;

    private final @Nullable ProducerRegistry registry;

    private final Map<String, CheckingProducer> names = new ConcurrentHashMap<>();

    private final String[] nameRing = new String[NAMES_KEPT];

    private final AtomicLong namesAdded = new AtomicLong();

    private final Holds.Slot[] keys = new Holds.Slot[KEYS];

    private volatile CheckingProducer.@Nullable Pull workerTarget;

    private volatile boolean workerDone;

    /** Until when the operators race on key {@link #RACED}. */
    private volatile long raceUntil = System.nanoTime();

    private final BufferedConsumer<ByteBuffer> consumer;

    Round(Scenario scenario, int number, Violations violations, long patienceNanos, LogCapture log) {
        this.scenario = scenario;
        this.number = number;
        this.patienceNanos = patienceNanos;
        this.random = new SplittableRandom(scenario.seed() ^ 0x5DEECE66DL);
        this.budget = new AtomicLong(scenario.operations());
        String where = "round " + number + " (scenario " + scenario.seed() + ")";
        this.faults = new Faults(where);
        log.round(this.faults);
        this.checks = new Checks(violations, where, this.faults, this.budget, true);
        this.checks.writerDelivers = scenario.drain().callerRuns;
        this.checks.recording = scenario.listeners() != Scenario.ListenerMode.NONE;
        this.delivery = new CheckingSink.Delivery(this.checks, this.tally.sources());
        this.drainExecutors = new DrainExecutors(scenario.drain(), this.checks, named("drain"), this.random.split(),
                scenario.drainFailsAt());
        this.weigher = new ThrowingWeigher(this.checks, scenario.weigherThrowsAt(), scenario.weigherKind());
        String name = THREAD_PREFIX + "r" + number;
        BufferedConsumer.Builder<ByteBuffer> builder;
        if (scenario.sinkKind() == Scenario.SinkKind.ASYNC) {
            this.completer = Executors.newScheduledThreadPool(2, named("completer"));
            this.asyncSinks = new AsyncSinks(this.checks, name, this.delivery, this.completer, this.random.split(),
                    scenario.maxInFlight(), scenario.hookFailure(), scenario.asyncFailurePerMille());
            this.checkingSink = null;
            builder = BufferedConsumer.builder(this.asyncSinks.sink());
        }
        else {
            this.completer = null;
            this.asyncSinks = null;
            this.checkingSink = new CheckingSink(this.checks, scenario.behaviour(), scenario.slowSink(),
                    this.random.split(), this::kick, scenario.sinkFailure(), this.delivery);
            builder = BufferedConsumer.builder(this.checkingSink);
        }
        builder.name(name).weigher(this.weigher).waterMarks(new WaterMarks(scenario.high(), scenario.low()));
        Executor executor = this.drainExecutors.executor();
        if (executor != null) {
            builder.drainOn(executor);
        }
        BufferedConsumer<ByteBuffer> built = builder.build();
        this.consumer = (this.asyncSinks != null) ? this.asyncSinks.sink().bind(built) : built;
        this.checks.held = this.consumer::isProducerHeld;
        this.faults.closed = () -> this.consumer.whenClosed().isDone();
        if (scenario.listeners() == Scenario.ListenerMode.HOSTILE) {
            for (int i = 0; i < 2; i++) {
                Listeners.Hostile hostile = new Listeners.Hostile(this.checks, this.random.split(),
                        (i == 0) ? 20 : scenario.listenerSlowPerMille(), 5 * i,
                        (i == 1) ? scenario.listenerErrorAt() : 0, scenario.listenerErrorKind());
                this.hostiles.add(hostile);
                this.consumer.addProducerListener(hostile);
            }
        }
        for (int k = 0; k < KEYS; k++) {
            this.keys[k] = this.checks.holds.slot("key K" + k);
        }
        if (scenario.registry()) {
            this.registry = new ProducerRegistry();
            this.registryEvents = new Listeners.RegistryEvents(this.checks, this.names,
                    scenario.listeners() == Scenario.ListenerMode.HOSTILE ? 10 : 0);
            this.registry.addListener(this.registryEvents);
            if (scenario.registryGroup()) {
                this.registry.register("torture", this.consumer);
            }
            else {
                this.registry.registerConsumer(name, this.consumer);
            }
        }
        else {
            this.registry = null;
            this.registryEvents = null;
        }
        // last, so that the registry (a listener too) has seen each event when the recording listener records it
        if (this.checks.recording) {
            this.consumer.addProducerListener(new Listeners.Recording(this.checks));
        }
    }

    /** Runs the round; returns the operations it made. */
    long run() {
        if (this.scenario.producers() == Scenario.Producers.ONE_PUSH) {
            register(true, this.random.split());
        }
        for (int w = 0; w < this.scenario.writers(); w++) {
            int writer = w;
            start("writer-" + w, () -> write(writer, this.scenario.honoursFalse(writer)));
        }
        if (this.scenario.producers() != Scenario.Producers.ONE_PUSH) {
            start("churn", this::churn);
        }
        Thread worker = null;
        if (this.scenario.pullChurn() && this.scenario.pullWorkerPercent() > 0) {
            worker = start("pull-worker", this::servePulls);
        }
        for (int h = 0; h < this.scenario.holders(); h++) {
            SplittableRandom own = this.random.split();
            Holds.Slot slot = this.checks.holds.slot("holdProducer by holder-" + h);
            start("holder-" + h, () -> hold(own, slot));
        }
        for (int o = 0; o < this.scenario.operators(); o++) {
            SplittableRandom own = this.random.split();
            start("operator-" + o, () -> operate(own));
        }
        start("kicker", this::kickDrains);
        if (this.scenario.fault() != Scenario.Fault.NONE) {
            long strikeAt = this.scenario.operations() / 10 + this.random.nextLong(this.scenario.operations() / 2 + 1);
            start("fault", () -> strike(strikeAt));
        }
        awaitBudgetSpent();
        stopThreads(worker);
        quietPoint();
        this.workerDone = true;
        if (worker != null) {
            join(worker);
        }
        end();
        shutDown();
        return this.scenario.operations() - Math.max(0, this.budget.get()) + this.extraOperations.sum();
    }

    // ------------------------------------------------------------------ writers

    /**
     * A writer thread: writes tagged items for whichever push producer is registered, as that producer. It never
     * writes while the producer is paused (it waits for the resume), and if it honours {@code false} it also waits,
     * after a write that returned false, for a resume or stop that came after the write began: what
     * {@code ConsumerOutputStream} does. It never looks at {@code isWritable()}.
     */
    private void write(int writer, boolean honoursFalse) {
        SplittableRandom random = this.random.split();
        BooleanSupplier roundOver = () -> this.checks.stopping;
        while (!this.checks.stopping) {
            Producer current = this.consumer.producer();
            if (!(current instanceof CheckingProducer.Push push) || push.isGone()) {
                awaitRegistration();
                continue;
            }
            long answers = push.answers();
            if (push.isPaused()) {
                push.awaitAnswer(answers, this.patienceNanos, roundOver);
                continue;
            }
            if (!this.checks.spend()) {
                return;
            }
            int size = Tagged.MIN_SIZE + random.nextInt(Tagged.MAX_SIZE - Tagged.MIN_SIZE + 1);
            ByteBuffer item = this.tally.next(writer, size);
            boolean more;
            try {
                more = this.checks.write(this.consumer, item);
            }
            catch (Throwable failure) {
                this.tally.failed(writer, item);
                thrownAtCaller(failure, "write");
                continue;
            }
            if (!more) {
                push.gotFalse(answers);
            }
            checkBound();
            if (!more && honoursFalse) {
                push.awaitAnswer(answers, this.patienceNanos, roundOver);
            }
        }
    }

    /**
     * The memory bound (§4.5) for writers that honour {@code false}: the high-water mark, plus two items per writing
     * thread (the write that crossed the mark, and one more when a resume for an earlier pause came while that write
     * ran, as a writer that counts resumes cannot tell it from the one its write is owed), plus a pull producer's
     * chunk in flight, plus what the churn licensed: each producer registered since the buffer was last seen at or
     * below the mark may write once per writing thread (a pull producer: its first chunk, FD-3) before it hears of it.
     */
    private void checkBound() {
        long licence = this.licensed.get();
        long depth = this.consumer.bufferedUnits();
        long high = this.scenario.high();
        if (depth <= high) {
            this.licensedAtLow.accumulateAndGet(licence, Math::max);
            return;
        }
        if (!this.scenario.bounded()) {
            MAX_OVERSHOOT_HONOURING_CALLBACK.accumulateAndGet(depth - high, Math::max);
            return;
        }
        MAX_OVERSHOOT_HONOURING_FALSE.accumulateAndGet(depth - high, Math::max);
        long writers = this.scenario.writers() + (this.scenario.pushBurst() > 0 ? 1 : 0);
        // another writer may have seen the buffer low with a newer licence since this one read it: never below 0
        long sinceLow = Math.max(0, licence - this.licensedAtLow.get());
        long allowed = high + (2 * writers + 2) * Tagged.MAX_SIZE + sinceLow;
        if (depth > allowed) {
            this.checks.report("memory bound when write's answer is honoured (DESIGN §4.5)", () -> "buffered " + depth
                    + " > " + allowed + " = high " + high + " + 2 items of " + Tagged.MAX_SIZE + " per writing thread ("
                    + writers + ") + a pull chunk + " + sinceLow
                    + " licensed by registrations since the buffer was last at or below the mark; " + state());
        }
    }

    private void awaitRegistration() {
        synchronized (this.registered) {
            try {
                this.registered.wait(1);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ producers

    private void churn() {
        SplittableRandom random = this.random.split();
        while (!this.checks.stopping && this.checks.spend()) {
            boolean stoppedAtOnce = false;
            this.registrations.lock();
            try {
                Producer current = this.consumer.producer();
                if (current == null) {
                    register(pickStreaming(random), random);
                    stoppedAtOnce = this.consumer.producer() == null;
                }
                else if (random.nextInt(8) == 0) {
                    register(pickStreaming(random), random); // refused: a producer is registered
                }
                else if (current instanceof CheckingProducer.Push push) {
                    push.unregistering();
                    this.consumer.unregisterProducer();
                }
            }
            catch (Throwable failure) {
                thrownAtCaller(failure, "churn");
            }
            finally {
                this.registrations.unlock();
            }
            if (stoppedAtOnce) {
                // a consumer that has gone stops each new producer at once, so producer() is null again at once: a
                // churn that took that as its cue would queue registrations faster than slow listeners let the loop
                // announce them, and whoever runs the loop (a writer with a caller-runs executor) would work off that
                // backlog long after the round (seen: a 10 s "hang" on ce73f9b). One registration a millisecond
                pause(1);
                continue;
            }
            long target = this.budget.get() - 50 - random.nextInt(400);
            awaitChange(() -> this.budget.get() <= target || this.consumer.producer() == null);
        }
    }

    private boolean pickStreaming(SplittableRandom random) {
        return !this.scenario.pullChurn() || this.scenario.pushChurn() && random.nextBoolean();
    }

    /** Registers a new producer (under {@link #registrations}, or before the threads start). */
    private void register(boolean streaming, SplittableRandom random) {
        int id = this.producerIds.incrementAndGet();
        boolean named = this.registry != null && random.nextInt(3) != 0;
        Holds.Slot order = named ? new Holds.Slot("operator order of producer #" + id) : null;
        long throwAt = (id == this.scenario.producerThrowsAt()) ? id : 0;
        Faults.Kind throwKind = this.scenario.producerKind();
        int source = (streaming && this.scenario.pushBurst() == 0) ? -1 : this.producerSources.getAndIncrement();
        if (source >= WRITER_SOURCES + PRODUCER_SOURCES) {
            if (!streaming) {
                return; // sources used up: a fast round registers no more pull producers
            }
            source = -1;
        }
        CheckingProducer producer;
        int size = Tagged.MIN_SIZE + id % 24;
        if (streaming) {
            CheckingProducer.Source own = (source < 0) ? null
                    : new CheckingProducer.Source(this.consumer, source, size, this.tally);
            producer = new CheckingProducer.Push(id, this.checks, order, throwAt, throwKind, own,
                    (source < 0) ? 0 : this.scenario.pushBurst());
            this.licensed.addAndGet((this.scenario.writers() + 1L) * Tagged.MAX_SIZE);
        }
        else {
            boolean byWorker = random.nextInt(100) < this.scenario.pullWorkerPercent();
            CheckingProducer.Pull[] self = new CheckingProducer.Pull[1];
            producer = self[0] = new CheckingProducer.Pull(id, this.checks, order, throwAt, throwKind,
                    new CheckingProducer.Source(this.consumer, source, size, this.tally), 1 + random.nextInt(32),
                    byWorker, () -> unregisterItself(self[0]));
            this.licensed.addAndGet(2L * Tagged.MAX_SIZE);
        }
        this.producers.add(producer);
        this.live.add(producer);
        // named in the registry first (a group consumer would bring it in under a name of its own otherwise), shown
        // to the operators only once it is registered with the consumer
        String name = named ? nameInRegistry(producer) : null;
        producer.registering();
        try {
            this.consumer.registerProducer(producer, streaming);
        }
        catch (IllegalStateException alreadyRegistered) {
            if (this.faults.siteOf(alreadyRegistered) != null) {
                thrownAtCaller(alreadyRegistered, "registerProducer");
            }
            else {
                producer.refused();
                this.live.remove(producer);
                if (name != null && this.registry != null) {
                    this.registry.remove(name);
                }
                return;
            }
        }
        catch (Throwable failure) {
            thrownAtCaller(failure, "registerProducer");
        }
        producer.registeredReturned();
        if (producer instanceof CheckingProducer.Pull pull && pull.worker) {
            this.workerTarget = pull;
        }
        if (name != null) {
            showToOperators(producer, name);
        }
        synchronized (this.registered) {
            this.registered.notifyAll();
        }
    }

    private @Nullable String nameInRegistry(CheckingProducer producer) {
        ProducerRegistry names = this.registry;
        if (names == null) {
            return null;
        }
        String name = "p" + producer.id;
        try {
            names.registerProducer(name, producer);
        }
        catch (Throwable failure) {
            thrownAtCaller(failure, "registry.registerProducer");
            return null;
        }
        producer.registryName = name;
        return name;
    }

    /** Lets operators find {@code producer} by name; the oldest name kept leaves the registry. */
    private void showToOperators(CheckingProducer producer, String name) {
        this.names.put(name, producer);
        long slot = this.namesAdded.getAndIncrement() % NAMES_KEPT;
        String old = this.nameRing[(int) slot];
        this.nameRing[(int) slot] = name;
        CheckingProducer leaving = (old != null) ? this.names.remove(old) : null;
        if (leaving != null && this.registry != null) {
            Holds.Slot order = leaving.order;
            if (order != null) {
                order.withdrawing(); // removing it withdraws its operator's hold
            }
            try {
                this.registry.remove(old);
            }
            finally {
                if (order != null) {
                    order.withdrawn();
                }
            }
        }
    }

    /** What a pull producer does after its last chunk, from inside its resume or on the worker. */
    private void unregisterItself(CheckingProducer.Pull pull) {
        this.registrations.lock();
        try {
            if (this.consumer.producer() == pull) {
                pull.unregistering();
                this.consumer.unregisterProducer();
            }
        }
        finally {
            this.registrations.unlock();
        }
        synchronized (this.registered) {
            this.registered.notifyAll();
        }
    }

    /** The pull worker: serves the pull producers that write from a thread of their own, one request at a time. */
    private void servePulls() {
        BooleanSupplier done = () -> this.workerDone;
        while (!this.workerDone) {
            CheckingProducer.Pull pull = this.workerTarget;
            if (pull == null || pull.isGone()) {
                awaitRegistration();
                continue;
            }
            try {
                pull.serveOnce(this.patienceNanos, done);
            }
            catch (Throwable failure) {
                thrownAtCaller(failure, "pull worker's write");
            }
        }
    }

    // ------------------------------------------------------------------ holders and operators

    private void hold(SplittableRandom random, Holds.Slot slot) {
        while (!this.checks.stopping && this.checks.spend()) {
            int token = slot.placing();
            try {
                this.consumer.holdProducer();
                slot.placed(token);
            }
            catch (Throwable failure) {
                slot.notPlaced();
                thrownAtCaller(failure, "holdProducer");
            }
            // short holds (a writer waits for the release), longer gaps, so the producer is not held most of the time
            pause(random.nextInt(3));
            slot.withdrawing();
            try {
                this.consumer.releaseProducer();
            }
            catch (Throwable failure) {
                thrownAtCaller(failure, "releaseProducer");
            }
            finally {
                slot.withdrawn();
            }
            this.extraOperations.increment();
            pause(1 + random.nextInt(5));
        }
    }

    /**
     * An operator: keyed holds and releases on keys other operators use too (now and then in tight bursts, the race of
     * issue 18 defect 6), the registry's pause and resume of producers by name, stops from the registry and the
     * consumer (defect 7), and reads of registry snapshots, checked against what the producer has seen.
     */
    private void operate(SplittableRandom random) {
        while (!this.checks.stopping && this.checks.spend()) {
            int dice = random.nextInt(100);
            try {
                if (System.nanoTime() - this.raceUntil < 0) {
                    race(dice);
                }
                else if (dice < 30) {
                    int key = 2 + random.nextInt(KEYS - 2);
                    holdKey(key);
                    pause(random.nextInt(3));
                    releaseKey(key);
                }
                else if (dice < 34) {
                    // the anchor: key K0 held long enough for the producer to be paused by it, then every operator
                    // places and withdraws key K1 in a tight race (v2 lost K0's count meanwhile: defect 6)
                    holdKey(ANCHOR);
                    pause(60 + random.nextInt(40));
                    this.raceUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3);
                    while (System.nanoTime() - this.raceUntil < 0 && !this.checks.stopping) {
                        race(dice);
                    }
                    pause(1);
                    releaseKey(ANCHOR);
                }
                else if (dice < 62) {
                    CheckingProducer target = namedProducer(random);
                    if (target != null) {
                        order(target, true);
                        pause(random.nextInt(3));
                        order(target, false);
                    }
                }
                else if (dice < 68 && this.scenario.producers() != Scenario.Producers.ONE_PUSH) {
                    stop(random);
                }
                else {
                    CheckingProducer target = namedProducer(random);
                    if (target != null) {
                        checkSnapshot(target);
                    }
                }
            }
            catch (Throwable failure) {
                thrownAtCaller(failure, "operator");
            }
            pause(random.nextInt(4));
        }
    }

    /** One burst of the race on key {@link #RACED}. */
    private void race(int parity) {
        for (int i = 0; i < 64 && this.checks.spend(); i++) {
            if (((i + parity) & 1) == 0) {
                holdKey(RACED);
            }
            else {
                releaseKey(RACED);
            }
        }
        releaseKey(RACED);
    }

    private void holdKey(int key) {
        Holds.Slot slot = this.keys[key];
        int token = slot.placing();
        try {
            this.consumer.hold("K" + key);
            slot.placed(token);
        }
        catch (Throwable failure) {
            slot.notPlaced();
            throw failure;
        }
    }

    private void releaseKey(int key) {
        Holds.Slot slot = this.keys[key];
        slot.withdrawing();
        try {
            this.consumer.release("K" + key);
        }
        finally {
            slot.withdrawn();
        }
    }

    private @Nullable CheckingProducer namedProducer(SplittableRandom random) {
        if (this.registry == null) {
            return null;
        }
        String name = this.nameRing[random.nextInt(NAMES_KEPT)];
        return (name != null) ? this.names.get(name) : null;
    }

    /** The registry's operator pause ({@code true}) or resume of {@code target}, recorded on its order slot. */
    private void order(CheckingProducer target, boolean pause) {
        ProducerRegistry operator = this.registry;
        Holds.Slot slot = target.order;
        String name = target.registryName;
        if (operator == null || slot == null || name == null) {
            return;
        }
        if (pause) {
            int token = slot.placing();
            try {
                Optional<ProducerSnapshot> after = Checks.registryCall(() -> operator.pause(name));
                if (after.isPresent()) {
                    slot.placed(token);
                    target.history.add(History.Event.HOLD_PLACED, 0);
                }
                else {
                    slot.notPlaced();
                }
            }
            catch (ProducerStoppedException stopped) {
                slot.notPlaced();
            }
            catch (Throwable failure) {
                slot.notPlaced();
                throw failure;
            }
        }
        else {
            slot.withdrawing();
            target.history.add(History.Event.HOLD_RELEASING, 0);
            try {
                Checks.registryCall(() -> operator.resume(name));
            }
            catch (ProducerStoppedException stopped) {
                // stopped meanwhile: no order stands
            }
            finally {
                slot.withdrawn();
            }
        }
    }

    private void stop(SplittableRandom random) {
        int how = random.nextInt(3);
        if (how == 0 && this.registry != null) {
            CheckingProducer target = namedProducer(random);
            if (target != null && target.registryName != null) {
                target.history.add(History.Event.STOP_ORDERED, 1);
                target.operatorStopOrdered = true;
                ProducerRegistry operator = this.registry;
                String name = target.registryName;
                Checks.registryCall(() -> operator.stop(name));
            }
        }
        else if (how == 1) {
            Producer current = this.consumer.producer();
            if (current instanceof CheckingProducer target) {
                target.history.add(History.Event.STOP_ORDERED, 2);
                this.consumer.stopProducer(target);
            }
        }
        else {
            Producer current = this.consumer.producer();
            if (current instanceof CheckingProducer target) {
                target.history.add(History.Event.STOP_ORDERED, 3);
            }
            this.consumer.stopProducer();
        }
    }

    /** A registry snapshot never shows a producer producing after it was stopped or told unregistered. */
    private void checkSnapshot(CheckingProducer target) {
        ProducerRegistry reader = this.registry;
        String name = target.registryName;
        if (reader == null || name == null) {
            return;
        }
        boolean stopped = target.isStopped();
        boolean finished = target.unregisteredAnnounced();
        Optional<ProducerSnapshot> snapshot = reader.producer(name);
        if (snapshot.isEmpty() || !(stopped || finished)) {
            return;
        }
        ProducerState state = snapshot.get().state();
        if (state == ProducerState.PRODUCING || state == ProducerState.PAUSED) {
            this.checks.report("registry snapshots agree with the callbacks (v3; issue 18 defect 12)", () -> "producer '"
                    + name + "' shows " + state + " after it was " + (stopped ? "stopped" : "told unregistered")
                    + "; snapshot " + snapshot.get() + target.history());
        }
    }

    // ------------------------------------------------------------------ drains, faults, pacing

    private void kick() {
        if (this.kickPending.compareAndSet(false, true)) {
            this.kicks.release();
        }
    }

    private void kickDrains() {
        while (!this.checks.stopping) {
            try {
                if (!this.kicks.tryAcquire(5, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            this.kickPending.set(false);
            this.extraOperations.increment();
            drain();
        }
    }

    private void drain() {
        try {
            this.consumer.drain();
        }
        catch (Throwable failure) {
            thrownAtCaller(failure, "drain");
        }
    }

    private void strike(long afterOperations) {
        long target = this.budget.get() - afterOperations;
        awaitChange(() -> this.budget.get() <= target);
        if (this.checks.stopping) {
            return;
        }
        this.faultStruck = true;
        this.extraOperations.increment();
        try {
            switch (this.scenario.fault()) {
                case CONNECTION_LOST -> {
                    IllegalStateException reason = new IllegalStateException("torture: connection lost");
                    this.strikeReason = reason;
                    this.consumer.connectionLost(reason);
                }
                case ABORT -> this.consumer.abortConnection();
                case LOSE_CONNECTION -> {
                    this.lossStruck = true;
                    this.consumer.loseConnection();
                }
                case NONE -> throw new AssertionError();
            }
        }
        catch (Throwable failure) {
            thrownAtCaller(failure, "fault " + this.scenario.fault());
        }
    }

    /**
     * A throwable came out of a call into the consumer or the registry. The failure of a sink, weigher, executor or
     * producer may reach the caller that ran into it (the contract requires the consumer to fail, not to hide it);
     * a listener's must not (logged and ignored); anything else is a bug.
     */
    private void thrownAtCaller(Throwable failure, String call) {
        Faults.Site site = this.faults.siteOf(failure);
        if (site == null) {
            this.checks.report("no unexpected exception", () -> call + " threw " + failure + " at "
                    + Arrays.toString(Arrays.copyOf(failure.getStackTrace(), 6)) + "; " + state());
        }
        else if (site == Faults.Site.LISTENER || site == Faults.Site.REGISTRY_LISTENER) {
            this.checks.report("listener failures are logged and ignored (v3; issue 18 defect 4)", call
                    + " threw the listener's " + failure + " at its caller, thread "
                    + Thread.currentThread().getName());
        }
        else {
            this.usersFaultsSeenByCallers.increment();
        }
        if (failure instanceof VirtualMachineError error) {
            throw error;
        }
    }

    /** Waits about {@code millis} ms on a private monitor nobody notifies: pacing, not waiting for a condition. */
    private void pause(int millis) {
        if (millis == 0) {
            return;
        }
        synchronized (this.pace) {
            try {
                this.pace.wait(millis);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitChange(BooleanSupplier done) {
        while (!this.checks.stopping && !done.getAsBoolean()) {
            pause(1);
        }
    }

    /** The main thread while the others run: spends nothing, watches for lost wake-ups and for a stuck round. */
    private void awaitBudgetSpent() {
        long lastWrites = this.checks.writes();
        long lastProgress = System.nanoTime();
        long lastWatch = lastProgress;
        long closedAt = 0;
        while (this.budget.get() > 0) {
            pause(2);
            long now = System.nanoTime();
            long writes = this.checks.writes();
            if (writes != lastWrites) {
                lastWrites = writes;
                lastProgress = now;
            }
            if (now - lastWatch > TimeUnit.MILLISECONDS.toNanos(100)) {
                lastWatch = now;
                watch(now, "seen by the watchdog while the round ran");
            }
            if (this.checks.lostWakeUps.get() > 0) {
                return; // the round has failed: a writer owed a wake-up would write once per patience, for ever
            }
            if (this.consumer.whenClosed().isDone()) {
                if (closedAt == 0) {
                    closedAt = now;
                }
                else if (now - closedAt > TimeUnit.MILLISECONDS.toNanos(50)) {
                    return; // enough churn against a closed consumer
                }
            }
            else if (now - lastProgress > this.patienceNanos + TimeUnit.SECONDS.toNanos(1)) {
                long stuckMillis = TimeUnit.NANOSECONDS.toMillis(now - lastProgress);
                this.checks.report("progress", () -> "round stuck: no write for " + stuckMillis
                        + " ms with the consumer open; " + state());
                return;
            }
        }
    }

    /** Reports every producer owed a callback for longer than the patience; forgets the producers that are gone. */
    private void watch(long now, String when) {
        for (CheckingProducer producer : this.live) {
            if (!producer.checkDebt(now, this.patienceNanos, when) && producer.isGone()) {
                this.live.remove(producer);
            }
        }
    }

    // ------------------------------------------------------------------ quiet point and end

    private void stopThreads(@Nullable Thread worker) {
        this.checks.stopping = true;
        for (CheckingProducer producer : this.producers) {
            producer.wake();
        }
        for (Thread thread : this.threads) {
            if (thread != worker) {
                join(thread);
            }
        }
    }

    private void join(Thread thread) {
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(this.patienceNanos));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
        if (thread.isAlive()) {
            this.checks.report("completion (DESIGN §4.9; no livelock, issue 18 defect 2)", () -> thread.getName()
                    + " still inside a call " + TimeUnit.NANOSECONDS.toMillis(this.patienceNanos)
                    + " ms after the round ended: " + stackOf(thread) + "; " + state());
            throw new RoundHung("torture round " + this.number + " hung (scenario " + this.scenario.seed() + ": "
                    + this.scenario.brief() + ")");
        }
    }

    /** A round whose thread cannot be stopped: the run ends, since that thread may spin for ever. */
    static final class RoundHung extends RuntimeException {

        private static final long serialVersionUID = 1L;

        RoundHung(String message) {
            super(message);
        }
    }

    /** Makes every part of the hostile world behave, and withdraws every hold, so that the consumer can settle. */
    private void calmDown() {
        if (this.checkingSink != null) {
            this.checkingSink.acceptEverything();
        }
        if (this.asyncSinks != null) {
            this.asyncSinks.quiet();
        }
        this.weigher.quiet();
        this.hostiles.forEach(Listeners.Hostile::quiet);
        if (this.registryEvents != null) {
            this.registryEvents.quiet();
        }
        for (int key = 0; key < KEYS; key++) {
            try {
                releaseKey(key);
            }
            catch (Throwable failure) {
                thrownAtCaller(failure, "release at the quiet point");
            }
        }
        for (CheckingProducer producer : this.names.values()) {
            try {
                order(producer, false);
            }
            catch (Throwable failure) {
                thrownAtCaller(failure, "registry resume at the quiet point");
            }
        }
    }

    private boolean open() {
        return !this.consumer.whenClosed().isDone() && !this.faultStruck && !this.faults.anyFailingTheConsumer()
                && !this.checks.executorFailed;
    }

    private void quietPoint() {
        calmDown();
        drain();
        if (!open()) {
            return;
        }
        if (!eventually(() -> !(this.consumer.producer() instanceof CheckingProducer.Pull))) {
            this.checks.report("progress", () -> "a pull producer was not asked for its remaining chunks at the quiet point; "
                    + state() + historyOfRegistered());
        }
        if (!eventually(() -> this.consumer.bufferedUnits() == 0)) {
            this.checks.report("progress", () -> "buffer did not drain into a sink that takes everything; " + state()
                    + historyOfRegistered());
            return;
        }
        long deadline = System.nanoTime() + this.patienceNanos;
        eventually(() -> this.live.stream().noneMatch(p -> p.checkDebt(System.nanoTime(), Long.MAX_VALUE, "")));
        watch(Math.max(System.nanoTime(), deadline), "at the quiet point: threads done, no hold, buffer empty");
        Producer current = this.consumer.producer();
        if (current instanceof CheckingProducer.Push push && !eventually(() -> !push.isPaused()
                || this.consumer.producer() != push)) {
            this.checks.report("never left paused (DESIGN §4.3)", () -> push + " still paused at the quiet point, depth 0 <= low "
                    + this.scenario.low() + ", no hold; " + state() + push.history());
        }
        checkAccounts("quiet point");
        if (this.faults.anyFailingTheConsumer() || this.usersFaultsSeenByCallers.sum() > 0) {
            return;
        }
        for (int source = 0; source < this.producerSources.get(); source++) {
            if (this.tally.uncertain(source)) {
                continue;
            }
            long written = this.tally.items(source);
            if (this.delivery.delivered(source) != written) {
                this.checks.report("per-writer FIFO, exactly once (DESIGN §4.4)", "source " + source + " wrote "
                        + written + " items, the sink got " + this.delivery.delivered(source)
                        + " (no loss in this round)");
            }
        }
    }

    private String historyOfRegistered() {
        Producer current = this.consumer.producer();
        return (current instanceof CheckingProducer producer) ? producer.history() : "";
    }

    private void checkAccounts(String when) {
        BooleanSupplier addsUp = () -> this.consumer.acceptedUnits() == this.consumer.sentUnits()
                + this.consumer.droppedUnits() + this.consumer.bufferedUnits();
        if (!eventually(addsUp)) {
            this.checks.report("accounts add up (DESIGN §4.7)", "at the " + when + ": " + accounts());
        }
    }

    private void end() {
        Scenario.Ending ending = this.scenario.fault() == Scenario.Fault.LOSE_CONNECTION
                ? Scenario.Ending.LOSE_CONNECTION : this.scenario.ending();
        Producer registeredAtEnd = this.consumer.producer();
        Throwable endReason = null;
        try {
            switch (ending) {
                case LOSE_CONNECTION -> {
                    this.registrations.lock();
                    try {
                        if (this.consumer.producer() instanceof CheckingProducer producer) {
                            producer.unregistering();
                        }
                        this.consumer.unregisterProducer();
                    }
                    finally {
                        this.registrations.unlock();
                    }
                    this.consumer.loseConnection();
                }
                case CONNECTION_LOST -> {
                    endReason = new IllegalStateException("torture: the end");
                    this.consumer.connectionLost(endReason);
                }
                case ABORT -> this.consumer.abortConnection();
            }
        }
        catch (Throwable failure) {
            thrownAtCaller(failure, ending.name());
        }
        this.extraOperations.add(2);
        CompletableFuture<Void> closed = this.consumer.whenClosed();
        if (!eventually(closed::isDone)) {
            this.checks.report("completion: whenClosed() completes (DESIGN §4.9; issue 18 defects 3, 4)", () -> "whenClosed() pending "
                    + TimeUnit.NANOSECONDS.toMillis(this.patienceNanos) + " ms after " + ending + "; " + state()
                    + historyOfRegistered());
            return;
        }
        if (ending != Scenario.Ending.LOSE_CONNECTION && registeredAtEnd instanceof CheckingProducer producer
                && !eventually(producer::isGone)) {
            this.checks.report("completion (DESIGN §4.9)", () -> producer + " registered when the consumer was " + ending
                    + " never got stopProducing" + producer.history());
        }
        eventually(() -> this.producers.stream().allMatch(CheckingProducer::isGone));
        for (CheckingProducer producer : this.producers) {
            if (!producer.isGone()) {
                this.checks.report("a closed consumer keeps no producer (FD-2, DESIGN §4.9)", () -> producer
                        + " neither stopped nor unregistered after the consumer closed" + producer.history());
            }
        }
        checkHowItClosed(closed, ending, endReason);
        // eventually: a write that began before the loss may buffer its item after the loop's discard; its signal
        // runs the loop once more (on the drain executor, which may be slow to get to it), and that round drops it
        if (!eventually(() -> this.consumer.bufferedUnits() == 0)) {
            this.checks.report("accounts add up (DESIGN §4.7)", "closed with units still buffered: " + accounts());
        }
        checkAccounts("close");
        long written = this.tally.totalBytes();
        if (this.usersFaultsSeenByCallers.sum() == 0 && this.scenario.weigherThrowsAt() == 0
                && this.consumer.acceptedUnits() != written) {
            this.checks.report("accounts add up (DESIGN §4.7)", "producers wrote " + written + " units, the consumer"
                    + " accepted " + this.consumer.acceptedUnits() + " (writes after a loss are accepted and dropped,"
                    + " not uncounted); " + accounts());
        }
        long taken = this.delivery.bytesTaken();
        long sent = this.consumer.sentUnits();
        long failedPart = (this.checkingSink != null) ? this.checkingSink.bytesTakenFromFailedItem() : 0;
        // a weigher that throws when asked what is left of a part-taken item fails the consumer, which then cannot tell
        // how much of that item the sink took: counted as not sent
        long unweighedPart = (this.checkingSink != null && this.scenario.weigherThrowsAt() > 0)
                ? this.checkingSink.bytesTakenFromUnfinishedItem() : 0;
        if (sent > taken || sent < taken - failedPart - unweighedPart) {
            this.checks.report("accounts add up (DESIGN §4.7)", "the sink took " + taken + " units (" + failedPart
                    + " of them from the item whose offer threw, " + unweighedPart + " from an unfinished item when"
                    + " the weigher may have thrown), the consumer counts " + sent + " sent");
        }
    }

    /**
     * A consumer that a user's failure failed completes {@code whenClosed()} exceptionally with it and logs it once;
     * whatever it completes with is one of the round's reasons.
     */
    private void checkHowItClosed(CompletableFuture<Void> closed, Scenario.Ending ending,
            @Nullable Throwable endReason) {
        Throwable cause = null;
        try {
            closed.join();
        }
        catch (CompletionException | CancellationException failure) {
            cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
                    : failure;
        }
        boolean failedByUser = this.faults.anyFailingTheConsumer() && !this.lossStruck;
        if (cause == null) {
            if (failedByUser) {
                this.checks.report("a user's failure fails the consumer (v3 exception safety; DESIGN §4.9)", () ->
                        "whenClosed() completed normally after " + this.faults.describeAll() + "; " + state());
            }
            return;
        }
        Throwable injected = this.faults.injectedIn(cause);
        boolean expected = injected != null || cause == endReason || cause == this.strikeReason
                || cause instanceof CancellationException;
        if (!expected) {
            this.checks.report("whenClosed() completes with the reason", "whenClosed() failed with " + cause
                    + ", which is no reason of this round (" + ending + ")");
        }
        if (injected != null && Faults.failsConsumer(this.faults.siteOf(injected)) && this.logCounts) {
            int times = this.faults.timesLogged(injected);
            if (times == 0) {
                this.checks.report("a failure that fails the consumer is logged (DESIGN §4.9)",
                        this.faults.describe(injected) + " completed whenClosed() and was never logged");
            }
            else if (times > 1) {
                this.checks.report("a failure is logged once (DESIGN §4.9)", this.faults.describe(injected)
                        + " was logged " + times + " times");
            }
        }
    }

    private boolean logCounts;

    /** Whether log events are counted (Logback present): set by the test before {@link #run()}. */
    Round countingLogs(boolean counts) {
        this.logCounts = counts;
        return this;
    }

    private void shutDown() {
        if (this.asyncSinks != null && !eventually(() -> this.asyncSinks.sink().whenSettled().isDone())) {
            this.checks.report("AsyncSink settles once its consumer closed (issue 18 defect 5)", this.asyncSinks
                    .sink() + " still has calls in flight " + TimeUnit.NANOSECONDS.toMillis(this.patienceNanos)
                    + " ms after its consumer closed");
        }
        try {
            if (this.completer != null) {
                this.completer.shutdown();
                if (!this.completer.awaitTermination(10, TimeUnit.SECONDS)) {
                    this.completer.shutdownNow();
                }
            }
            if (!this.drainExecutors.shutDown(TimeUnit.NANOSECONDS.toMillis(this.patienceNanos))) {
                this.checks.report("completion (DESIGN §4.9)", () -> "a drain executor thread still busy after the consumer"
                        + " closed; " + state());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ helpers

    private Thread start(String role, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            }
            catch (Throwable failure) {
                thrownAtCaller(failure, role);
            }
        }, THREAD_PREFIX + "r" + this.number + "-" + role);
        thread.setDaemon(true);
        this.threads.add(thread);
        thread.start();
        return thread;
    }

    /**
     * Threads for executors. What escapes a task into such a thread escaped the consumer's loop: v3 catches every
     * throwable of user code (a user's failure fails the consumer; a listener's is ignored).
     */
    private ThreadFactory named(String role) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, THREAD_PREFIX + "r" + this.number + "-" + role + "-"
                    + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((dead, failure) -> this.checks.report(
                    "exception safety: nothing escapes the loop (v3; issue 18 defects 3, 4)", () -> failure
                            + " (" + this.faults.describe(failure) + ") escaped into executor thread " + dead.getName()
                            + " at " + Arrays.toString(Arrays.copyOf(failure.getStackTrace(), 8))));
            return thread;
        };
    }

    private boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + this.patienceNanos;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            pause(1);
        }
        return true;
    }

    private String accounts() {
        return "accepted " + this.consumer.acceptedUnits() + ", sent " + this.consumer.sentUnits() + ", dropped "
                + this.consumer.droppedUnits() + ", buffered " + this.consumer.bufferedUnits();
    }

    private String state() {
        return "consumer: " + accounts() + ", held " + this.consumer.isProducerHeld() + ", producer "
                + this.consumer.producer() + ", closed " + this.consumer.whenClosed().isDone() + "; scenario: "
                + this.scenario.brief();
    }

    private static String stackOf(Thread thread) {
        return Arrays.toString(Arrays.copyOf(thread.getStackTrace(), 10));
    }

    /** Bytes, counted by a weigher that throws once, at a chosen call, until the round calms down. */
    private static final class ThrowingWeigher implements Weigher<ByteBuffer> {

        private final Checks checks;

        private final long throwAt;

        private final Faults.Kind kind;

        private final AtomicLong calls = new AtomicLong();

        private volatile boolean quiet;

        ThrowingWeigher(Checks checks, long throwAt, Faults.Kind kind) {
            this.checks = checks;
            this.throwAt = throwAt;
            this.kind = kind;
        }

        void quiet() {
            this.quiet = true;
        }

        @Override
        public long weigh(ByteBuffer item) {
            if (this.throwAt > 0 && this.calls.incrementAndGet() == this.throwAt && !this.quiet) {
                throw Faults.sneaky(this.checks.faults.make(this.kind, Faults.Site.WEIGHER));
            }
            return item.remaining();
        }

        @Override
        public String unit() {
            return "bytes";
        }
    }
}
