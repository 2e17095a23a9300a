package dev.sluice.twisted.web2;

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
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Ports of {@code SimpleStreamTests}, {@code FileStreamTest}, {@code MMapFileStreamTest}, {@code MemoryStreamTest}. */
class SimpleStreamTest {

    private static final String TEXT = "1234567890";

    /** Longer than Twisted's mmap threshold (8192), as {@code MMapFileStreamTest} uses. */
    private static final String LONG_TEXT = TEXT.repeat(8192 / TEXT.length() + 1);

    @TempDir
    static Path dir;

    private static final List<FileChannel> channels = new ArrayList<>();

    /** Makes a stream over a text: from a start, with a length or (when negative) to the end. */
    interface Source {
        SimpleStream open(String text, int start, int length) throws IOException;
    }

    record Kind(String name, String text, Source source) {
        SimpleStream open(int start, int length) throws IOException {
            return this.source.open(this.text, start, length);
        }

        SimpleStream open() throws IOException {
            return open(0, -1);
        }

        @Override
        public String toString() {
            return this.name;
        }
    }

    static Stream<Kind> kinds() {
        Source memory = (text, start, length) -> new MemoryStream(text.getBytes(StandardCharsets.US_ASCII), start,
                (length < 0) ? text.length() - start : length);
        Source file = (text, start, length) -> (length < 0) ? new FileStream(channel(text), start)
                : new FileStream(channel(text), start, length, FileStream.DEFAULT_CHUNK_SIZE);
        return Stream.of(new Kind("MemoryStream", TEXT, memory), new Kind("FileStream", TEXT, file),
                new Kind("FileStream (long)", LONG_TEXT, file));
    }

    static FileChannel channel(String text) throws IOException {
        Path path = Files.createTempFile(dir, "stream", ".txt");
        Files.writeString(path, text, StandardCharsets.US_ASCII);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        channels.add(channel);
        return channel;
    }

