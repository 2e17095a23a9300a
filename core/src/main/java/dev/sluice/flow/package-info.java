/**
 * Bridges between Sluice and {@link java.util.concurrent.Flow} (Reactive Streams): {@link dev.sluice.flow.ProducerPublisher}
 * exposes a producer as a {@code Flow.Publisher}, {@link dev.sluice.flow.ConsumerSubscriber} feeds a
 * {@code Flow.Subscriber}'s items into a consumer. Both pass the Reactive Streams TCK: demand becomes pause and resume,
 * pause and resume become demand, and no signal recurses.
 */
@NullMarked
package dev.sluice.flow;

import org.jspecify.annotations.NullMarked;
