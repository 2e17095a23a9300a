package dev.sluice.flow;

import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * A producer exposed as a {@link Flow.Publisher}: what a Sluice producer writes reaches a Reactive Streams subscriber
 * at the pace of its demand.
 *
 * <p>On {@link #subscribe}, the publisher makes a {@link BufferedConsumer} whose sink delivers {@code onNext} while the
 * subscriber's demand lasts and refuses items when it is exhausted, then hands that consumer to the {@link Source},
 * which registers its producer with it (push or pull) and may start writing. So:
 * <ul>
 *   <li>items the subscriber has not asked for yet wait in the consumer's buffer; when that buffer goes above the
 *       high-water mark (default {@link #DEFAULT_WATER_MARKS}, 16 items) a push producer is paused, and
 *       {@code request(n)} drains the buffer and resumes it at the low-water mark. A pull producer is asked for one
 *       chunk when it registers and for the next each time the subscriber has taken everything buffered. The
 *       producer runs ahead of demand by at most the high-water mark (plus the one write that crosses it), the way a
 *       Reactor operator prefetches;</li>
 *   <li>the stream completes when the producer unregisters (its end, Twisted's {@code unregisterProducer} at EOF):
 *       {@code onComplete} follows the last buffered item. The publisher calls
 *       {@link BufferedConsumer#loseConnection()} as soon as {@link Source#start} returns, so the source must
 *       register its producer inside {@code start};</li>
 *   <li>the stream fails when {@code start} throws, when a producer callback throws, or when the source calls
 *       {@link BufferedConsumer#connectionLost(Throwable)} with a reason: {@code onError} carries it (what is still
 *       buffered is dropped);</li>
 *   <li>{@code cancel()} stops the producer ({@link BufferedConsumer#abortConnection()}) and drops the reference to
 *       the subscriber (rule §3.13); {@code request(n)} with {@code n <= 0} stops the producer and signals
 *       {@link IllegalArgumentException} (§3.9); demand saturates at {@code Long.MAX_VALUE} (§3.17).</li>
 * </ul>
 *
 * <p><b>Threading.</b> Every signal to the subscriber is made by the consumer's drain loop, one thread at a time
 * (§1.3): {@code onNext} on the thread that wrote the item or that called {@code request}, whichever found the loop
 * idle. A {@code request} made from inside {@code onNext} only adds demand; the running loop delivers it, so request
 * and {@code onNext} never recurse (§3.3).
 *
 * <p><b>One subscriber.</b> A producer can be consumed once, so the publisher serves one subscriber: a second one
 * receives {@code onSubscribe} followed by {@code onError} with an {@link IllegalStateException} (§1.9, §2.5's
 * convention).
 *
 * @param <T> the type of item
 */
public final class ProducerPublisher<T> implements Flow.Publisher<T> {

    private static final Log log = Log.of(ProducerPublisher.class);

    /** The default water marks, in weigher units (items by default): pause above 16, resume at 8. */
    public static final WaterMarks DEFAULT_WATER_MARKS = new WaterMarks(16, 8);

    private final Source<T> source;

    private final String name;

    private final Weigher<? super T> weigher;

    private final WaterMarks waterMarks;

    private final AtomicBoolean subscribed = new AtomicBoolean();

    private ProducerPublisher(Source<T> source, String name, Weigher<? super T> weigher, WaterMarks waterMarks) {
        this.source = Objects.requireNonNull(source, "source");
        this.name = Objects.requireNonNull(name, "name");
        this.weigher = Objects.requireNonNull(weigher, "weigher");
        this.waterMarks = Objects.requireNonNull(waterMarks, "waterMarks");
    }

    /**
     * A publisher of what {@code source}'s producer writes, buffering up to {@link #DEFAULT_WATER_MARKS} items ahead
     * of demand.
     *
     * @param source registers the producer with the consumer it is given
     * @param <T> the type of item
     * @return the publisher
     */
    public static <T> ProducerPublisher<T> of(Source<T> source) {
        return new ProducerPublisher<>(source, "publisher", Weigher.items(), DEFAULT_WATER_MARKS);
    }

    /**
     * A publisher with its own name (for logs and the consumer), weigher and water marks, for instance bytes for a
     * publisher of {@link java.nio.ByteBuffer}s.
     *
     * @param source registers the producer with the consumer it is given
     * @param name the name of the consumer made per subscription
     * @param weigher how buffered items are weighed
     * @param waterMarks when the producer is paused and resumed
     * @param <T> the type of item
     * @return the publisher
     */
    public static <T> ProducerPublisher<T> of(Source<T> source, String name, Weigher<? super T> weigher,
            WaterMarks waterMarks) {
        return new ProducerPublisher<>(source, name, weigher, waterMarks);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // §1.9
        if (!this.subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(Rejected.INSTANCE);
            subscriber.onError(new IllegalStateException("Publisher '" + this.name
                    + "' serves one subscriber and already has one (rule §1.9)"));
            return;
        }
        Subscription<T> subscription = new Subscription<>(subscriber);
        BufferedConsumer<T> consumer = BufferedConsumer.builder((Sink<T>) subscription)
            .name(this.name)
            .weigher(this.weigher)
            .waterMarks(this.waterMarks)
            .build();
        subscription.consumer = consumer;
        consumer.whenClosed().whenComplete((ignored, failure) -> subscription.terminate(failure));
        try {
            subscriber.onSubscribe(subscription);
        }
        catch (RuntimeException ex) { // §2.13: a subscriber that throws is treated as cancelled
            log.warn("Subscriber {} of publisher '{}' threw from onSubscribe; cancelled", subscriber, this.name, ex);
            subscription.cancel();
        }
        if (subscription.cancelled) {
            return;
        }
        try {
            this.source.start(consumer);
        }
        catch (Exception | LinkageError | AssertionError failure) {
            consumer.connectionLost(failure);
            return;
        }
        consumer.loseConnection(); // complete when the producer unregisters and the buffer has been delivered
    }

    @Override
    public String toString() {
        return "ProducerPublisher[" + this.name + "]";
    }

    /**
     * Starts the producer of one subscription.
     *
     * @param <T> the type of item
     */
    @FunctionalInterface
    public interface Source<T> {

        /**
         * Registers a producer with {@code consumer} ({@code streaming} {@code true} for a push producer, {@code false}
         * for a pull producer); the producer writes into it. Called once per subscription, after the subscriber's
         * {@code onSubscribe}, on the subscribing thread. The stream completes when that producer unregisters, and
         * fails with anything thrown here or given to {@link BufferedConsumer#connectionLost(Throwable)}.
         *
         * @param consumer the consumer of this subscription
         * @throws Exception if the producer cannot start; the subscriber receives it in {@code onError}
         */
        void start(BufferedConsumer<T> consumer) throws Exception;
    }

    /** The subscription, and the sink of its consumer: delivers {@code onNext} while demand lasts. */
    private static final class Subscription<T> implements Flow.Subscription, Sink<T> {

        private final AtomicLong demand = new AtomicLong();

        /** Dropped on cancel and on termination (§3.13). */
        private volatile Flow.@Nullable Subscriber<? super T> subscriber;

        private volatile boolean cancelled;

        /** Set before the subscription is published to the subscriber. */
        private @Nullable BufferedConsumer<T> consumer;

        Subscription(Flow.Subscriber<? super T> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (this.cancelled) {
                return; // §3.6
            }
            if (n <= 0) {
                // §3.9; signalled by the drain loop, so it never overlaps onNext (§1.3)
                consumer().connectionLost(new IllegalArgumentException(
                        "Rule §3.9: request(n) needs n > 0, was " + n));
                return;
            }
            this.demand.getAndAccumulate(n, Demand::add); // §3.17
            consumer().drain();
        }

        @Override
        public void cancel() {
            if (this.cancelled) {
                return; // §3.7
            }
            this.cancelled = true;
            this.subscriber = null;
            consumer().abortConnection();
        }

        @Override
        public boolean offer(T item) {
            Flow.Subscriber<? super T> target = this.subscriber;
            if (target == null || this.cancelled || !takeOne()) {
                return false;
            }
            try {
                target.onNext(item);
            }
            catch (RuntimeException ex) { // §2.13: the subscription is cancelled, and the producer stopped
                log.warn("Subscriber {} threw from onNext; its subscription is cancelled", target, ex);
                this.cancelled = true;
                this.subscriber = null;
                throw ex;
            }
            return true;
        }

        /** Called once, on the drain loop, when the consumer has closed or been lost. */
        void terminate(@Nullable Throwable failure) {
            Flow.Subscriber<? super T> target = this.subscriber;
            if (target == null || this.cancelled) {
                return;
            }
            this.subscriber = null;
            this.cancelled = true;
            if (failure == null) {
                target.onComplete();
            }
            else {
                target.onError((failure instanceof CompletionException && failure.getCause() != null)
                        ? failure.getCause() : failure);
            }
        }

        private boolean takeOne() {
            for (;;) {
                long current = this.demand.get();
                if (current == 0) {
                    return false;
                }
                if (current == Long.MAX_VALUE || this.demand.compareAndSet(current, current - 1)) {
                    return true; // Long.MAX_VALUE is unbounded demand (§3.17)
                }
            }
        }

        private BufferedConsumer<T> consumer() {
            return Objects.requireNonNull(this.consumer, "consumer");
        }
    }

    /** What a rejected second subscriber is given before its {@code onError}. */
    private enum Rejected implements Flow.Subscription {

        INSTANCE;

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    }
}
