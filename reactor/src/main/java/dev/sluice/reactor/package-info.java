/**
 * Project Reactor adapters: {@link dev.sluice.reactor.SluiceFlux} turns a producer into a {@code Flux} and writes a
 * {@code Publisher} into a consumer, back-pressure preserved both ways.
 */
@NullMarked
package dev.sluice.reactor;

import org.jspecify.annotations.NullMarked;
