package dev.sluice.registry;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A registered producer at one moment.
 *
 * @param name its registry name
 * @param state what it is doing
 * @param consumer the registry name of the consumer it is registered with, or {@code null}
 * @param streaming whether it is registered as a push producer
 * @param heldByOperator whether an operator's pause is in force
 * @param pauseCount how many times it has been paused
 * @param pausedTime the total time spent paused, the current pause included
 * @param currentPause how long the current pause has lasted, zero when not paused
 * @param unitsWritten units its consumers accepted while it was registered with them
 */
public record ProducerSnapshot(String name, ProducerState state, @Nullable String consumer, boolean streaming,
        boolean heldByOperator, long pauseCount, Duration pausedTime, Duration currentPause, long unitsWritten) {
}
