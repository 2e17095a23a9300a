package dev.sluice.twisted.web2;

import static dev.sluice.twisted.web2.StreamTesting.bytes;
import static dev.sluice.twisted.web2.StreamTesting.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Port of {@code TestBufferedStream} (W2-B1). */
class BufferedStreamTest {

    private static final String POEM = """
            I was angry with my friend:
            I told my wrath, my wrath did end.
            I was angry with my foe:
            I told it not, my wrath did grow.

            And I water'd it in fears,
            Night and morning with my tears;
            And I sunned it with smiles,
            And with soft deceitful wiles.""".replace("\n", "\r\n");

    private final BufferedStream stream = new BufferedStream(new MemoryStream(bytes(POEM)));

    private static String line(CompletionStage<ByteBuffer> stage) {
        CompletableFuture<ByteBuffer> future = stage.toCompletableFuture();
        assertThat(future).isDone();
        return text(future.join());
    }

    @Test
    @DisplayName("W2-B1 test_readline: a line comes with its delimiter")
    void w2b1_readline() {
        assertThat(line(this.stream.readLine())).isEqualTo("I was angry with my friend:\r\n");
        assertThat(line(this.stream.readLine())).isEqualTo("I told my wrath, my wrath did end.\r\n");
    }

    @Test
    @DisplayName("W2-B1 test_readlineWithSize: a size limit cuts the line")
    void w2b1_readlineWithSize() {
        assertThat(line(this.stream.readLine(5))).isEqualTo("I was");
        assertThat(line(this.stream.readLine())).isEqualTo(" angry with my friend:\r\n");
    }

    @Test
    @DisplayName("W2-B1 test_readlineWithBigSize: a limit beyond the line returns the line")
    void w2b1_readlineWithBigSize() {
        assertThat(line(this.stream.readLine(40))).isEqualTo("I was angry with my friend:\r\n");
    }

    @Test
    @DisplayName("W2-B1 test_readlineWithZero: size 0 gives an empty line")
    void w2b1_readlineWithZero() {
        assertThat(line(this.stream.readLine(0))).isEmpty();
    }

    @Test
    @DisplayName("W2-B1 test_readlineFinished: at the end, the rest without delimiter, then empty lines")
    void w2b1_readlineFinished() {
        int lines = POEM.split("\r\n", -1).length;
        String last = null;
        for (int i = 0; i < lines; i++) {
            last = line(this.stream.readLine());
        }
        assertThat(last).isEqualTo("And with soft deceitful wiles.");
        assertThat(line(this.stream.readLine())).isEmpty();
        assertThat(line(this.stream.readLine())).isEmpty();
    }

    @Test
    @DisplayName("W2-B1 test_readlineNegSize: a negative size is an IllegalArgumentException")
    void w2b1_readlineNegSize() {
        assertThatThrownBy(() -> this.stream.readLine(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> this.stream.readExactly(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> this.stream.readLine(new byte[0], 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("W2-B1 test_readlineSizeInDelimiter: a limit inside the delimiter; the next line starts with the rest")
    void w2b1_readlineSizeInDelimiter() {
        assertThat(line(this.stream.readLine(28))).isEqualTo("I was angry with my friend:\r");
        assertThat(line(this.stream.readLine())).isEqualTo("\nI told my wrath, my wrath did end.\r\n");
    }

    @Test
    @DisplayName("W2-B1 test_readExactly: with no size, everything")
    void w2b1_readExactly() {
        assertThat(line(this.stream.readExactly())).isEqualTo(POEM);
    }

    @Test
    @DisplayName("W2-B1 test_readExactlyLimited: exactly the size asked for")
    void w2b1_readExactlyLimited() {
        assertThat(line(this.stream.readExactly(10))).isEqualTo(POEM.substring(0, 10));
        assertThat(line(this.stream.readExactly(10))).isEqualTo(POEM.substring(10, 20));
    }

    @Test
    @DisplayName("W2-B1 test_readExactlyBig: fewer bytes only at the end of the stream")
    void w2b1_readExactlyBig() {
        assertThat(line(this.stream.readExactly(100_000))).isEqualTo(POEM);
    }

    @Test
    @DisplayName("W2-B1 test_read: read returns the data; buffered bytes come first")
    void w2b1_read() {
        assertThat(StreamTesting.now(this.stream.read())).isEqualTo(POEM);
        BufferedStream other = new BufferedStream(new MemoryStream(bytes("ab\r\ncd")));
        assertThat(line(other.readLine())).isEqualTo("ab\r\n");
        assertThat(other.length()).hasValue(2);
        assertThat(StreamTesting.now(other.read())).isEqualTo("cd");
        assertThat(StreamTesting.now(other.read())).isNull();
    }

    @Test
    @DisplayName("W2-B1 lines that span chunks, other delimiters, and chunks that arrive later")
    void w2b1_linesAcrossChunks() {
        CompletableFuture<@Nullable ByteBuffer> later = new CompletableFuture<>();
        BufferedStream chunked = new BufferedStream(new ScriptedStream("on", "e\nt", later, "ree\n"));
        byte[] newline = "\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(line(chunked.readLine(newline, Integer.MAX_VALUE))).isEqualTo("one\n");
        CompletionStage<ByteBuffer> second = chunked.readLine(newline, Integer.MAX_VALUE);
        assertThat(second.toCompletableFuture()).isNotDone();
        assertThatThrownBy(chunked::readLine).isInstanceOf(IllegalStateException.class);
        later.complete(bytes("wo\nth"));
        assertThat(line(second)).isEqualTo("two\n");
        assertThat(line(chunked.readLine(newline, Integer.MAX_VALUE))).isEqualTo("three\n");
        assertThat(line(chunked.readLine(newline, Integer.MAX_VALUE))).isEmpty();
    }
}
