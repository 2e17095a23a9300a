package dev.sluice.twisted.web2;

import static dev.sluice.twisted.web2.ScriptedStream.fail;
import static dev.sluice.twisted.web2.StreamTesting.bytes;
import static dev.sluice.twisted.web2.StreamTesting.isDone;
import static dev.sluice.twisted.web2.StreamTesting.now;
import static dev.sluice.twisted.web2.StreamTesting.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Port of the {@code CompoundStreamTest} doctest (W2-S4), plus the split rules. */
class CompoundStreamTest {

    @Test
    @DisplayName("W2-S4 the length is the sum of the parts and shrinks as they are read")
    void w2s4_lengthIsTheSum() {
        CompoundStream stream = new CompoundStream();
        stream.add(new MemoryStream(bytes("Stream1"))).add(new MemoryStream(bytes("Stream2")));
        assertThat(stream.length()).hasValue(14);
        assertThat(now(stream.read())).isEqualTo("Stream1");
        assertThat(stream.length()).hasValue(7);
        assertThat(now(stream.read())).isEqualTo("Stream2");
        assertThat(now(stream.read())).isNull();
        assertThat(stream.length()).hasValue(0);
    }

    @Test
    @DisplayName("W2-S4 parts can be given at construction, bytes become MemoryStreams")
    void w2s4_constructedFromParts() {
        CompoundStream stream = new CompoundStream(List.of(new MemoryStream(bytes("hello"))));
        stream.add(" world".getBytes(StandardCharsets.US_ASCII));
        assertThat(now(stream.read())).isEqualTo("hello");
        assertThat(now(stream.read())).isEqualTo(" world");
        assertThat(now(stream.read())).isNull();
    }

    @Test
    @DisplayName("W2-S4 files and bytes mix; close ends the stream and closes the parts")
    void w2s4_fileParts(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("stream_data.txt");
        Files.writeString(path, "We've got some text!\n");
        try (FileChannel first = FileChannel.open(path); FileChannel second = FileChannel.open(path)) {
            CompoundStream stream = new CompoundStream();
            MemoryStream separator = new MemoryStream(bytes("================"));
            FileStream last = new FileStream(second);
            stream.add(new FileStream(first)).add(separator).add(last);
            assertThat(stream.length()).hasValue(58);
            assertThat(now(stream.read())).isEqualTo("We've got some text!\n");
            assertThat(now(stream.read())).isEqualTo("================");
            stream.close();
            assertThat(now(stream.read())).isNull();
            assertThat(stream.length()).hasValue(0);
            assertThat(last.length()).as("the last part was closed").hasValue(0);
        }
    }

    @Test
    @DisplayName("W2-S4 a failed part fails the read, the length becomes 0 and the later parts are closed")
    void w2s4_failedPartClosesTheRest() {
        MemoryStream after = new MemoryStream(bytes("after"));
        CompoundStream stream = new CompoundStream(List.of(new ScriptedStream(fail(new ArithmeticException())), after));
        assertThat(stream.read().toCompletableFuture()).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(ArithmeticException.class);
        assertThat(stream.length()).hasValue(0);
        assertThat(after.length()).hasValue(0);
        assertThat(now(stream.read())).isNull();
    }

    @Test
    @DisplayName("W2-S4 decision: a part whose read throws gives a failed stage, never an exception or a Failure")
    void w2s4_throwingPartGivesAFailedStage() {
        MemoryStream after = new MemoryStream(bytes("after"));
        CompoundStream stream = new CompoundStream(
                List.of(new ScriptedStream("ok", new IllegalStateException("boom")), after));
        assertThat(now(stream.read())).isEqualTo("ok");
        CompletionStage<@Nullable ByteBuffer> failed = stream.read();
        assertThat(failed.toCompletableFuture()).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOf(IllegalStateException.class).withMessage("boom");
        assertThat(after.length()).hasValue(0);
    }

    @Test
    @DisplayName("W2-S4 a second read while one is pending is an IllegalStateException; the unknown length adds up")
    void w2s4_secondPendingReadIsRejected() {
        CompletableFuture<@Nullable ByteBuffer> later = new CompletableFuture<>();
        CompoundStream stream = new CompoundStream(List.of(new ScriptedStream(later), new MemoryStream(bytes("x"))));
        assertThat(stream.length()).isEmpty();
        CompletionStage<@Nullable ByteBuffer> first = stream.read();
        assertThat(isDone(first)).isFalse();
        assertThatThrownBy(stream::read).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already outstanding");
        later.complete(null);
        assertThat(now(first)).as("an ended part is dropped and the next one read").isEqualTo("x");
        assertThat(now(stream.read())).isNull();
    }

    @Test
    @DisplayName("W2-S4 split walks the parts and splits the one holding the point")
    void w2s4_splitAtAndInsideParts() {
        for (int point = 0; point <= 9; point++) {
            CompoundStream stream = new CompoundStream().add(new MemoryStream(bytes("abc")))
                    .add(new MemoryStream(bytes("def"))).add(new MemoryStream(bytes("ghi")));
            ByteStream.Split split = stream.split(point);
            assertThat(split.before().length()).hasValue(point);
            assertThat(split.after().length()).hasValue(9 - point);
            assertThat(readAll(split.before())).isEqualTo("abcdefghi".substring(0, point));
            assertThat(readAll(split.after())).isEqualTo("abcdefghi".substring(point));
        }
        assertThatThrownBy(() -> new CompoundStream().add(bytes("ab").array()).split(3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("W2-S4 split falls back to fallbackSplit when a part of unknown length comes first")
    void w2s4_splitWithUnknownLengthFallsBack() {
        CompoundStream stream = new CompoundStream(List.of(new MemoryStream(bytes("ab")), new ScriptedStream("cd", "ef")));
        ByteStream.Split split = stream.split(3);
        assertThat(readAll(split.before())).isEqualTo("abc");
        assertThat(readAll(split.after())).isEqualTo("def");
    }
}
