/**
 * Kafka pipes in the starter: {@code sluice.pipes.<name>.producer: kafka:<listener id>}.
 */
@NullMarked
package dev.sluice.boot.kafka;

import org.jspecify.annotations.NullMarked;
