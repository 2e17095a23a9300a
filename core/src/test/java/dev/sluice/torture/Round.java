package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import org.jspecify.annotations.Nullable;

/**
 * Runs one {@link Scenario} against a fresh {@link BufferedConsumer}: starts its threads (writers, a churn thread,
 * operator holders, a sink kicker, a fault), lets them spend the round's operation budget, then brings the round to a
 * quiet point and checks what must hold there, ends the consumer and checks that it completes. Everything broken
 * goes to {@link Violations}.
 *
 * <p>An operation is one call into the consumer: write, drain, register, unregister, hold, release, or a loss.
 */
final class Round {

    static final String THREAD_PREFIX = "torture-";

    /** Longest wait for anything that must happen by itself (a drain, a resume, a close); hitting it is a failure. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** No write for this long, with budget left and the consumer open: the round is stuck. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final int MAX_PULL_PRODUCERS = 4096;

    private static final int PULL_SOURCE_BASE = 16;

    private final Scenario scenario;

    private final int number;

    private final Violations violations;

    private final CheckingProducer.Callbacks callbacks;

    private final SplittableRandom random;

    private final AtomicLong budget;

    private final LongAdder extraOperations = new LongAdder();

    private final List<Thread> threads = new ArrayList<>();

    private final List<CheckingProducer> producers = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final long[] writtenItems = new long[PULL_SOURCE_BASE];

    private final long[] writtenBytes = new long[PULL_SOURCE_BASE];

    private final AtomicInteger pullCount = new AtomicInteger();

    private final AtomicInteger producerIds = new AtomicInteger();

    private final Semaphore kicks = new Semaphore(0);

    private final AtomicBoolean kickPending = new AtomicBoolean();

    private final AtomicBoolean faultStruck = new AtomicBoolean();

    /** Executor and sink failures that a call into the consumer threw at its caller. */
    private final LongAdder usersFaultsSeenByCallers = new LongAdder();

    private final @Nullable ExecutorService drainThreads;

    private volatile @Nullable RuntimeException executorFailure;

    private volatile boolean stopping;

    private final CheckingSink sink;

    private final BufferedConsumer<ByteBuffer> consumer;

    Round(Scenario scenario, int number, Violations violations) {
        this.scenario = scenario;
        this.number = number;
        this.violations = violations;
        this.random = new SplittableRandom(scenario.seed() ^ 0x5DEECE66DL);
        this.budget = new AtomicLong(scenario.operations());
        this.callbacks = new CheckingProducer.Callbacks(violations, this.budget);
        // ConsumerSupport's documented exception: with the inline drain, or once the executor has failed, no other
        // thread can deliver what a write made due (a resume after its drain, the stop after a loss), so it does
        this.callbacks.inlineDrain = scenario.drain() == Scenario.DrainMode.INLINE
                || scenario.drain() == Scenario.DrainMode.THROWING;
        this.sink = new CheckingSink(violations, scenario.sink(), this.random.split(), this::kick,
                PULL_SOURCE_BASE + MAX_PULL_PRODUCERS, scenario.sinkThrowsAtOffer(),
                scenario.sinkTakesPartBeforeThrowing(), scenario.sinkCloseThrows(), scenario.sinkAbortThrows());
        BufferedConsumer.Builder<ByteBuffer> builder = BufferedConsumer.builder(this.sink)
            .name("torture-" + number)
            .weigher(Weigher.bytes())
            .waterMarks(new WaterMarks(scenario.high(), scenario.low()));
        this.drainThreads = switch (scenario.drain()) {
            case INLINE -> null;
            case SINGLE_THREAD, THROWING -> Executors.newSingleThreadExecutor(named("drain"));
            case POOL -> Executors.newFixedThreadPool(3, named("drain"));
        };
        if (this.drainThreads != null) {
            builder.drainOn(scenario.drain() == Scenario.DrainMode.THROWING
                    ? throwingOnce(this.drainThreads, 1 + this.random.nextInt(64)) : this.drainThreads);
        }
        this.consumer = builder.build();
    }

