/**
 * Adapters between Sluice and {@code java.io} / NIO: {@link dev.sluice.io.ReadingProducer} reads an
 * {@link java.io.InputStream} or a {@link java.nio.channels.ReadableByteChannel} as a pull producer,
 * {@link dev.sluice.io.ChannelSink} writes a consumer's bytes to an {@link java.io.OutputStream} or a (blocking or
 * non-blocking) {@link java.nio.channels.WritableByteChannel}, and {@link dev.sluice.io.ConsumerOutputStream} is the
 * explicit blocking adapter: an {@code OutputStream} whose writes wait while the consumer's buffer is full.
 * {@link dev.sluice.io.AsyncSink} drains a consumer into any API that answers with a
 * {@link java.util.concurrent.CompletionStage}, a bounded number of calls at a time, acknowledging each item when its
 * call completes.
 */
@NullMarked
package dev.sluice.io;

import org.jspecify.annotations.NullMarked;
