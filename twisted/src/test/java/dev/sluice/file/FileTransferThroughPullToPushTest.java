package dev.sluice.file;

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
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.MeasuringConsumer;
import dev.sluice.testing.SlowDigestSink;
import dev.sluice.twisted.task.Cooperator;
import dev.sluice.twisted.task.PullToPush;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * core's {@code FileTransferIntegrationTest} driven through {@link PullToPush} on a real cooperator: a file of several
 * MiB from {@link FileSender} into a {@link BufferedConsumer} whose slow sink runs on other threads arrives intact, the
 * buffer stays within one chunk of its bound, and the file is closed, also when the peer disconnects half-way. It sits
 * in {@code dev.sluice.file} to use the sender's package-private file opener, through core's {@code TrackingOpener}.
 */
class FileTransferThroughPullToPushTest {

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

    @Test
    void aTransferDrivenThroughPullToPushDeliversIdenticalBytesWithinOneChunkOfTheBound() {
        SlowDigestSink sink = new SlowDigestSink(3000, this.network, Long.MAX_VALUE);
        BufferedConsumer<ByteBuffer> consumer = consumerOver(sink);
        try (Cooperator cooperator = Cooperator.create()) {
            CompletableFuture<ByteBuffer> done = new FileSender(CHUNK, this.opener).beginFileTransfer(this.file,
                    PullToPush.consumer(new MeasuringConsumer(consumer, this.maxDepth), cooperator));

            assertThat(consumer.producer()).isInstanceOf(PullToPush.class);
            assertThat(consumer.isStreamingProducer()).isTrue();
            assertThat(done).succeedsWithin(Duration.ofSeconds(30));
            consumer.loseConnection();
            assertThat(consumer.whenClosed()).succeedsWithin(Duration.ofSeconds(30));
        }
        assertThat(sink.sha256()).isEqualTo(this.expectedSha256);
        assertThat(consumer.producer()).isNull();
        assertThat(this.maxDepth.get()).isPositive().isLessThanOrEqualTo(MARKS.high() + CHUNK);
        assertThat(this.opener.allClosed()).isTrue();
    }

    @Test
    void aPeerThatDisconnectsHalfWayStopsTheStreamAndTheFileIsClosed() {
        SlowDigestSink sink = new SlowDigestSink(3000, this.network, SIZE / 2);
        BufferedConsumer<ByteBuffer> consumer = consumerOver(sink);
        try (Cooperator cooperator = Cooperator.create()) {
            CompletableFuture<ByteBuffer> done = new FileSender(CHUNK, this.opener)
                    .beginFileTransfer(this.file, PullToPush.consumer(consumer, cooperator));

            await().atMost(Duration.ofSeconds(30)).until(done::isDone);
            assertThat(failureOf(done)).isInstanceOf(FileTransferStoppedException.class);
        }
        assertThat(this.opener.allClosed()).isTrue();
    }
}