    /** Runs the round; returns the operations it made. */
    long run() {
        if (this.scenario.producers() == Scenario.Producers.ONE_PUSH) {
            register(true);
        }
        for (int w = 0; w < this.scenario.writers(); w++) {
            int writer = w;
            start("writer-" + w, () -> write(writer));
        }
        if (this.scenario.producers() != Scenario.Producers.ONE_PUSH) {
            start("churn", this::churn);
        }
        for (int h = 0; h < this.scenario.holders(); h++) {
            SplittableRandom own = this.random.split();
            start("holder-" + h, () -> hold(own));
        }
        start("kicker", this::kickDrains);
        if (this.scenario.fault() != Scenario.Fault.NONE) {
            long strikeAt = this.scenario.operations() / 10 + this.random.nextLong(this.scenario.operations() / 2 + 1);
            start("fault", () -> strike(strikeAt));
        }
        awaitBudgetSpent();
        stopThreads();
        quietPoint();
        end();
        shutDownDrainThreads();
        return this.scenario.operations() - Math.max(0, this.budget.get()) + this.extraOperations.sum();
    }

    // ------------------------------------------------------------------ the threads

    private void write(int writer) {
        SplittableRandom random = this.random.split();
        int sequence = 0;
        while (!this.stopping) {
            Producer current = this.consumer.producer();
            if (!(current instanceof CheckingProducer.Push push) || !push.isRunning()) {
                awaitChange(() -> this.consumer.producer() != current
                        || current instanceof CheckingProducer.Push waiting && waiting.isRunning());
                continue;
            }
            if (!spend()) {
                break;
            }
            ByteBuffer item = Tagged.item(writer, sequence++, Tagged.MIN_SIZE
                    + random.nextInt(Tagged.MAX_SIZE - Tagged.MIN_SIZE + 1));
            this.writtenItems[writer] = sequence;
            this.writtenBytes[writer] += item.remaining();
            boolean more;
            try {
                more = this.callbacks.write(this.consumer, item);
            }
            catch (RuntimeException failure) {
                if (!isUsersFault(failure)) {
                    throw failure;
                }
                more = false;
            }
            long depth = this.consumer.bufferedUnits();
            if (depth > this.scenario.bound() || depth < 0) {
                this.violations.report("memory bound when write's answer is honoured (DESIGN §4.5)",
                        "buffered " + depth + " > high " + this.scenario.high() + " + one item per writer ("
                                + this.scenario.writers() + " writers, items <= " + Tagged.MAX_SIZE + " bytes)");
            }
            if (!more) {
                // honours false: no more writes until the consumer wants data again, whichever producer is registered
                // by then (a new registration does not make a full buffer take more), or until it has gone
                awaitChange(() -> this.consumer.whenClosed().isDone() || writable()
                        && (this.consumer.producer() != push || push.isRunning() || push.isStopped()));
            }
        }
    }

    /** Whether the consumer takes more now. */
    private boolean writable() {
        return this.consumer.isWritable();
    }

    private void churn() {
        boolean push = this.scenario.producers() != Scenario.Producers.PULL_CHURN;
        boolean pull = this.scenario.producers() != Scenario.Producers.PUSH_CHURN;
        SplittableRandom random = this.random.split();
        while (!this.stopping && spend()) {
            Producer current = this.consumer.producer();
            if (current == null) {
                boolean streaming = push && (!pull || random.nextBoolean());
                if (!streaming && this.pullCount.get() >= MAX_PULL_PRODUCERS) {
                    streaming = true;
                }
                register(streaming);
            }
            else if (random.nextInt(8) == 0) {
                try {
                    register(random.nextBoolean() || !pull);
                    // allowed: the producer seen above left meanwhile
                }
                catch (IllegalStateException expected) {
                    // a producer is registered: the second registration fails fast, the first stays
                }
            }
            else if (current instanceof CheckingProducer.Push) {
                this.consumer.unregisterProducer();
                this.callbacks.changed();
            }
            long target = this.budget.get() - 50 - random.nextInt(400);
            awaitChange(() -> this.budget.get() <= target || this.consumer.producer() == null);
        }
    }

