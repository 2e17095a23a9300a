package dev.sluice;

/**
 * Observes what a consumer does with its producer: registration, and each callback it makes. The registry and the
 * Micrometer binder listen this way.
 *
 * <p>Signal methods ({@link #paused}, {@link #resumed}, {@link #stopped}, {@link #failed}) are called on the same
 * serialized lane as the producer callbacks, right after the callback returns, so for one consumer they never run
 * concurrently and arrive in order. They must be quick and must not throw; an exception is logged and ignored.
 */
public interface ProducerListener {

    /** A producer was registered. */
    default void registered(Producer producer, boolean streaming) {
    }

    /** A producer was unregistered (and not stopped). */
    default void unregistered(Producer producer) {
    }

    /** The consumer called {@link PushProducer#pauseProducing()}. */
    default void paused(Producer producer) {
    }

    /** The consumer called {@link Producer#resumeProducing()}. */
    default void resumed(Producer producer) {
    }

    /** The consumer called {@link Producer#stopProducing()}; the producer is no longer registered. */
    default void stopped(Producer producer) {
    }

    /** A callback on the producer threw {@code failure}. */
    default void failed(Producer producer, Throwable failure) {
    }
}
