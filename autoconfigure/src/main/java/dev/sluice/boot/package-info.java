/**
 * Sluice's Spring integration: the consumer factory, the registration of producer and consumer beans, and the pipes
 * wired from configuration.
 */
@NullMarked
package dev.sluice.boot;

import org.jspecify.annotations.NullMarked;
