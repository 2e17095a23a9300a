/**
 * Spring Boot auto-configuration for Sluice.
 */
@NullMarked
package dev.sluice.autoconfigure;

import org.jspecify.annotations.NullMarked;
