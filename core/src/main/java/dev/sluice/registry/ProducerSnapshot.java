package dev.sluice.registry;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A registered producer at one moment, read from the owner loop of the consumer it is registered with.
 *
 * @param name its registry name: the name given to {@link ProducerRegistry#registerProducer}, or an instance name
 *        {@code <group>#<n>} made by {@link ProducerRegistry#register(String, dev.sluice.Producer)}
 * @param group the group it belongs to; a producer registered on its own is a group of one, named like it
 * @param state what it is doing
 * @param consumer the registry name of the consumer it is registered with, or {@code null} when it is registered
 *        with no consumer that the registry follows
 * @param streaming whether it was last registered as a push producer
 * @param heldByOperator whether an operator's pause ({@link ProducerRegistry#pause}) is in force
 * @param pauseCount how many times it has been paused since it joined the registry
 * @param pausedTime the total time spent paused since it joined the registry, the current pause included
 * @param currentPause how long the current pause has lasted, zero when not paused
 * @param unitsWritten units that consumers followed by the registry accepted while it was registered with them
 * @param errors how many of its callbacks threw
 */
public record ProducerSnapshot(String name, String group, ProducerState state, @Nullable String consumer,
        boolean streaming, boolean heldByOperator, long pauseCount, Duration pausedTime, Duration currentPause,
        long unitsWritten, long errors) {
}
