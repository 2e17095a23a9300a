/**
 * Byte streams after {@code twisted.web2.stream}: a {@link dev.sluice.stream.ByteStream} is read one chunk at a time,
 * at the reader's pace, through futures, and can be split at a byte position.
 *
 * <ul>
 *   <li>Sources: {@link dev.sluice.stream.MemoryStream}, {@link dev.sluice.stream.FileStream},
 *       {@link dev.sluice.stream.CompoundStream} (streams one after another).</li>
 *   <li>{@link dev.sluice.stream.ProducerStream} turns the push side around: a producer writes into it as a
 *       {@link dev.sluice.Consumer}, and a reader pulls from it; the producer is paused while nobody reads.</li>
 *   <li>{@link dev.sluice.stream.StreamProducer} does the opposite: it writes a stream into any consumer as a
 *       {@link dev.sluice.PushProducer}.</li>
 *   <li>{@link dev.sluice.stream.BufferedStream} reads lines and exact sizes; {@link dev.sluice.stream.ByteStreams}
 *       holds {@code readStream}, {@code substream} and friends.</li>
 * </ul>
 *
 * <h2>End of stream</h2>
 * {@link dev.sluice.stream.ByteStream#read()} always returns a {@link java.util.concurrent.CompletionStage}; it
 * completes with the next chunk, or with {@code null} at the end of the stream (Twisted's {@code None}). Data that is
 * at hand is returned as an already completed stage. Most code never sees the {@code null}: it uses
 * {@link dev.sluice.stream.ByteStreams#readStream}, which calls a handler per chunk and completes at the end.
 */
@NullMarked
package dev.sluice.stream;

import org.jspecify.annotations.NullMarked;
