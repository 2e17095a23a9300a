package dev.sluice.flow;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.ConsumerSupport;
import dev.sluice.FlowControlledProducer;
import dev.sluice.PushProducer;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Flow.Subscriber} that writes what it receives into a {@link Consumer}, asking its publisher for more only
 * as the consumer's buffer drains.
 *
 * <p>The subscriber is a {@link PushProducer}: on {@code onSubscribe} it registers itself with the consumer
 * ({@code streaming = true}) and requests {@code prefetch} items. While the consumer lets it run, it keeps up to
 * {@code prefetch} items requested, topping the demand up when three quarters of a batch has arrived. As soon as a
 * {@code write} returns {@code false} (the buffer went above the high-water mark), or the consumer pauses it, whichever
 * comes first, it stops requesting; when the consumer resumes it, it requests again. So the consumer's buffer holds at
 * most its high-water mark plus {@code prefetch} items, whatever the publisher's speed and however late the pause
 * callback comes. The race between a {@code false} and a resume is {@link FlowControlledProducer}'s, which keeps the
 * paused state.
 *
 * <ul>
 *   <li>{@code onComplete}: the subscriber unregisters from the consumer, and {@link #whenTerminated()} completes. A
 *       subscriber made with {@link #closing} then calls {@link BufferedConsumer#loseConnection()}: the consumer
 *       closes its sink once everything has been delivered.</li>
 *   <li>{@code onError}: the subscriber unregisters, and {@link #whenTerminated()} fails with the error. A
 *       {@link #closing} subscriber then calls {@link BufferedConsumer#connectionLost(Throwable)} with it, so the
 *       consumer's {@code whenClosed()} fails too.</li>
 *   <li>{@code stopProducing} (the consumer has gone) and {@link #cancel()} cancel the subscription;
 *       {@link #whenTerminated()} fails with a {@link CancellationException}. Items that still arrive are dropped
 *       (§2.8).</li>
 * </ul>
 *
 * <p><b>Threading.</b> Calls to the subscription are serialized (§2.7) by a small drain loop, so a request made from a
 * consumer callback on the drain thread and one made from {@code onNext} never overlap, and a publisher that calls
 * {@code onNext} from inside {@code request} does not make the stack grow (§3.3). A second {@code onSubscribe} is
 * cancelled (§2.5); {@code null} arguments throw {@link NullPointerException} (§2.13). A subscription whose
 * {@code request} or {@code cancel} throws (§3.16 says it must not) ends the stream as {@code onError} would with that
 * throwable, once, logged; a {@link VirtualMachineError} is rethrown after that.
 *
 * @param <T> the type of item
 */
public final class ConsumerSubscriber<T> implements Flow.Subscriber<T>, PushProducer {

    private static final Log log = Log.of(ConsumerSubscriber.class);

    /** The default number of items kept requested. */
    public static final int DEFAULT_PREFETCH = 16;

    private final Consumer<T> consumer;

    private final @Nullable BufferedConsumer<T> closing;

    private final long prefetch;

    /** Top the demand up once this many of the requested items have arrived. */
    private final long replenishAt;

    private final AtomicReference<Flow.@Nullable Subscription> subscription = new AtomicReference<>();

    /** Items requested and not yet received. */
    private final AtomicLong outstanding = new AtomicLong();

    /** Demand not yet passed to the subscription. */
    private final AtomicLong toRequest = new AtomicLong();

    private final AtomicInteger requestWork = new AtomicInteger();

    private volatile boolean cancelWanted;

    private boolean cancelSent;

    /** Keeps whether the consumer wants the subscriber paused: a {@code false} or a pause, until the resume. */
    private final FlowControlledProducer<T> flow;

    private final AtomicBoolean done = new AtomicBoolean();

    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private ConsumerSubscriber(Consumer<T> consumer, @Nullable BufferedConsumer<T> closing, int prefetch) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.closing = closing;
        if (prefetch <= 0) {
            throw new IllegalArgumentException("prefetch must be positive, was " + prefetch);
        }
        this.prefetch = prefetch;
        this.replenishAt = Math.max(1, prefetch - prefetch / 4);
        this.flow = FlowControlledProducer.builder(consumer).build();
    }

    /**
     * A subscriber that writes into {@code consumer}, keeping up to {@code prefetch} items requested, and only
     * unregisters when the stream ends.
     *
     * @param consumer the consumer
     * @param prefetch how many items to keep requested while the consumer is not paused, positive
     * @param <T> the type of item
     * @return the subscriber, to be subscribed to a publisher
     */
    public static <T> ConsumerSubscriber<T> of(Consumer<T> consumer, int prefetch) {
        return new ConsumerSubscriber<>(consumer, null, prefetch);
    }

    /**
     * A subscriber that writes into {@code consumer} and closes it when the stream ends: cleanly on
     * {@code onComplete}, with the error on {@code onError}.
     *
     * @param consumer the consumer
     * @param prefetch how many items to keep requested while the consumer is not paused, positive
     * @param <T> the type of item
     * @return the subscriber, to be subscribed to a publisher
     */
    public static <T> ConsumerSubscriber<T> closing(BufferedConsumer<T> consumer, int prefetch) {
        return new ConsumerSubscriber<>(consumer, consumer, prefetch);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription"); // §2.13
        if (!this.subscription.compareAndSet(null, subscription)) {
            subscription.cancel(); // §2.5
            return;
        }
        if (this.done.get()) {
            cancelUpstream();
            return;
        }
        try {
            this.consumer.registerProducer(this, true);
        }
        catch (Throwable ex) {
            log.warn("Cannot register subscriber {} with consumer {}; subscription cancelled", this, this.consumer, ex);
            if (this.done.compareAndSet(false, true)) {
                this.terminated.completeExceptionally(ex);
            }
            cancelUpstream();
            if (ex instanceof VirtualMachineError error) {
                throw error;
            }
            return;
        }
        replenish(1);
    }

    @Override
    public void onNext(T item) {
        Objects.requireNonNull(item, "item"); // §2.13
        if (this.done.get()) {
            return; // §2.8: after a cancel
        }
        this.outstanding.decrementAndGet();
        this.flow.write(item); // a false stops the requests at once, before the pause callback comes
        replenish(this.replenishAt);
    }

    @Override
    public void onError(Throwable failure) {
        Objects.requireNonNull(failure, "failure"); // §2.13
        if (!this.done.compareAndSet(false, true)) {
            return;
        }
        try {
            unregister();
            if (this.closing != null) {
                this.closing.connectionLost(failure);
            }
        }
        finally {
            this.terminated.completeExceptionally(failure);
        }
    }

    @Override
    public void onComplete() {
        if (!this.done.compareAndSet(false, true)) {
            return;
        }
        try {
            unregister();
            if (this.closing != null) {
                this.closing.loseConnection();
            }
        }
        finally {
            this.terminated.complete(null);
        }
    }

    /** The consumer's buffer is full: stop requesting (a {@code false} from {@code write} has done so already). */
    @Override
    public void pauseProducing() {
        this.flow.pauseProducing();
    }

    /** The consumer's buffer has drained: request again. */
    @Override
    public void resumeProducing() {
        this.flow.resumeProducing();
        replenish(1);
    }

    /** The consumer has gone: cancel the subscription. */
    @Override
    public void stopProducing() {
        this.flow.stopProducing();
        if (this.done.compareAndSet(false, true)) {
            this.terminated.completeExceptionally(
                    new CancellationException("Consumer " + this.consumer + " stopped its producer"));
        }
        cancelUpstream();
    }

    /**
     * Cancels the subscription and unregisters from the consumer (without closing it). {@link #whenTerminated()}
     * fails with a {@link CancellationException}. Does nothing after the stream has ended.
     */
    public void cancel() {
        if (!this.done.compareAndSet(false, true)) {
            return;
        }
        try {
            unregister();
        }
        finally {
            this.terminated.completeExceptionally(new CancellationException("Subscriber " + this + " was cancelled"));
            cancelUpstream();
        }
    }

    /**
     * Completes when the stream has ended: normally after {@code onComplete}, exceptionally with the error of
     * {@code onError}, or with a {@link CancellationException} after {@link #cancel()} or a stop from the consumer.
     * Each call returns a new future. It completes on the thread that ended the stream, which for a stop is the
     * consumer's own: attach slow or re-entrant work with an {@code *Async} method and an executor of your own.
     */
    public CompletableFuture<Void> whenTerminated() {
        return this.terminated.copy();
    }

    /** Requests {@code n} more items beyond the prefetch, counted as outstanding; for tests and callers that lead. */
    void request(long n) {
        this.outstanding.getAndAccumulate(n, Demand::add);
        sendRequest(n);
    }

    /** Requests what brings the outstanding demand back to {@code prefetch}, if the gap is at least {@code atLeast}. */
    private void replenish(long atLeast) {
        for (;;) {
            if (this.flow.isPaused() || this.done.get()) {
                return;
            }
            long current = this.outstanding.get();
            long gap = this.prefetch - current;
            if (gap < atLeast) {
                return;
            }
            if (this.outstanding.compareAndSet(current, this.prefetch)) {
                sendRequest(gap);
                return;
            }
        }
    }

    private void sendRequest(long n) {
        this.toRequest.getAndAccumulate(n, Demand::add);
        drainRequests();
    }

    private void cancelUpstream() {
        this.cancelWanted = true;
        drainRequests();
    }

    /**
     * Makes the calls to the subscription, one thread at a time (§2.7), without recursion (§3.3). A call that throws
     * ends the stream with that throwable (see the class comment), after the loop has been left.
     */
    private void drainRequests() {
        if (this.requestWork.getAndIncrement() != 0) {
            return;
        }
        Throwable failure = null;
        int missed = 1;
        for (;;) {
            Flow.Subscription upstream = this.subscription.get();
            if (upstream != null && !this.cancelSent) {
                try {
                    if (this.cancelWanted) {
                        this.cancelSent = true;
                        this.toRequest.set(0);
                        upstream.cancel();
                    }
                    else {
                        long n = this.toRequest.getAndSet(0);
                        if (n > 0) {
                            upstream.request(n);
                        }
                    }
                }
                catch (Throwable thrown) {
                    if (failure == null) {
                        failure = thrown;
                    }
                    this.cancelWanted = true; // §3.16 broken: nothing more is asked of this subscription
                    continue;
                }
            }
            missed = this.requestWork.addAndGet(-missed);
            if (missed == 0) {
                break;
            }
        }
        if (failure != null) {
            subscriptionFailed(failure);
        }
    }

    private void subscriptionFailed(Throwable failure) {
        log.error("The subscription of subscriber {} threw; the stream ends with that failure", this, failure);
        onError(failure);
        if (failure instanceof VirtualMachineError error) {
            throw error;
        }
    }

    private void unregister() {
        // only our own registration: the consumer may have stopped us and taken another producer since
        if (!(this.consumer instanceof ConsumerSupport<?> support) || support.producer() == this) {
            this.consumer.unregisterProducer();
        }
    }

    @Override
    public String toString() {
        return "ConsumerSubscriber[" + this.consumer + "]";
    }
}
