package dev.sluice.twisted.web2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/** Helpers for the stream tests: bytes from text and back, and the value of a stage that must be complete. */
final class StreamTesting {

    private StreamTesting() {
    }

    static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String text(ByteBuffer chunk) {
        byte[] out = new byte[chunk.remaining()];
        chunk.duplicate().get(out);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** The text of a stage that must be complete already; {@code null} for the end of the stream. */
    static @Nullable String now(CompletionStage<? extends @Nullable ByteBuffer> stage) {
        CompletableFuture<? extends @Nullable ByteBuffer> future = stage.toCompletableFuture();
        assertThat(future).as("the read has completed").isDone();
        ByteBuffer chunk = future.join();
        return (chunk != null) ? text(chunk) : null;
    }

    /** Whether a stage has completed (either way). */
    static boolean isDone(CompletionStage<?> stage) {
        return stage.toCompletableFuture().isDone();
    }

    /** Reads a stream whose reads all complete at once to its end, and returns what it read. */
    static String readAll(ByteStream stream) {
        StringBuilder out = new StringBuilder();
        CompletableFuture<Void> done = ByteStreams.readStream(stream, chunk -> out.append(text(chunk)));
        assertThat(done).as("the stream was read to its end at once").isCompleted();
        return out.toString();
    }
}
