/**
 * Actuator support for Sluice: the {@code producers} endpoint and the {@code sluice} health contributor.
 */
@NullMarked
package dev.sluice.boot.actuate;

import org.jspecify.annotations.NullMarked;
