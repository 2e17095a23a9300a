package dev.sluice.io;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Sink} for an API that answers with a {@link CompletionStage}: an HTTP client's {@code sendAsync}, a Kafka
 * template's {@code send}, an R2DBC statement. Each item taken starts one call; at most {@code maxInFlight} calls run
 * at once. While all slots are taken the sink says "not now" ({@link #offer} returns {@code false}), so the items wait
 * in the consumer's buffer, which fills and pauses its producer; the completion that frees a slot calls
 * {@link BufferedConsumer#drain()}, and the next item is offered.
 *
 * <pre>{@code
 * AsyncSink<Order> sink = AsyncSink.builder((Order order) -> http.sendAsync(request(order), discarding()))
 *         .maxInFlight(16)
 *         .onSuccess(Order::acknowledge)
 *         .build();
 * BufferedConsumer<Order> consumer = sink.bind(BufferedConsumer.builder(sink).name("orders").build());
 * }</pre>
 *
 * <h2>Completion acknowledges</h2>
 * An item is done when its call completes normally, not when the sink takes it: only then is the
 * {@linkplain Builder#onSuccess success hook} called, once per item, on the thread that completed the call (or on the
 * completion executor, see Threading). That hook is where a message is acknowledged (a Kafka offset, an AMQP delivery
 * tag). Calls complete in any order, so items are acknowledged in any order; whoever acknowledges must cope with that
 * (the Kafka adapter commits only the contiguous prefix of each partition).
 *
 * <h2>Failure policy</h2>
 * A call fails when its stage completes exceptionally, when the function throws an {@link Exception}, or when it
 * returns {@code null}.
 * <ol>
 *   <li>A failure that {@link Builder#skipIf} classifies as the item's own fault (a 400 answer, a constraint
 *       violation: a <em>poison</em> item that would fail for ever) is not retried: the item is <em>skipped</em>.</li>
 *   <li>Any other failure is retried with exponential back-off ({@link Builder#retry}): the same item is called again
 *       after the initial back-off, doubled after each further failure up to the maximum, until
 *       {@code maxAttempts} calls in all have failed. A retried item keeps its slot, so a failing API slows the flow
 *       instead of multiplying the calls.</li>
 *   <li>When the attempts are used up, {@link Builder#whenExhausted} decides: {@link Exhausted#STOP} (the default)
 *       fails the consumer with an {@link AsyncSinkException} ({@link BufferedConsumer#connectionLost}): its producer is
 *       stopped, its buffer dropped and counted, and neither the item nor anything buffered after it is acknowledged,
 *       so a redelivering source delivers them again. {@link Exhausted#SKIP} skips the item.</li>
 * </ol>
 * A skipped item is counted ({@link #skipped()}), logged once at WARN, and given to the
 * {@linkplain Builder#onSkipped skip hook} (a dead-letter queue), after which it counts as done: a source that
 * acknowledges skipped items moves past a poison item instead of being wedged by it.
 *
 * <h2>Hooks that throw</h2>
 * A hook ({@code skipIf}, {@code onSuccess}, {@code onSkipped}) that throws anything, an {@link Error} thrown by the
 * function, and a completion executor that rejects or throws, fail the consumer with that throwable
 * ({@link BufferedConsumer#connectionLost}): the item's slot is released, the failure is logged once at ERROR and
 * counted in {@link #failed()}, the sink ends (as {@link #abort()}), the consumer stops its producer, drops its
 * buffer and its {@code whenClosed()} completes exceptionally with the throwable. A {@link VirtualMachineError} is
 * rethrown after that. Nothing is swallowed: the pipe never stalls on a slot that is never released.
 *
 * <h2>Closing</h2>
 * {@link #close()} (the consumer's clean close) starts no more calls and lets those in flight finish, retries included;
 * {@link #whenSettled()} completes when the last has. {@link #abort()}, and a consumer that has lost its connection,
 * cancel the retries that are waiting: those items are <em>abandoned</em>, neither acknowledged nor skipped
 * ({@link #abandoned()}); calls already running still complete and are acknowledged if they succeed.
 *
 * <h2>Threading</h2>
 * The consumer's drain loop calls {@link #offer}; completions arrive on whatever thread the API completes its stages,
 * and hooks run there, and the completion that frees a slot drains the consumer from there. Hooks never run on the
 * consumer's own loop (DESIGN §4.10): an outcome that is known while {@code offer}, {@code close} or {@code abort} runs
 * (a stage complete already when the function returns it, a function that throws or returns {@code null}) is handled on
 * the {@linkplain Builder#completionExecutor completion executor} instead, and so is the completion of
 * {@link #whenSettled()} when the consumer's close or abort settles the sink. Retries are scheduled on the
 * {@link Builder#retryScheduler}. Where none is given, both use a daemon thread of this sink's own, made when first
 * needed and shut down when the sink settles.
 *
 * @param <T> the type of item
 */
public final class AsyncSink<T> implements Sink<T> {

    private static final Log log = Log.of(AsyncSink.class);

    private static final int OPEN = 0;

    private static final int CLOSING = 1;

    private static final int ENDED = 2;

    /** What happens to an item whose attempts are used up. */
    public enum Exhausted {

        /** Fail the consumer: its producer is stopped, nothing from this item on is acknowledged. */
        STOP,

        /** Skip the item: count it, log it, give it to the skip hook, and go on. */
        SKIP
    }

    private final String name;

    private final Function<? super T, ? extends @Nullable CompletionStage<?>> call;

    private final int maxInFlight;

    private final int maxAttempts;

    private final long initialBackoffNanos;

    private final long maxBackoffNanos;

    private final Exhausted exhausted;

    private final Predicate<? super Throwable> skipIf;

    private final java.util.function.Consumer<? super T> onSuccess;

    private final BiConsumer<? super T, ? super Throwable> onSkipped;

    /**
     * Marks a thread inside a consumer's loop: in {@code offer}, {@code close} or {@code abort} of a sink, or in its
     * close callback. Completions seen there are handed to the completion executor.
     */
    private static final ThreadLocal<@Nullable AsyncSink<?>> IN_LOOP = new ThreadLocal<>();

    private final @Nullable ScheduledExecutorService retryScheduler;

    private final @Nullable Executor completionExecutor;

    /** The sink's own daemon thread, made when first needed if no scheduler or executor was given. */
    private final AtomicReference<@Nullable ScheduledExecutorService> ownThread = new AtomicReference<>();

    private final AtomicReference<@Nullable BufferedConsumer<T>> consumer = new AtomicReference<>();

    private final AtomicInteger inFlight = new AtomicInteger();

    private final AtomicInteger state = new AtomicInteger(OPEN);

    /** Set when the consumer was told "not now": the next freed slot must call drain. */
    private volatile boolean drainWanted;

    private final Set<Attempt> awaitingRetry = ConcurrentHashMap.newKeySet();

    private final LongAdder started = new LongAdder();

    private final LongAdder succeeded = new LongAdder();

    private final LongAdder retries = new LongAdder();

    private final LongAdder skipped = new LongAdder();

    private final LongAdder failed = new LongAdder();

    private final LongAdder abandoned = new LongAdder();

    private final CompletableFuture<Void> settled = new CompletableFuture<>();

    private final CompletableFuture<Void> settledView = this.settled.copy();

    private AsyncSink(Builder<T> builder) {
        this.name = builder.name;
        this.call = builder.call;
        this.maxInFlight = builder.maxInFlight;
        this.maxAttempts = builder.maxAttempts;
        this.initialBackoffNanos = builder.initialBackoff.toNanos();
        this.maxBackoffNanos = builder.maxBackoff.toNanos();
        this.exhausted = builder.exhausted;
        this.skipIf = builder.skipIf;
        this.onSuccess = builder.onSuccess;
        this.onSkipped = builder.onSkipped;
        this.retryScheduler = builder.retryScheduler;
        this.completionExecutor = (builder.completionExecutor != null) ? builder.completionExecutor
                : builder.retryScheduler;
    }

    /**
     * Starts a builder for a sink that calls {@code call} once per item (and again per retry).
     *
     * @param call starts the asynchronous operation for an item; its stage's completion is the item's outcome
     * @param <T> the type of item
     * @return the builder
     */
    public static <T> Builder<T> builder(Function<? super T, ? extends @Nullable CompletionStage<?>> call) {
        return new Builder<>(call);
    }

    /**
     * Binds this sink to the consumer that drains into it, which it wakes when a slot frees and fails when the policy
     * says stop. Must be called once, before the consumer offers anything.
     *
     * @param consumer the consumer built with this sink
     * @return {@code consumer}, for chaining
     * @throws IllegalStateException if the sink is bound already
     */
    public BufferedConsumer<T> bind(BufferedConsumer<T> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        if (!this.consumer.compareAndSet(null, consumer)) {
            throw new IllegalStateException("AsyncSink '" + this.name + "' is bound to consumer '"
                    + Objects.requireNonNull(this.consumer.get()).name() + "' already");
        }
        consumer.whenClosed().whenComplete((closed, failure) -> {
            if (failure != null) {
                // the consumer's loop completes its close future; a lost connection: retries would only deliver
                // items the source will redeliver anyway
                onTheLoop(this::end);
            }
        });
        return consumer;
    }

    /**
     * Starts a call for {@code item} if fewer than {@code maxInFlight} are running, else returns {@code false} and
     * calls {@link BufferedConsumer#drain()} when one completes.
     *
     * Once the sink has been aborted or has failed its consumer it takes nothing more and returns {@code false}.
     *
     * @throws IllegalStateException if the sink is not bound, or has been closed
     */
    @Override
    public boolean offer(T item) {
        if (this.consumer.get() == null) {
            throw new IllegalStateException("AsyncSink '" + this.name + "' was offered an item before bind(consumer)");
        }
        int now = this.state.get();
        if (now == ENDED) {
            return false; // its consumer is going away: what it still holds is dropped there, never taken here
        }
        if (now == CLOSING) {
            throw new IllegalStateException("AsyncSink '" + this.name + "' was offered an item after close()");
        }
        if (!tryAcquire()) {
            this.drainWanted = true;
            if (!tryAcquire()) {
                return false; // a completion after the flag was set will call drain
            }
            this.drainWanted = false;
        }
        this.started.increment();
        AsyncSink<?> outer = enterLoop();
        try {
            attempt(new Attempt(item));
        }
        finally {
            exitLoop(outer);
        }
        return true;
    }

    /** Starts no more calls; {@link #whenSettled()} completes once those in flight have finished. */
    @Override
    public void close() {
        onTheLoop(() -> {
            if (this.state.compareAndSet(OPEN, CLOSING)) {
                settleIfIdle();
            }
        });
    }

    /** Starts no more calls and abandons the items waiting for a retry. */
    @Override
    public void abort() {
        onTheLoop(this::end);
    }

    /** Runs {@code action} with this thread marked as inside a consumer's loop. */
    private void onTheLoop(Runnable action) {
        AsyncSink<?> outer = enterLoop();
        try {
            action.run();
        }
        finally {
            exitLoop(outer);
        }
    }

    /** Marks this thread as inside a consumer's loop; returns the mark to restore. */
    private @Nullable AsyncSink<?> enterLoop() {
        AsyncSink<?> outer = IN_LOOP.get();
        IN_LOOP.set(this);
        return outer;
    }

    private static void exitLoop(@Nullable AsyncSink<?> outer) {
        if (outer == null) {
            IN_LOOP.remove();
        }
        else {
            IN_LOOP.set(outer);
        }
    }

    /**
     * A future that completes when the sink has been closed or aborted (or its consumer lost) and no call is in
     * flight any more: on the thread that completed the last call, or on the completion executor when the consumer's
     * close or abort settled it (never on the consumer's loop). Every call returns the same view; completing it does
     * nothing to the sink.
     */
    public CompletableFuture<Void> whenSettled() {
        return this.settledView;
    }

    /** Calls running now, retries waiting for their back-off included. */
    public int inFlight() {
        return this.inFlight.get();
    }

    /** Items taken (one per item, however often it is retried). */
    public long started() {
        return this.started.sum();
    }

    /** Items whose call completed normally, and so were acknowledged. */
    public long succeeded() {
        return this.succeeded.sum();
    }

    /** Calls made again after a failure. */
    public long retries() {
        return this.retries.sum();
    }

    /** Items skipped: classified as poison, or out of attempts under {@link Exhausted#SKIP}. */
    public long skipped() {
        return this.skipped.sum();
    }

    /**
     * Items that failed the consumer: out of attempts under {@link Exhausted#STOP}, or whose hook (or the function,
     * with an {@link Error}, or the completion executor) threw.
     */
    public long failed() {
        return this.failed.sum();
    }

    /** Items neither acknowledged nor skipped because the sink was aborted or its consumer lost while they waited. */
    public long abandoned() {
        return this.abandoned.sum();
    }

    private boolean tryAcquire() {
        for (;;) {
            int current = this.inFlight.get();
            if (current >= this.maxInFlight) {
                return false;
            }
            if (this.inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    private void release() {
        int left = this.inFlight.decrementAndGet();
        if (this.drainWanted) {
            this.drainWanted = false;
            BufferedConsumer<T> bound = this.consumer.get();
            if (bound != null) {
                bound.drain();
            }
        }
        if (left == 0) {
            settleIfIdle();
        }
    }

    private void settleIfIdle() {
        if (this.state.get() != OPEN && this.inFlight.get() == 0 && !this.settled.isDone()) {
            if (IN_LOOP.get() == null) {
                settle();
                return;
            }
            try {
                completionExecutor().execute(this::settle); // its dependents are user code: not on the loop
            }
            catch (Throwable rejected) {
                if (!this.settled.isDone()) { // else another thread settled it (and shut the sink's own thread down)
                    log.warn("The completion executor of AsyncSink '{}' refused to settle it; settled on this thread",
                            this.name, rejected);
                }
                settle();
                if (rejected instanceof VirtualMachineError error) {
                    throw error;
                }
            }
        }
    }

    private void settle() {
        if (this.settled.complete(null)) {
            ScheduledExecutorService own = this.ownThread.get();
            if (own != null) {
                own.shutdownNow();
            }
        }
    }

    /** Where retries wait: the given scheduler, or the sink's own thread. */
    private ScheduledExecutorService retryScheduler() {
        return (this.retryScheduler != null) ? this.retryScheduler : ownThread();
    }

    /** Where outcomes known on the consumer's loop are handled: the given executor, or the sink's own thread. */
    private Executor completionExecutor() {
        return (this.completionExecutor != null) ? this.completionExecutor : ownThread();
    }

    private ScheduledExecutorService ownThread() {
        ScheduledExecutorService own = this.ownThread.get();
        if (own != null) {
            return own;
        }
        String threadName = "sluice-async-" + this.name;
        ScheduledExecutorService made = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        if (this.ownThread.compareAndSet(null, made)) {
            return made;
        }
        made.shutdownNow(); // another thread made one first; this one never started a thread
        return Objects.requireNonNull(this.ownThread.get());
    }

    private void end() {
        if (this.state.getAndSet(ENDED) == ENDED) {
            return;
        }
        for (Attempt waiting : this.awaitingRetry) {
            if (this.awaitingRetry.remove(waiting)) {
                ScheduledFuture<?> timer = waiting.timer;
                if (timer != null) {
                    timer.cancel(false);
                }
                abandon(waiting);
            }
        }
        settleIfIdle();
    }

    private void attempt(Attempt attempt) {
        attempt.calls++;
        CompletionStage<?> stage;
        try {
            stage = this.call.apply(attempt.item);
        }
        catch (Exception failure) {
            completed(attempt, failure);
            return;
        }
        catch (Throwable error) {
            failConsumer("The function", error);
            return;
        }
        if (stage == null) {
            completed(attempt, new NullPointerException("The call of AsyncSink '" + this.name
                    + "' returned null instead of a CompletionStage"));
            return;
        }
        try {
            stage.whenComplete((result, failure) -> completed(attempt, failure));
        }
        catch (Exception failure) {
            completed(attempt, failure); // a stage that cannot take a callback: a failed call
        }
        catch (Throwable error) {
            failConsumer("The stage returned by the function", error);
        }
    }

    /** An outcome: handled here, unless this thread is inside a consumer's loop (then on the completion executor). */
    private void completed(Attempt attempt, @Nullable Throwable failure) {
        if (IN_LOOP.get() == null) {
            outcome(attempt, failure);
            return;
        }
        try {
            completionExecutor().execute(() -> outcome(attempt, failure));
        }
        catch (Throwable rejected) {
            failConsumer("The completion executor", rejected);
        }
    }

    private void outcome(Attempt attempt, @Nullable Throwable failure) {
        if (failure == null) {
            succeeded(attempt);
        }
        else {
            failed(attempt, unwrap(failure));
        }
    }

    private void succeeded(Attempt attempt) {
        try {
            this.onSuccess.accept(attempt.item);
        }
        catch (Throwable hookFailure) {
            failConsumer("The success hook", hookFailure);
            return;
        }
        this.succeeded.increment();
        release();
    }

    private void failed(Attempt attempt, Throwable failure) {
        if (this.state.get() == ENDED) {
            abandon(attempt);
            return;
        }
        boolean poison;
        try {
            poison = this.skipIf.test(failure);
        }
        catch (Throwable hookFailure) {
            hookFailure.addSuppressed(failure);
            failConsumer("The skipIf classifier", hookFailure);
            return;
        }
        if (poison) {
            skip(attempt, failure, "its failure is classified as the item's fault");
            return;
        }
        if (attempt.calls < this.maxAttempts) {
            retryLater(attempt, failure);
            return;
        }
        if (this.exhausted == Exhausted.SKIP) {
            skip(attempt, failure, "all " + attempt.calls + " attempts failed");
            return;
        }
        this.failed.increment();
        AsyncSinkException stop = new AsyncSinkException("AsyncSink '" + this.name + "' gave up on an item after "
                + attempt.calls + " failed attempt(s); the consumer stops and nothing from this item on is "
                + "acknowledged", failure);
        log.error("AsyncSink '{}' gave up on an item after {} failed attempt(s); its consumer is failed", this.name,
                attempt.calls, failure);
        stopConsumer(stop);
    }

    /**
     * User code (a hook, the function with an {@link Error}, an executor) threw for an item that holds a slot: fails
     * the consumer with that throwable, logged here once; a {@link VirtualMachineError} is rethrown after.
     */
    private void failConsumer(String who, Throwable failure) {
        this.failed.increment();
        log.error("{} of AsyncSink '{}' threw; its consumer is failed with that throwable", who, this.name, failure);
        stopConsumer(failure);
        if (failure instanceof VirtualMachineError error) {
            throw error;
        }
    }

    /** Ends the sink, frees the failed item's slot, and fails the consumer with {@code reason}. */
    private void stopConsumer(Throwable reason) {
        end();
        release();
        BufferedConsumer<T> bound = this.consumer.get();
        if (bound != null) {
            bound.connectionLost(reason);
        }
    }

    private void retryLater(Attempt attempt, Throwable failure) {
        long delay = backoffNanos(attempt.calls);
        this.retries.increment();
        log.debug("AsyncSink '{}': attempt {} of {} failed ({}); retrying in {} ms", this.name, attempt.calls,
                this.maxAttempts, failure, TimeUnit.NANOSECONDS.toMillis(delay));
        this.awaitingRetry.add(attempt);
        try {
            attempt.timer = retryScheduler().schedule(() -> {
                if (this.awaitingRetry.remove(attempt)) {
                    attempt(attempt);
                }
            }, delay, TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException rejected) {
            if (this.awaitingRetry.remove(attempt)) {
                log.warn("AsyncSink '{}': the retry scheduler rejected a retry; the item is abandoned", this.name);
                abandon(attempt);
            }
            return;
        }
        catch (Throwable broken) {
            if (this.awaitingRetry.remove(attempt)) {
                failConsumer("The retry scheduler", broken);
            }
            return;
        }
        if (this.state.get() == ENDED && this.awaitingRetry.remove(attempt)) {
            attempt.timer.cancel(false); // ended while this retry was being scheduled
            abandon(attempt);
        }
    }

    private long backoffNanos(int failedCalls) {
        long delay = this.initialBackoffNanos;
        for (int i = 1; i < failedCalls && delay < this.maxBackoffNanos; i++) {
            delay = (delay > Long.MAX_VALUE / 2) ? Long.MAX_VALUE : delay * 2;
        }
        return Math.min(delay, this.maxBackoffNanos);
    }

    private void skip(Attempt attempt, Throwable failure, String why) {
        log.warn("AsyncSink '{}' skipped an item after {} attempt(s), because {}: {}", this.name, attempt.calls, why,
                failure.toString());
        try {
            this.onSkipped.accept(attempt.item, failure);
        }
        catch (Throwable hookFailure) {
            hookFailure.addSuppressed(failure);
            failConsumer("The skip hook", hookFailure);
            return;
        }
        this.skipped.increment();
        release();
    }

    private void abandon(Attempt attempt) {
        this.abandoned.increment();
        release();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public String toString() {
        return "AsyncSink[" + this.name + ", in flight " + this.inFlight.get() + "/" + this.maxInFlight + "]";
    }

    /** One item's calls: the first and its retries. */
    private final class Attempt {

        final T item;

        /** Calls made so far; touched by one thread at a time (each call happens-after the previous outcome). */
        int calls;

        volatile @Nullable ScheduledFuture<?> timer;

        Attempt(T item) {
            this.item = item;
        }
    }

    /**
     * Builds an {@link AsyncSink}.
     *
     * @param <T> the type of item
     */
    public static final class Builder<T> {

        private final Function<? super T, ? extends @Nullable CompletionStage<?>> call;

        private String name = "async";

        private int maxInFlight = 16;

        private int maxAttempts = 1;

        private Duration initialBackoff = Duration.ofMillis(100);

        private Duration maxBackoff = Duration.ofSeconds(10);

        private Exhausted exhausted = Exhausted.STOP;

        private Predicate<? super Throwable> skipIf = failure -> false;

        private java.util.function.Consumer<? super T> onSuccess = item -> {
        };

        private BiConsumer<? super T, ? super Throwable> onSkipped = (item, failure) -> {
        };

        private @Nullable ScheduledExecutorService retryScheduler;

        private @Nullable Executor completionExecutor;

        private Builder(Function<? super T, ? extends @Nullable CompletionStage<?>> call) {
            this.call = Objects.requireNonNull(call, "call");
        }

        /** The name used in logs, errors and the retry thread's name. Default {@code "async"}. */
        public Builder<T> name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Most calls running at once. Default 16.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder<T> maxInFlight(int maxInFlight) {
            if (maxInFlight <= 0) {
                throw new IllegalArgumentException("maxInFlight must be positive, was " + maxInFlight);
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * Retries a failed call up to {@code maxAttempts} calls in all, waiting {@code initialBackoff} before the
         * first retry and twice as long before each next one, at most {@code maxBackoff}. Default: one attempt, no
         * retry.
         *
         * @throws IllegalArgumentException if {@code maxAttempts} is not positive, a back-off is negative, or the
         *         maximum is below the initial back-off
         */
        public Builder<T> retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
            if (maxAttempts <= 0) {
                throw new IllegalArgumentException("maxAttempts must be positive, was " + maxAttempts);
            }
            if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("Back-off must be 0 <= initial (" + initialBackoff
                        + ") <= maximum (" + maxBackoff + ")");
            }
            this.maxAttempts = maxAttempts;
            this.initialBackoff = initialBackoff;
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** What happens to an item whose attempts are used up. Default {@link Exhausted#STOP}. */
        public Builder<T> whenExhausted(Exhausted exhausted) {
            this.exhausted = Objects.requireNonNull(exhausted, "exhausted");
            return this;
        }

        /**
         * Classifies failures that are the item's own fault (a poison item): such an item is skipped at once, without
         * retry. Default: none. One that throws fails the consumer.
         */
        public Builder<T> skipIf(Predicate<? super Throwable> skipIf) {
            this.skipIf = Objects.requireNonNull(skipIf, "skipIf");
            return this;
        }

        /**
         * Called once per item whose call completed normally: the acknowledgement hook. Must not block. One that
         * throws fails the consumer.
         */
        public Builder<T> onSuccess(java.util.function.Consumer<? super T> onSuccess) {
            this.onSuccess = Objects.requireNonNull(onSuccess, "onSuccess");
            return this;
        }

        /**
         * Called once per skipped item, with the last failure: a dead-letter hook. Must not block. One that throws
         * fails the consumer.
         */
        public Builder<T> onSkipped(BiConsumer<? super T, ? super Throwable> onSkipped) {
            this.onSkipped = Objects.requireNonNull(onSkipped, "onSkipped");
            return this;
        }

        /** Where retries wait their back-off. Default: a daemon thread of the sink's own, made only if it retries. */
        public Builder<T> retryScheduler(ScheduledExecutorService retryScheduler) {
            this.retryScheduler = Objects.requireNonNull(retryScheduler, "retryScheduler");
            return this;
        }

        /**
         * Where an outcome known on the consumer's loop is handled (its hooks called, its slot freed): a stage that is
         * complete when the function returns it, a function that throws, and the settling of a sink closed or aborted
         * with nothing in flight. An executor that runs tasks on the caller puts the hooks back on the loop. One that
         * rejects a task fails the consumer. Default: the {@link #retryScheduler} if one is given, else a daemon
         * thread of the sink's own, made when first needed.
         */
        public Builder<T> completionExecutor(Executor completionExecutor) {
            this.completionExecutor = Objects.requireNonNull(completionExecutor, "completionExecutor");
            return this;
        }

        /** Builds the sink; {@link AsyncSink#bind} it to its consumer before use. */
        public AsyncSink<T> build() {
            return new AsyncSink<>(this);
        }
    }
}
