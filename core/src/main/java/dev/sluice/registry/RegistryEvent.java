package dev.sluice.registry;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** Something that happened in a {@link ProducerRegistry}, as told to its {@link RegistryListener}s. */
public sealed interface RegistryEvent {

    /** The registry name the event is about. */
    String name();

    /** A producer was registered under {@code name}. */
    record ProducerAdded(String name) implements RegistryEvent {
    }

    /** A consumer was registered under {@code name}. */
    record ConsumerAdded(String name) implements RegistryEvent {
    }

    /** The producer or consumer named {@code name} left the registry. */
    record Removed(String name, boolean wasProducer) implements RegistryEvent {
    }

    /**
     * A producer changed state.
     *
     * @param name the producer
     * @param consumer the consumer that caused the change, or {@code null}
     * @param from the state before
     * @param to the state after
     * @param pausedFor when a pause ended, how long it lasted; otherwise zero
     */
    record StateChanged(String name, @Nullable String consumer, ProducerState from, ProducerState to,
            Duration pausedFor) implements RegistryEvent {
    }

    /**
     * A producer's callback threw.
     *
     * @param name the producer
     * @param consumer the consumer that made the call
     * @param failure what it threw
     */
    record CallbackFailed(String name, String consumer, Throwable failure) implements RegistryEvent {
    }
}
