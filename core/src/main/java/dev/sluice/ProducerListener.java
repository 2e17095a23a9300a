package dev.sluice;

/**
 * Observes what a consumer does with its producer: registration, and each callback it makes. The registry and the
 * Micrometer binder listen this way.
 *
 * <p>Every event is delivered by the consumer's owner loop, the one that makes the producer callbacks: for one
 * consumer, events never run concurrently and arrive in the order the state changed — {@link #registered} first,
 * before any callback to that producer (so a listener can act on it before the producer is first asked for data),
 * then {@link #paused}, {@link #resumed} and {@link #stopped} in the order of the callbacks they report (a pause
 * nested inside a resume included), {@link #failed} after the callback that threw, and {@link #unregistered} after
 * the last callback that started before the unregistration. {@code paused}, {@code resumed} and {@code stopped} come
 * right before the call they announce, synchronously on the loop, so a slow listener delays the producer's next
 * callback by as long as it takes. A producer whose registration was unregistered before the loop announced it gets
 * no {@code registered} and no {@code unregistered}; one stopped before its announcement gets {@code registered}, then
 * {@code stopped}. One exception: an operator's stop of a producer that was unregistered while the loop was inside a
 * callback to it, or about to call it ({@link ConsumerSupport#stopAfterCallback}), is made by the loop after
 * {@code unregistered}, with no {@code stopped} (the registry records it), and {@code failed} follows if it throws; if
 * the producer registered again
 * inside that callback, that registration is the one stopped, with its own {@code registered} and {@code stopped}.
 * Listeners must be quick; anything one throws (but a {@link VirtualMachineError}) is logged and ignored, and the loop
 * goes on.
 */
public interface ProducerListener {

    /** A producer was registered. */
    default void registered(Producer producer, boolean streaming) {
    }

    /** A producer was unregistered (and not stopped). */
    default void unregistered(Producer producer) {
    }

    /** The consumer is calling {@link PushProducer#pauseProducing()}. */
    default void paused(Producer producer) {
    }

    /** The consumer is calling {@link Producer#resumeProducing()}. */
    default void resumed(Producer producer) {
    }

    /** The consumer is calling {@link Producer#stopProducing()}; the producer is no longer registered. */
    default void stopped(Producer producer) {
    }

    /** A callback on the producer threw {@code failure}. */
    default void failed(Producer producer, Throwable failure) {
    }
}
