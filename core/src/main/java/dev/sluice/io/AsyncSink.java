package dev.sluice.io;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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
 * {@linkplain Builder#onSuccess success hook} called, once per item, on the thread that completed the call. That hook is
 * where a message is acknowledged (a Kafka offset, an AMQP delivery tag). Calls complete in any order, so items are
 * acknowledged in any order; whoever acknowledges must cope with that (the Kafka adapter commits only the contiguous
 * prefix of each partition).
 *
 * <h2>Failure policy</h2>
 * A call fails when its stage completes exceptionally, when the function throws, or when it returns {@code null}.
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
 * <h2>Closing</h2>
 * {@link #close()} (the consumer's clean close) starts no more calls and lets those in flight finish, retries included;
 * {@link #whenSettled()} completes when the last has. {@link #abort()}, and a consumer that has lost its connection,
 * cancel the retries that are waiting: those items are <em>abandoned</em>, neither acknowledged nor skipped
 * ({@link #abandoned()}); calls already running still complete and are acknowledged if they succeed.
 *
 * <h2>Threading</h2>
 * The consumer's drain loop calls {@link #offer}; completions arrive on whatever thread the API completes its stages,
 * and hooks run there. Retries are scheduled on the {@link Builder#retryScheduler} or, when none is given and retries
 * are configured, on a daemon thread of this sink's own, shut down when it settles.
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

    private final @Nullable ScheduledExecutorService retryScheduler;

    private final boolean ownsScheduler;

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
        if (builder.retryScheduler != null || this.maxAttempts == 1) {
            this.retryScheduler = builder.retryScheduler;
            this.ownsScheduler = false;
        }
        else {
            String threadName = "sluice-retry-" + this.name;
            this.retryScheduler = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, threadName);
                thread.setDaemon(true);
                return thread;
            });
            this.ownsScheduler = true;
        }
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
                end(); // a lost connection: retries would only deliver items the source will redeliver anyway
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
        attempt(new Attempt(item));
        return true;
    }

    /** Starts no more calls; {@link #whenSettled()} completes once those in flight have finished. */
    @Override
    public void close() {
        if (this.state.compareAndSet(OPEN, CLOSING)) {
            settleIfIdle();
        }
    }

    /** Starts no more calls and abandons the items waiting for a retry. */
    @Override
    public void abort() {
        end();
    }

    /**
     * A future that completes when the sink has been closed or aborted (or its consumer lost) and no call is in
     * flight any more. Every call returns the same view; completing it does nothing to the sink.
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

    /** Items out of attempts under {@link Exhausted#STOP}: each failed the consumer. */
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
            if (this.settled.complete(null) && this.ownsScheduler) {
                Objects.requireNonNull(this.retryScheduler).shutdownNow();
            }
        }
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
        catch (RuntimeException | LinkageError | AssertionError failure) {
            failed(attempt, failure);
            return;
        }
        if (stage == null) {
            failed(attempt, new NullPointerException("The call of AsyncSink '" + this.name
                    + "' returned null instead of a CompletionStage"));
            return;
        }
        stage.whenComplete((result, failure) -> {
            if (failure == null) {
                succeeded(attempt);
            }
            else {
                failed(attempt, unwrap(failure));
            }
        });
    }

    private void succeeded(Attempt attempt) {
        this.succeeded.increment();
        try {
            this.onSuccess.accept(attempt.item);
        }
        catch (RuntimeException | LinkageError | AssertionError failure) {
            log.error("Success hook of AsyncSink '{}' threw; the item's call had succeeded", this.name, failure);
        }
        release();
    }

    private void failed(Attempt attempt, Throwable failure) {
        if (this.state.get() == ENDED) {
            abandon(attempt);
            return;
        }
        if (this.skipIf.test(failure)) {
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
        end();
        release();
        BufferedConsumer<T> bound = this.consumer.get();
        if (bound != null) {
            bound.connectionLost(stop);
        }
    }

    private void retryLater(Attempt attempt, Throwable failure) {
        long delay = backoffNanos(attempt.calls);
        this.retries.increment();
        log.debug("AsyncSink '{}': attempt {} of {} failed ({}); retrying in {} ms", this.name, attempt.calls,
                this.maxAttempts, failure, TimeUnit.NANOSECONDS.toMillis(delay));
        this.awaitingRetry.add(attempt);
        try {
            attempt.timer = Objects.requireNonNull(this.retryScheduler).schedule(() -> {
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
        this.skipped.increment();
        log.warn("AsyncSink '{}' skipped an item after {} attempt(s), because {}: {}", this.name, attempt.calls, why,
                failure.toString());
        try {
            this.onSkipped.accept(attempt.item, failure);
        }
        catch (RuntimeException | LinkageError | AssertionError hookFailure) {
            log.error("Skip hook of AsyncSink '{}' threw", this.name, hookFailure);
        }
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
         * retry. Default: none.
         */
        public Builder<T> skipIf(Predicate<? super Throwable> skipIf) {
            this.skipIf = Objects.requireNonNull(skipIf, "skipIf");
            return this;
        }

        /** Called once per item whose call completed normally: the acknowledgement hook. Must not block. */
        public Builder<T> onSuccess(java.util.function.Consumer<? super T> onSuccess) {
            this.onSuccess = Objects.requireNonNull(onSuccess, "onSuccess");
            return this;
        }

        /** Called once per skipped item, with the last failure: a dead-letter hook. Must not block. */
        public Builder<T> onSkipped(BiConsumer<? super T, ? super Throwable> onSkipped) {
            this.onSkipped = Objects.requireNonNull(onSkipped, "onSkipped");
            return this;
        }

        /** Where retries wait their back-off. Default: a daemon thread of the sink's own, made only if it retries. */
        public Builder<T> retryScheduler(ScheduledExecutorService retryScheduler) {
            this.retryScheduler = Objects.requireNonNull(retryScheduler, "retryScheduler");
            return this;
        }

        /** Builds the sink; {@link AsyncSink#bind} it to its consumer before use. */
        public AsyncSink<T> build() {
            return new AsyncSink<>(this);
        }
    }
}
