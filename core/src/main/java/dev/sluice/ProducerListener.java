package dev.sluice;

/**
 * Observes what a consumer does with its producer: registration, and each callback it makes. The registry and the
 * Micrometer binder listen this way.
 *
 * <p>Signal methods ({@link #paused}, {@link #resumed}, {@link #stopped}) are called on the same serialized lane as
 * the producer callbacks, right before the callback is made, and {@link #failed} right after a callback threw; so for
 * one consumer they never run concurrently and arrive in the order the producer sees its calls, a pause nested inside
 * a resume included. They must be quick and must not throw; an exception is logged and ignored.
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
