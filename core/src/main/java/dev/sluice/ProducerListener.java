package dev.sluice;

/**
 * Observes what a consumer does with its producer: registration, and each callback it makes. The registry and the
 * Micrometer binder listen this way.
 *
 * <p>Every event is delivered by the consumer's signal lane, the one that makes the producer callbacks: for one
 * consumer, events never run concurrently and arrive in the order the state changed — {@link #registered} first,
 * before any callback to that producer (so a listener can act on it before the producer is first asked for data),
 * then {@link #paused}, {@link #resumed} and {@link #stopped} in the order of the callbacks they report (a pause
 * nested inside a resume included), {@link #failed} after the callback that threw, and {@link #unregistered} after
 * the last callback that started before the unregistration. The lane delivers {@code paused}, {@code resumed},
 * {@code stopped} and {@code failed} when no producer callback is due, so such an event may arrive just after the
 * callback it reports, and a slow listener delays a pause by one event at most. A producer whose registration
 * was retired before the lane announced it (unregistered or stopped at once) gets no {@code registered} and no
 * {@code unregistered}. Listeners must be quick and must not throw; an exception is logged and ignored.
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
