package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A stream that plays a script, after Twisted's {@code TestStreamer}: each read takes the next entry. A
 * {@link String} is returned as an already completed chunk, a {@link CompletionStage} as is, a
 * {@link RuntimeException} is thrown. After the script, reads return the end of the stream. It counts reads and
 * closes; close empties the script. Its length is unknown.
 */
final class ScriptedStream extends UnknownLengthStream {

    private final ArrayDeque<Object> script;
    int readCalled;
    int closeCalled;

    ScriptedStream(Object... script) {
        this.script = new ArrayDeque<>(Arrays.asList(script));
    }

    /** An already completed stage, Twisted's {@code defer.succeed}. */
    static CompletionStage<@Nullable ByteBuffer> succeed(String text) {
        return CompletableFuture.completedFuture(StreamTesting.bytes(text));
    }

    /** An already failed stage, Twisted's {@code defer.fail}. */
    static CompletionStage<@Nullable ByteBuffer> fail(Throwable failure) {
        return CompletableFuture.failedFuture(failure);
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<@Nullable ByteBuffer> read() {
        this.readCalled++;
        Object next = this.script.pollFirst();
        if (next == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (next instanceof RuntimeException ex) {
            throw ex;
        }
        if (next instanceof String text) {
            return CompletableFuture.completedFuture(StreamTesting.bytes(text));
        }
        return (CompletionStage<@Nullable ByteBuffer>) next;
    }

    @Override
    public void close() {
        this.closeCalled++;
        this.script.clear();
    }
}
