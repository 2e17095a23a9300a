package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/** Operations on any {@link ByteStream}: reading it to the end, and cutting a piece out of it. */
public final class ByteStreams {

    private ByteStreams() {
    }

    /**
     * Reads {@code stream} to its end, handing each chunk to {@code chunkHandler} in order (Twisted's
     * {@code readStream}, W2-R1/R2).
     *
     * <p>The first read happens at once, on the calling thread. Each later read starts after the handler has returned
     * for the previous chunk. Chunks that are at hand are handled in a loop, so the stack does not grow per chunk
     * however many there are; a chunk that arrives later is handled on the thread that completes its read. Twisted
     * defers each next read to its reactor; Sluice has none and reads again at once.
     *
     * <p>The result fails, and reading stops, when a read fails or throws, or when the handler throws; chunks handled
     * before stay handled. The stream is not closed on failure: that is the caller's choice.
     *
     * @param stream the stream to read
     * @param chunkHandler called once per chunk, never with {@code null}
     * @return a future completed with {@code null} at the end of the stream, or failed with the first error
     */
    public static CompletableFuture<Void> readStream(ByteStream stream,
            Consumer<? super ByteBuffer> chunkHandler) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(chunkHandler, "chunkHandler");
        CompletableFuture<Void> done = new CompletableFuture<>();
        new ReadLoop() {
            @Override
            CompletionStage<@Nullable ByteBuffer> nextRead() {
                return stream.read();
            }

            @Override
            boolean onChunk(@Nullable ByteBuffer chunk) {
                if (chunk == null) {
                    done.complete(null);
                    return false;
                }
                chunkHandler.accept(chunk);
                return true;
            }

            @Override
            void failed(Throwable failure) {
                done.completeExceptionally(failure);
            }
        }.run();
        return done;
    }

    /**
     * Reads {@code stream} to its end and drops the data (Twisted's {@code readAndDiscard}).
     *
     * @param stream the stream to read
     * @return a future completed at the end of the stream, or failed with the first error
     */
    public static CompletableFuture<Void> readAndDiscard(ByteStream stream) {
        return readStream(stream, chunk -> {
        });
    }

    /**
     * Returns the bytes of {@code stream} from position {@code start} (inclusive) to {@code end} (exclusive), counted
     * from its current read position (W2-B2). The bytes before {@code start} are split off and closed, as are those
     * from {@code end} on. {@code stream} must not be used afterwards.
     *
     * @param stream the source
     * @param start the first byte to keep
     * @param end the first byte not to keep; {@code start == end} gives an empty stream
     * @return the piece
     * @throws IllegalArgumentException if {@code start} is negative, {@code start > end}, or {@code end} is past a
     *         known end of the stream
     */
    public static ByteStream substream(ByteStream stream, long start, long end) {
        if (start < 0 || start > end) {
            throw new IllegalArgumentException("substream start (" + start + ") must be >= 0 and <= end (" + end + ")");
        }
        long length = stream.length().orElse(StreamInternals.UNKNOWN);
        if (length >= 0 && end > length) {
            throw new IllegalArgumentException("substream end (" + end + ") > length (" + length + ")");
        }
        ByteStream.Split cut = stream.split(end);
        cut.after().close();
        ByteStream.Split head = cut.before().split(start);
        head.before().close();
        return head.after();
    }

    /**
     * Returns the bytes of {@code stream} from position {@code start} on. The bytes before are split off and closed.
     *
     * @param stream the source; it must not be used afterwards
     * @param start the first byte to keep
     * @return the rest of the stream
     * @throws IllegalArgumentException if {@code start} is negative or past a known end of the stream
     */
    public static ByteStream substream(ByteStream stream, long start) {
        ByteStream.Split head = stream.split(start);
        head.before().close();
        return head.after();
    }
}
