package dev.sluice.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import dev.sluice.Producer;
import dev.sluice.PullProducer;
import dev.sluice.testing.RecordingConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports of Twisted's {@code FileSenderTests} (twisted-spec §10.8) and the FS rules with no upstream test. */
class FileSenderTest {

    @TempDir
    Path dir;

    private Path file;

    private final RecordingConsumer<ByteBuffer> consumer = new RecordingConsumer<>();

    private final TrackingOpener opener = new TrackingOpener();

    @BeforeEach
    void writeTestContent() throws IOException {
        this.file = Files.writeString(this.dir.resolve("test.txt"), "Test content", StandardCharsets.US_ASCII);
    }

    private String received() {
        StringBuilder out = new StringBuilder();
        for (ByteBuffer chunk : this.consumer.written()) {
            out.append(StandardCharsets.US_ASCII.decode(chunk.duplicate()));
        }
        return out.toString();
    }

    private static String ascii(ByteBuffer buffer) {
        return StandardCharsets.US_ASCII.decode(buffer.duplicate()).toString();
    }

    @Test
    void fs1_isAPullProducerWith16KiBChunksByDefault() {
        FileSender sender = new FileSender();
        assertThat(sender).isInstanceOf(PullProducer.class).isInstanceOf(Producer.class);
        assertThat(sender.chunkSize()).isEqualTo(16384);
        assertThatThrownBy(() -> new FileSender(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fs2_beginFileTransferRegistersTheSenderAsAPullProducer() {
        FileSender sender = new FileSender(16384, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(this.file, this.consumer);

        assertThat(this.consumer.producer()).isSameAs(sender);
        assertThat(this.consumer.isStreaming()).isFalse();
        assertThat(done).isNotDone();
    }

    @Test
    void fs4_twoResumesSendTheFileAndFinishWithTheLastByte() {
        FileSender sender = new FileSender(16384, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(this.file, this.consumer);

        sender.resumeProducing();
        assertThat(done).isNotDone();
        sender.resumeProducing();

        assertThat(this.consumer.producer()).isNull();
        assertThat(ascii(done.join())).isEqualTo("t");
        assertThat(received()).isEqualTo("Test content");
        assertThat(this.opener.allClosed()).isTrue();
    }

    @Test
    void fs4_smallChunksGrowTheOutputOneChunkPerResumeAndTheExtraResumeFinishes() {
        FileSender sender = new FileSender(4, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(this.file, this.consumer);

        sender.resumeProducing();
        assertThat(received()).isEqualTo("Test");
        sender.resumeProducing();
        assertThat(received()).isEqualTo("Test con");
        sender.resumeProducing();
        assertThat(received()).isEqualTo("Test content");
        assertThat(done).isNotDone();
        sender.resumeProducing();

        assertThat(ascii(done.join())).isEqualTo("t");
        assertThat(this.consumer.events()).containsExactly("register pull", "write", "write", "write", "unregister");
    }

    @Test
    void fs3_theTransformIsAppliedAndTheResultIsItsLastByte() {
        FileSender sender = new FileSender(16384, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(this.file, this.consumer, FileSenderTest::swapCase);

        sender.resumeProducing();
        sender.resumeProducing();

        assertThat(received()).isEqualTo("tEST CONTENT");
        assertThat(ascii(done.join())).isEqualTo("T");
    }

    private static ByteBuffer swapCase(ByteBuffer chunk) {
        ByteBuffer out = ByteBuffer.allocate(chunk.remaining());
        while (chunk.hasRemaining()) {
            char c = (char) chunk.get();
            out.put((byte) (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c)));
        }
        return out.flip();
    }

    @Test
    void fs5_stopProducingFailsTheFutureAndClosesTheFile() {
        FileSender sender = new FileSender(4, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(this.file, this.consumer);
        sender.resumeProducing();

        sender.stopProducing();

        assertThat(failureOf(done)).isInstanceOf(FileTransferStoppedException.class)
                .hasMessage("Consumer asked us to stop producing");
        assertThat(this.opener.allClosed()).isTrue();
    }

    @Test
    void fs5_stopIsTerminalAndASecondStopOrAStopAfterCompletionIsANoOp() {
        FileSender sender = new FileSender(4, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(this.file, this.consumer);
        sender.resumeProducing();
        sender.stopProducing();
        sender.stopProducing();

        sender.resumeProducing();
        sender.resumeProducing();

        assertThat(received()).isEqualTo("Test");
        assertThat(this.consumer.events()).doesNotContain("unregister");
        assertThat(failureOf(done)).isInstanceOf(FileTransferStoppedException.class);

        FileSender completed = new FileSender(16384, this.opener);
        RecordingConsumer<ByteBuffer> other = new RecordingConsumer<>();
        CompletableFuture<ByteBuffer> finished = completed.beginFileTransfer(this.file, other);
        completed.resumeProducing();
        completed.resumeProducing();
        completed.stopProducing();
        assertThat(ascii(finished.join())).isEqualTo("t");
        assertThat(completed.isFinished()).isTrue();
    }

    @Test
    void fs6_anEmptyFileCompletesWithAnEmptyBufferOnTheFirstResume() throws IOException {
        Path empty = Files.createFile(this.dir.resolve("empty"));
        FileSender sender = new FileSender(16384, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(empty, this.consumer);

        sender.resumeProducing();

        assertThat(done.join().remaining()).isZero();
        assertThat(this.consumer.written()).isEmpty();
        assertThat(this.consumer.producer()).isNull();
        assertThat(this.opener.allClosed()).isTrue();
    }

    @Test
    void fs7_aFileThatCannotBeOpenedFailsTheFutureWithoutRegistering() {
        FileSender sender = new FileSender(16384, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(this.dir.resolve("missing"), this.consumer);

        assertThat(failureOf(done)).isInstanceOf(NoSuchFileException.class);
        assertThat(this.consumer.events()).isEmpty();
        assertThat(this.opener.openedCount()).isZero();
    }

    @Test
    void fs7_aFileThatCannotBeReadFailsTheFutureUnregistersAndIsClosed() {
        FileSender sender = new FileSender(16384, this.opener);
        CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(this.dir, this.consumer); // a directory

        sender.resumeProducing();

        assertThat(failureOf(done)).isInstanceOf(IOException.class);
        assertThat(this.consumer.producer()).isNull();
        assertThat(this.opener.openedCount()).isEqualTo(1);
        assertThat(this.opener.allClosed()).isTrue();
    }

    @Test
    void fs7_aCallersChannelIsReadButNotClosed() throws IOException {
        try (ReadableByteChannel channel = Channels.newChannel(Files.newInputStream(this.file))) {
            FileSender sender = new FileSender(5);
            CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(channel, this.consumer);
            for (int i = 0; i < 4; i++) {
                sender.resumeProducing();
            }
            assertThat(received()).isEqualTo("Test content");
            assertThat(ascii(done.join())).isEqualTo("t");
            assertThat(channel.isOpen()).isTrue();
        }
    }

    @Test
    void fs7_aCallersFileChannelIsReadPositionallyFromItsPositionWhichDoesNotMove() throws IOException {
        try (FileChannel channel = FileChannel.open(this.file)) {
            channel.position(5);
            FileSender sender = new FileSender(16384);
            CompletableFuture<ByteBuffer> done = sender.beginFileTransfer(channel, this.consumer);
            sender.resumeProducing();
            sender.resumeProducing();

            assertThat(received()).isEqualTo("content");
            assertThat(done).isCompleted();
            assertThat(channel.position()).isEqualTo(5);
            assertThat(channel.isOpen()).isTrue();
        }
    }

    @Test
    void fs2_aSecondTransferOrARegistrationThatFailsIsRefusedAndClosesWhatWasOpened() {
        FileSender sender = new FileSender(16384, this.opener);
        sender.beginFileTransfer(this.file, this.consumer);
        assertThatThrownBy(() -> sender.beginFileTransfer(this.file, new RecordingConsumer<>()))
                .isInstanceOf(IllegalStateException.class);

        FileSender second = new FileSender(16384, this.opener);
        assertThatThrownBy(() -> second.beginFileTransfer(this.file, this.consumer)) // consumer is taken
                .isInstanceOf(IllegalStateException.class);
        assertThat(this.opener.openedCount()).isEqualTo(2);
        assertThat(second.isFinished()).isTrue();
        sender.stopProducing();
        assertThat(this.opener.allClosed()).isTrue();
    }
}