    private void register(boolean wantStreaming) {
        // the sink tracks at most MAX_PULL_PRODUCERS pull sources; a fast round registers push producers after that
        boolean streaming = wantStreaming || this.pullCount.get() >= MAX_PULL_PRODUCERS;
        CheckingProducer producer;
        if (streaming) {
            producer = new CheckingProducer.Push(this.producerIds.incrementAndGet(), this.callbacks);
        }
        else {
            int pull = this.pullCount.getAndIncrement();
            producer = new CheckingProducer.Pull(this.producerIds.incrementAndGet(), this.callbacks, this.consumer,
                    PULL_SOURCE_BASE + pull, 1 + this.random.split().nextInt(32), Tagged.MIN_SIZE + pull % 24);
        }
        this.producers.add(producer);
        this.consumer.registerProducer(producer, streaming);
        this.callbacks.changed();
    }

    private void hold(SplittableRandom random) {
        boolean held = false;
        while (!this.stopping && spend()) {
            if (held) {
                this.consumer.releaseProducer();
            }
            else {
                this.consumer.holdProducer();
            }
            held = !held;
            // short holds (a writer waits for the release), longer gaps, so the producer is not held most of the time
            awaitProgress(held ? random.nextInt(50) : 1_000 + random.nextInt(4_000));
        }
        if (held) {
            this.consumer.releaseProducer();
            this.extraOperations.increment();
        }
    }

    private void kick() {
        if (this.kickPending.compareAndSet(false, true)) {
            this.kicks.release();
        }
    }

    private void kickDrains() {
        while (!this.stopping) {
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
        catch (RuntimeException failure) {
            if (!isUsersFault(failure)) {
                throw failure;
            }
        }
    }

    /**
     * Whether {@code failure}, thrown out of a call into the consumer, is the drain executor's or the sink's own: the
     * contract lets a consumer pass a user's fault to the caller that ran into it (and still requires the close to
     * complete), so it is counted, not reported.
     */
    private boolean isUsersFault(Throwable failure) {
        boolean users = failure == this.executorFailure || this.sink.threw(failure)
                || failure.getCause() != null && this.sink.threw(failure.getCause());
        if (users) {
            this.usersFaultsSeenByCallers.increment();
        }
        return users;
    }

    private void strike(long afterOperations) {
        awaitProgress(afterOperations);
        if (this.stopping) {
            return;
        }
        this.faultStruck.set(true);
        this.extraOperations.increment();
        switch (this.scenario.fault()) {
            case CONNECTION_LOST -> this.consumer.connectionLost(new IllegalStateException("torture: connection lost"));
            case ABORT -> this.consumer.abortConnection();
            case LOSE_CONNECTION -> this.consumer.loseConnection();
            case NONE -> throw new AssertionError();
        }
        this.callbacks.changed();
    }

    // ------------------------------------------------------------------ pacing

    private boolean spend() {
        return this.budget.getAndDecrement() > 0;
    }

    /** Waits, without spending, until the others have made {@code operations} operations, or a millisecond passed. */
    private void awaitProgress(long operations) {
        long target = this.budget.get() - operations;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1) * Math.max(1, operations / 100);
        awaitChange(() -> this.budget.get() <= target || System.nanoTime() - deadline > 0);
    }