    @AfterAll
    static void closeChannels() throws IOException {
        for (FileChannel channel : channels) {
            channel.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    @DisplayName("W2-S1 test_split: every split point gives each half its exact bytes, then the end")
    void w2s1_splitAtEveryPoint(Kind kind) throws IOException {
        String text = kind.text();
        int[] points = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, text.length()};
        for (int point : points) {
            ByteStream.Split split = kind.open().split(point);
            assertThat(split.before().length()).hasValue(point);
            assertThat(split.after().length()).hasValue(text.length() - point);
            assertThat(readAll(split.before())).isEqualTo(text.substring(0, point));
            assertThat(readAll(split.after())).isEqualTo(text.substring(point));
        }
        for (int point = 0; point <= 6; point++) {
            SimpleStream stream = kind.open(2, 6);
            assertThat(stream.length()).hasValue(6);
            ByteStream.Split split = stream.split(point);
            assertThat(readAll(split.before())).isEqualTo(text.substring(2, point + 2));
            assertThat(readAll(split.after())).isEqualTo(text.substring(point + 2, 8));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    @DisplayName("W2-S1 split past the length is an IllegalArgumentException, a negative point too")
    void w2s1_splitPastLengthIsRejected(Kind kind) throws IOException {
        SimpleStream stream = kind.open(0, 4);
        assertThatThrownBy(() -> stream.split(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("split point (5) > length (4)");
        assertThatThrownBy(() -> stream.split(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(readAll(stream)).isEqualTo(kind.text().substring(0, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    @DisplayName("W2-S2/S3 test_read: the length is right before reading, the data comes in one read, then the end")
    void w2s2_readReturnsEverythingThenEnd(Kind kind) throws IOException {
        String text = kind.text();
        SimpleStream whole = kind.open();
        assertThat(whole.length()).hasValue(text.length());
        assertThat(now(whole.read())).isEqualTo(text);
        assertThat(now(whole.read())).isNull();

        SimpleStream head = kind.open(0, 4);
        assertThat(head.length()).hasValue(4);
        assertThat(now(head.read())).isEqualTo(text.substring(0, 4));
        assertThat(now(head.read())).isNull();
        assertThat(head.length()).hasValue(0);

        SimpleStream tail = kind.open(4, 6);
        assertThat(tail.length()).hasValue(6);
        assertThat(now(tail.read())).isEqualTo(text.substring(4, 10));
        assertThat(now(tail.read())).isNull();
        assertThat(tail.length()).hasValue(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    @DisplayName("W2-S1 test_close: close sets the length to 0 and later reads return the end")
    void w2s1_closeEndsTheStream(Kind kind) throws IOException {
        SimpleStream stream = kind.open();
        stream.close();
        assertThat(stream.length()).hasValue(0);
        assertThat(now(stream.read())).isNull();
        ByteStream.Split split = stream.split(0);
        assertThat(now(split.after().read())).isNull();
    }

    @Test
    @DisplayName("W2-S3 test_close: closing a FileStream leaves the file open")
    void w2s3_closeDoesNotCloseTheFile() throws IOException {
        FileChannel channel = channel(TEXT);
        FileStream stream = new FileStream(channel);
        stream.close();
        assertThat(stream.length()).hasValue(0);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.size()).isEqualTo(10);
    }

    @Test
    @DisplayName("W2-S3 test_read2: chunk sizes 6 and 5 give two reads; a declared length past the file fails clearly")
    void w2s3_readsInChunksAndFailsWhenTheFileIsShort() throws IOException {
        FileStream bySix = new FileStream(channel(TEXT), 0, 10, 6);
        assertThat(bySix.length()).hasValue(10);
        assertThat(now(bySix.read())).isEqualTo("123456");
        assertThat(now(bySix.read())).isEqualTo("7890");
        assertThat(now(bySix.read())).isNull();

        FileStream byFive = new FileStream(channel(TEXT), 0, 10, 5);
        assertThat(now(byFive.read())).isEqualTo("12345");
        assertThat(now(byFive.read())).isEqualTo("67890");
        assertThat(now(byFive.read())).isNull();

        FileStream tooLong = new FileStream(channel(TEXT), 0, 20, FileStream.DEFAULT_CHUNK_SIZE);
        assertThat(tooLong.length()).hasValue(20);
        assertThat(now(tooLong.read())).isEqualTo(TEXT);
        assertThat(tooLong.read().toCompletableFuture()).failsWithin(java.time.Duration.ZERO)
                .withThrowableThat().havingCause().isInstanceOf(IllegalStateException.class)
                .withMessageContaining("Ran out of data").withMessageContaining("expected 10 more bytes");
    }

    @Test
    @DisplayName("W2-S3 decision: the default length is the file size less the start; bounds are checked")
    void w2s3_defaultLengthSubtractsStartAndBoundsAreChecked() throws IOException {
        FileChannel channel = channel(TEXT);
        FileStream fromThree = new FileStream(channel, 3);
        assertThat(fromThree.length()).hasValue(7);
        assertThat(readAll(fromThree)).isEqualTo("4567890");
        assertThatThrownBy(() -> new FileStream(channel, 11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start (11) is outside the file");
        assertThatThrownBy(() -> new FileStream(channel, -1, 3, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileStream(channel, 0, -3, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileStream(channel, 0, 3, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunk size");
        assertThatThrownBy(() -> new FileStream(channel, Long.MAX_VALUE, 3, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflows");
    }

    @Test
    @DisplayName("W2-S3 an I/O error fails the read's stage")
    void w2s3_ioErrorFailsTheRead() throws IOException {
        FileChannel channel = channel(TEXT);
        FileStream stream = new FileStream(channel);
        channel.close();
        assertThat(stream.read().toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    @DisplayName("W2-S2 test_read2: MemoryStream(text, 0, 20) over 10 bytes is an IllegalArgumentException")
    void w2s2_lengthPastTheDataIsRejected() {
        byte[] data = TEXT.getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new MemoryStream(data, 0, 20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("W2-S2 decision: the check covers start + length (Twisted accepts MemoryStream(\"abcdef\", 4, 6))")
    void w2s2_startPlusLengthIsChecked() {
        byte[] data = "abcdef".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new MemoryStream(data, 4, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start (4) + length (6) > size of the data (6)");
        assertThatThrownBy(() -> new MemoryStream(data, -1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(readAll(new MemoryStream(data, 4, 2))).isEqualTo("ef");
    }

    @Test
    @DisplayName("W2-S2 a MemoryStream over a ByteBuffer reads its remaining bytes")
    void w2s2_byteBufferSourceReadsRemainingBytes() {
        ByteBuffer source = StreamTesting.bytes("xxabcdef");
        source.position(2);
        MemoryStream stream = new MemoryStream(source);
        assertThat(stream.length()).hasValue(6);
        assertThat(readAll(stream)).isEqualTo("abcdef");
    }
}
