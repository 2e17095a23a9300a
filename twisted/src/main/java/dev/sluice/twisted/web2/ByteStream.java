package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A stream of bytes read one chunk at a time, at the reader's pace. The port of {@code twisted.web2}'s
 * {@code IByteStream}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #read()} returns a stage that completes with the next chunk, or with {@code null} at the end of the
 *       stream. A chunk is never empty-by-accident: implementations may return an empty buffer only where
 *       documented. Data already at hand comes as an already completed stage. Errors come as an exceptionally
 *       completed stage; {@code read()} throws only for misuse (such as a second read while one is pending, where an
 *       implementation documents it).</li>
 *   <li>The reader owns each chunk it receives (its position to limit is the data) and may keep or modify it.</li>
 *   <li>{@link #length()} is the number of bytes still to be read, or empty when unknown.</li>
 *   <li>{@link #split(long)} returns two streams, the bytes before {@code point} and those after it. The original
 *       must not be used afterwards (an implementation may return it as one of the halves).</li>
 *   <li>{@link #close()} ends reading early: later reads complete with {@code null} and {@link #length()} becomes
 *       0.</li>
 * </ul>
 *
 * <h2>Why {@code null} at the end</h2>
 * The end of the stream is a stage completed with {@code null}, as Twisted's {@code None}, and the type says so
 * ({@code CompletionStage<@Nullable ByteBuffer>}), so null-checkers ask for the check. It keeps the common
 * {@code read().thenAccept(chunk -> ...)} plain, costs nothing per chunk, and cannot be mistaken for data, which an
 * empty-buffer marker could. An {@code Optional} would wrap every chunk for the sake of one end. Code that just wants
 * every chunk uses {@link ByteStreams#readStream}, which never shows the {@code null}. Reads always return a stage, also
 * for data at hand (already completed), so callers have one path; consumers of stages such as
 * {@link StreamToConsumer} and {@code readStream} loop over completed stages instead of recursing.
 *
 * <h2>Threading</h2>
 * A stream has one reader. Its methods are not meant to be called concurrently; a reader may move between threads
 * when there is a happens-before edge between its calls (such as the completion of the previous read). The two halves
 * of a split may share their source: read them one at a time. {@link ProducerToStream} documents its own, stronger
 * rules for the writing side.
 */
public interface ByteStream extends AutoCloseable {

    /**
     * Reads the next chunk.
     *
     * @return a stage completing with the next chunk, or with {@code null} at the end of the stream (also after
     *         {@link #close()}); completing exceptionally when the data cannot be read
     */
    CompletionStage<@Nullable ByteBuffer> read();

    /**
     * Returns the number of bytes still to be read.
     *
     * @return the remaining length, or empty when the stream does not know it
     */
    OptionalLong length();

    /**
     * Splits this stream in two at byte position {@code point}, counted from the current read position. This stream
     * must not be used afterwards.
     *
     * @param point how many bytes go to {@link Split#before()}
     * @return the two halves
     * @throws IllegalArgumentException if {@code point} is negative or greater than a known {@link #length()}
     */
    Split split(long point);

    /**
     * Ends reading early. Later reads complete with {@code null}; {@link #length()} becomes 0. Closing twice is
     * harmless.
     */
    @Override
    void close();

    /**
     * Splits a stream that cannot split cheaply: the two halves read the one source in turn. {@code before} reads up
     * to {@code point} bytes; {@code after} first returns what was left of the chunk that crossed the split point and
     * then reads the source directly. {@code after}'s first read waits until {@code before} has reached the split
     * point; if {@code before} was closed, it reads and discards the rest of {@code before} itself. Closing both halves
     * closes the source once, without reading it if neither half has read (W2-F1…F6).
     *
     * @param stream the stream to split; it must not be used afterwards
     * @param point how many bytes go to the first half
     * @return the two halves
     * @throws IllegalArgumentException if {@code point} is negative or greater than the stream's known length
     */
    static Split fallbackSplit(ByteStream stream, long point) {
        return FallbackSplit.split(stream, point);
    }

    /**
     * The two halves of a {@link #split(long)}.
     *
     * @param before the bytes before the split point
     * @param after the bytes from the split point on
     */
    record Split(ByteStream before, ByteStream after) {
    }
}
