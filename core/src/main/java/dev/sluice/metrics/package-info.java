/**
 * Micrometer meters for a {@link dev.sluice.registry.ProducerRegistry}. Needs {@code micrometer-core}, an optional
 * dependency of {@code sluice-core}.
 */
@NullMarked
package dev.sluice.metrics;

import org.jspecify.annotations.NullMarked;