    private void awaitChange(BooleanSupplier done) {
        synchronized (this.callbacks.signal) {
            while (!this.stopping && !done.getAsBoolean()) {
                try {
                    this.callbacks.signal.wait(1);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void awaitBudgetSpent() {
        long lastWrites = this.callbacks.writes();
        long lastProgress = System.nanoTime();
        long closedAt = 0;
        while (this.budget.get() > 0) {
            awaitQuietly(2);
            long now = System.nanoTime();
            long writes = this.callbacks.writes();
            if (writes != lastWrites) {
                lastWrites = writes;
                lastProgress = now;
            }
            if (this.consumer.whenClosed().isDone()) {
                if (closedAt == 0) {
                    closedAt = now;
                }
                else if (now - closedAt > TimeUnit.MILLISECONDS.toNanos(50)) {
                    return; // enough churn against a closed consumer
                }
            }
            else if (now - lastProgress > STALL_NANOS) {
                this.violations.report("progress", "round stuck: no write for 5 s with the consumer open; " + state());
                return;
            }
        }
    }

    // ------------------------------------------------------------------ quiet point and end

    private void stopThreads() {
        this.stopping = true;
        this.callbacks.changed();
        for (Thread thread : this.threads) {
            try {
                thread.join(TimeUnit.NANOSECONDS.toMillis(PATIENCE_NANOS));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
            if (thread.isAlive()) {
                this.violations.report("completion (DESIGN §4.9)", thread.getName() + " still inside a call to the"
                        + " consumer 10 s after the round ended: " + stackOf(thread) + "; " + state());
                throw new AssertionError("torture round " + this.number + " hung; " + this.scenario + "\n"
                        + this.violations.summary());
            }
        }
    }

    private void quietPoint() {
        boolean open = !this.consumer.whenClosed().isDone() && !this.faultStruck.get() && !this.sink.threw()
                && this.executorFailure == null;
        this.sink.acceptEverything();
        drain();
        if (!open) {
            return;
        }
        if (!eventually(() -> this.consumer.bufferedUnits() == 0)) {
            this.violations.report("progress", "buffer did not drain into a sink that takes everything; " + state());
            return;
        }
        Producer current = this.consumer.producer();
        if (current instanceof CheckingProducer.Push push && !eventually(() -> !push.isPaused()
                || this.consumer.producer() != push)) {
            this.violations.report("never left paused (DESIGN §4.3)", push + " still paused 10 s after the threads"
                    + " went quiet, depth 0 <= low " + this.scenario.low() + ", no hold; " + state());
        }
        checkAccounts("quiet point");
        for (int writer = 0; writer < this.scenario.writers(); writer++) {
            checkDelivered(writer, this.writtenItems[writer]);
        }
        for (CheckingProducer producer : this.producers) {
            if (producer instanceof CheckingProducer.Pull pull) {
                checkDelivered(pull.source(), pull.written());
            }
        }
    }

    private void checkDelivered(int source, long written) {
        if (this.sink.delivered(source) != written) {
            this.violations.report("per-writer FIFO, exactly once (DESIGN §4.4)", "source " + source + " wrote "
                    + written + " items, the sink got " + this.sink.delivered(source) + " (no loss in this round)");
        }
    }

    private void checkAccounts(String when) {
        BooleanSupplier addsUp = () -> this.consumer.acceptedUnits() == this.consumer.sentUnits()
                + this.consumer.droppedUnits() + this.consumer.bufferedUnits();
        if (!eventually(addsUp)) {
            this.violations.report("accounts add up (DESIGN §4.7)", "at the " + when + ": " + accounts());
        }
    }

    private void end() {
        Producer registered = this.consumer.producer();
        Scenario.Ending ending = this.scenario.fault() == Scenario.Fault.LOSE_CONNECTION
                ? Scenario.Ending.LOSE_CONNECTION : this.scenario.ending();
        String how = ending.name();
        try {
            switch (ending) {
                case LOSE_CONNECTION -> {
                    this.consumer.unregisterProducer();
                    this.consumer.loseConnection();
                }
                case CONNECTION_LOST -> this.consumer.connectionLost(new IllegalStateException("torture: the end"));
                case ABORT -> this.consumer.abortConnection();
            }
        }
        catch (RuntimeException failure) {
            if (!isUsersFault(failure)) {
                this.violations.report("no unexpected exception", how + " threw " + failure);
            }
        }
        this.extraOperations.add(2);
        CompletableFuture<Void> closed = this.consumer.whenClosed();
        if (!eventually(closed::isDone)) {
            this.violations.report("completion (DESIGN §4.9)", "whenClosed() pending 10 s after " + how + " ("
                    + (this.sink.threw() ? "sink threw, " : "") + (this.executorFailure != null ? "executor threw, "
                            : "") + "close throws: " + this.scenario.sinkCloseThrows() + ", abort throws: "
                    + this.scenario.sinkAbortThrows() + "); " + state());
            return;
        }
        if (ending != Scenario.Ending.LOSE_CONNECTION && registered instanceof CheckingProducer producer
                && !eventually(producer::isStopped)) {
            this.violations.report("completion (DESIGN §4.9)", producer + " registered when the consumer was "
                    + how + " never got stopProducing");
        }
        if (this.consumer.bufferedUnits() != 0) {
            this.violations.report("accounts add up (DESIGN §4.7)", "closed with units still buffered: " + accounts());
        }
        checkAccounts("close");
        long written = Arrays.stream(this.writtenBytes).sum();
        for (CheckingProducer producer : this.producers) {
            if (producer instanceof CheckingProducer.Pull pull) {
                written += pull.bytesWritten();
            }
        }
        if (this.usersFaultsSeenByCallers.sum() == 0 && this.consumer.acceptedUnits() != written) {
            this.violations.report("accounts add up (DESIGN §4.7)", "producers wrote " + written
                    + " units, the consumer accepted " + this.consumer.acceptedUnits() + " (writes after a loss are"
                    + " accepted and dropped, not uncounted); " + accounts());
        }
        long taken = this.sink.bytesTaken();
        long sent = this.consumer.sentUnits();
        if (sent > taken || sent < taken - this.sink.bytesTakenFromFailedItem()) {
            this.violations.report("accounts add up (DESIGN §4.7)", "the sink took " + taken + " units ("
                    + this.sink.bytesTakenFromFailedItem() + " of them from the item whose offer threw), the"
                    + " consumer counts " + sent + " sent");
        }
    }

    private void shutDownDrainThreads() {
        if (this.drainThreads == null) {
            return;
        }
        this.drainThreads.shutdown();
        try {
            if (!this.drainThreads.awaitTermination(10, TimeUnit.SECONDS)) {
                this.violations.report("completion (DESIGN §4.9)", "a drain executor thread still busy 10 s after"
                        + " the consumer closed; " + state());
                this.drainThreads.shutdownNow();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ helpers

    private Executor throwingOnce(Executor executor, int failingCall) {
        AtomicInteger calls = new AtomicInteger();
        return task -> {
            if (calls.incrementAndGet() == failingCall) {
                RuntimeException failure = new IllegalStateException("torture: drain executor broke at call "
                        + failingCall);
                this.executorFailure = failure;
                throw failure;
            }
            executor.execute(task);
        };
    }

    private void start(String role, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            }
            catch (RuntimeException failure) {
                if (isUsersFault(failure)) {
                    return; // the consumer passed the user's fault on; this thread's part of the round ends
                }
                this.violations.report("no unexpected exception", role + " got " + failure + " at "
                        + Arrays.toString(Arrays.copyOf(failure.getStackTrace(), 4)));
            }
            catch (Error failure) {
                this.violations.report("no unexpected exception", role + " got " + failure + " at "
                        + Arrays.toString(Arrays.copyOf(failure.getStackTrace(), 4)));
            }
        }, THREAD_PREFIX + "r" + this.number + "-" + role);
        thread.setDaemon(true);
        this.threads.add(thread);
        thread.start();
    }

    private ThreadFactory named(String role) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, THREAD_PREFIX + "r" + this.number + "-" + role + "-"
                    + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            awaitQuietly(1);
        }
        return true;
    }

    /** A timed wait on a private monitor that nobody notifies: the main thread polling, without Thread.sleep. */
    private void awaitQuietly(long millis) {
        synchronized (this.budget) {
            try {
                this.budget.wait(millis);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String accounts() {
        return "accepted " + this.consumer.acceptedUnits() + ", sent " + this.consumer.sentUnits() + ", dropped "
                + this.consumer.droppedUnits() + ", buffered " + this.consumer.bufferedUnits();
    }

    private String state() {
        return "consumer: " + accounts() + ", bufferFull " + this.consumer.isBufferFull() + ", held "
                + this.consumer.isProducerHeld() + ", producer " + this.consumer.producer() + ", closed "
                + this.consumer.whenClosed().isDone() + "; round " + this.number + " " + this.scenario;
    }

    private static String stackOf(Thread thread) {
        return Arrays.toString(Arrays.copyOf(thread.getStackTrace(), 8));
    }
}
