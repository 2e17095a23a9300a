/**
 * Micrometer meters for a {@link dev.sluice.registry.ProducerRegistry}: one set per group, read at scrape time.
 */
@NullMarked
package dev.sluice.micrometer;

import org.jspecify.annotations.NullMarked;
