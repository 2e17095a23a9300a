/**
 * Byte streams after {@code twisted.web2.stream}: a {@link dev.sluice.twisted.web2.ByteStream} is read one chunk at a
 * time, at the reader's pace, through futures, and can be split at a byte position.
 *
 * <ul>
 *   <li>Sources: {@link dev.sluice.twisted.web2.MemoryStream}, {@link dev.sluice.twisted.web2.FileStream},
 *       {@link dev.sluice.twisted.web2.CompoundStream} (streams one after another).</li>
 *   <li>{@link dev.sluice.twisted.web2.ProducerToStream} (Twisted's {@code ProducerStream}): data flows from a
 *       producer to a stream. A producer writes into it as a {@link dev.sluice.Consumer}, and a reader pulls from it;
 *       the producer is paused while nobody reads.</li>
 *   <li>{@link dev.sluice.twisted.web2.StreamToConsumer} (Twisted's {@code StreamProducer}): data flows from a stream to
 *       a consumer. It reads a stream and writes it into any consumer as a {@link dev.sluice.PushProducer}.</li>
 *   <li>{@link dev.sluice.twisted.web2.BufferedStream} reads lines and exact sizes;
 *       {@link dev.sluice.twisted.web2.ByteStreams} holds {@code readStream}, {@code substream} and friends.</li>
 * </ul>
 *
 * <h2>End of stream</h2>
 * {@link dev.sluice.twisted.web2.ByteStream#read()} always returns a {@link java.util.concurrent.CompletionStage}; it
 * completes with the next chunk, or with {@code null} at the end of the stream (Twisted's {@code None}). Data that is
 * at hand is returned as an already completed stage. Most code never sees the {@code null}: it uses
 * {@link dev.sluice.twisted.web2.ByteStreams#readStream}, which calls a handler per chunk and completes at the end.
 *
 * <p>Part of {@code sluice-twisted}, the Twisted-shaped ports. The rule ids the javadoc cites (W2-PS4, W2-SP5 …)
 * are stated one per line in {@code docs/twisted-rules.md} in the repository.
 */
@NullMarked
package dev.sluice.twisted.web2;

import org.jspecify.annotations.NullMarked;
