/**
 * Kafka pipes in the starter: {@code sluice.pipes.<name>.producer: kafka:<listener id>}, read from a listener container
 * bean or one declared under {@code sluice.kafka.listeners.<id>}, and drained before the container stops.
 */
@NullMarked
package dev.sluice.boot.kafka;

import org.jspecify.annotations.NullMarked;
