package dev.sluice.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAccumulator;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.MeasuringConsumer;
import dev.sluice.testing.SlowDigestSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real file of several MiB through {@link FileSender} into a {@link BufferedConsumer} whose slow sink runs on other
 * threads: the bytes arrive intact, the buffer stays bounded, and every file handle is closed, also when the peer
 * disconnects half-way. (The same transfers driven through {@code PullToPush} are in {@code sluice-twisted}.)
 */
class FileTransferIntegrationTest {

    private static final int SIZE = 5 * 1024 * 1024 + 123;

    private static final int CHUNK = FileSender.DEFAULT_CHUNK_SIZE;

    private static final WaterMarks MARKS = new WaterMarks(64 * 1024, 32 * 1024);

    @TempDir
    Path dir;

    private Path file;

    private byte[] expectedSha256;

    private final ExecutorService drainThread = Executors.newSingleThreadExecutor();

    private final ExecutorService network = Executors.newSingleThreadExecutor();

    private final TrackingOpener opener = new TrackingOpener();

    private final LongAccumulator maxDepth = new LongAccumulator(Math::max, 0);

    @BeforeEach
    void writeFile() throws Exception {
        byte[] content = new byte[SIZE];
        new Random(42).nextBytes(content);
        this.file = Files.write(this.dir.resolve("big.bin"), content);
        this.expectedSha256 = MessageDigest.getInstance("SHA-256").digest(content);
    }

    @AfterEach
    void stopThreads() {
        this.drainThread.shutdownNow();
        this.network.shutdownNow();
    }

    private BufferedConsumer<ByteBuffer> consumerOver(SlowDigestSink sink) {
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(sink).name("slow-peer")
                .weigher(Weigher.bytes()).waterMarks(MARKS).drainOn(this.drainThread).build();
        sink.attach(consumer);
        return consumer;
    }

    /** Passes everything on and records the deepest buffer seen right after a write. */
    private Consumer<ByteBuffer> measuring(BufferedConsumer<ByteBuffer> target) {
        return new MeasuringConsumer(target, this.maxDepth);
    }

    @Test
    void aPullTransferDeliversIdenticalBytesWithTheBufferNeverMoreThanOneChunkOverItsBound() throws IOException {
        SlowDigestSink sink = new SlowDigestSink(3000, this.network, Long.MAX_VALUE);
        BufferedConsumer<ByteBuffer> consumer = consumerOver(sink);

        CompletableFuture<ByteBuffer> done = new FileSender(CHUNK, this.opener)
                .beginFileTransfer(this.file, measuring(consumer));

        assertThat(done).succeedsWithin(Duration.ofSeconds(30));
        consumer.loseConnection();
        assertThat(consumer.whenClosed()).succeedsWithin(Duration.ofSeconds(30));
        assertThat(sink.taken()).isEqualTo(SIZE);
        assertThat(sink.sha256()).isEqualTo(this.expectedSha256);
        assertThat(sink.isClosed()).isTrue();
        assertThat(this.maxDepth.get()).isPositive().isLessThanOrEqualTo(MARKS.high() + CHUNK);
        assertThat(done.join().get(0)).isEqualTo(Files.readAllBytes(this.file)[SIZE - 1]);
        assertThat(this.opener.openedCount()).isEqualTo(1);
        assertThat(this.opener.allClosed()).isTrue();
    }

    @Test
    void aPeerThatDisconnectsHalfWayStopsTheSenderAndTheFileIsClosed() {
        SlowDigestSink sink = new SlowDigestSink(3000, this.network, SIZE / 2);
        BufferedConsumer<ByteBuffer> consumer = consumerOver(sink);

        CompletableFuture<ByteBuffer> done = new FileSender(CHUNK, this.opener)
                .beginFileTransfer(this.file, measuring(consumer));

        await().atMost(Duration.ofSeconds(30)).until(done::isDone);
        assertThat(failureOf(done)).isInstanceOf(FileTransferStoppedException.class);
        assertThat(failureOf(consumer.whenClosed())).isInstanceOf(IOException.class)
                .hasMessage("connection reset by peer");
        assertThat(sink.taken()).isGreaterThanOrEqualTo(SIZE / 2).isLessThan(SIZE);
        assertThat(this.opener.allClosed()).isTrue();
        assertThat(consumer.producer()).isNull();
    }

    @Test
    void aFileThatCannotBeReadClosesItsHandleAndLeavesTheConsumerFree() {
        SlowDigestSink sink = new SlowDigestSink(3000, this.network, Long.MAX_VALUE);
        BufferedConsumer<ByteBuffer> consumer = consumerOver(sink);

        CompletableFuture<ByteBuffer> done = new FileSender(CHUNK, this.opener).beginFileTransfer(this.dir, consumer);

        await().atMost(Duration.ofSeconds(10)).until(done::isDone);
        assertThat(failureOf(done)).isInstanceOf(IOException.class);
        assertThat(this.opener.allClosed()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.producer() == null);
    }
}
