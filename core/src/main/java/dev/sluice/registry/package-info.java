/**
 * The registry of named producers and consumers: what they are doing now, and operator control by name.
 */
@NullMarked
package dev.sluice.registry;

import org.jspecify.annotations.NullMarked;
