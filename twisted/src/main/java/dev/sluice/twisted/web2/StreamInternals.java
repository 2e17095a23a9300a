package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;

/** Small helpers the streams share: completed stages, split-point checks, unwrapping of future failures. */
final class StreamInternals {

    /** The length of a stream that does not know it. */
    static final long UNKNOWN = -1;

    private static final CompletionStage<@Nullable ByteBuffer> END = CompletableFuture.completedStage(null);

    private StreamInternals() {
    }

    /** An already completed stage meaning end of stream. */
    static CompletionStage<@Nullable ByteBuffer> end() {
        return END;
    }

    /** An already completed stage holding {@code chunk}. */
    static CompletionStage<@Nullable ByteBuffer> of(ByteBuffer chunk) {
        return CompletableFuture.completedStage(chunk);
    }

    /** An already failed stage. */
    static CompletionStage<@Nullable ByteBuffer> failed(Throwable failure) {
        return CompletableFuture.failedStage(failure);
    }

    /** Reads {@code stream}, turning an exception thrown by {@code read()} into a failed stage. */
    static CompletionStage<@Nullable ByteBuffer> readSafely(ByteStream stream) {
        try {
            return stream.read();
        }
        catch (RuntimeException | Error ex) {
            return failed(rethrowFatal(ex));
        }
    }

    /** Returns {@code failure} to be handled as a failed read, unless the JVM itself is failing: that is rethrown. */
    static Throwable rethrowFatal(Throwable failure) {
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        return failure;
    }

    static OptionalLong length(long length) {
        return (length < 0) ? OptionalLong.empty() : OptionalLong.of(length);
    }

    /** Checks a split point against a length, {@link #UNKNOWN} when unknown. */
    static void checkSplitPoint(long point, long length) {
        if (point < 0) {
            throw new IllegalArgumentException("split point (" + point + ") is negative");
        }
        if (length >= 0 && point > length) {
            throw new IllegalArgumentException("split point (" + point + ") > length (" + length + ")");
        }
    }

    /** The first {@code length} bytes of {@code chunk}, as an independent buffer over the same memory. */
    static ByteBuffer head(ByteBuffer chunk, int length) {
        return chunk.slice(chunk.position(), length);
    }

    /** The bytes of {@code chunk} after the first {@code skip}, as an independent buffer over the same memory. */
    static ByteBuffer tail(ByteBuffer chunk, int skip) {
        return chunk.slice(chunk.position() + skip, chunk.remaining() - skip);
    }

    /** The cause a future failed with, without the wrappers that dependent stages add. */
    static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
