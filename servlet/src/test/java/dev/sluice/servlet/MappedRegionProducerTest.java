package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.file.FileTransferStoppedException;
import dev.sluice.testing.RecordingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MappedRegionProducerTest {

    private static final int SLICE = MappedRegionProducer.SLICE_BYTES;

    @TempDir
    Path dir;

    /** Direct (mapped) slices of the region, byte-exact, a short tail merged into the last slice. */
    @Test
    void aRegionIsWrittenAsMappedSlicesWithNoShortTail() throws Exception {
        int size = 2 * SLICE + 10_000;
        Path file = file("a.bin", size);
        RecordingSink<ByteBuffer> sink = RecordingSink.accepting();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);

        new MappedRegionProducer(file, channel, size, 0, size, Runnable::run, consumer(sink)).start()
            .get(10, TimeUnit.SECONDS);

        assertThat(sink.items()).allMatch(ByteBuffer::isDirect);
        assertThat(sink.items()).extracting(ByteBuffer::capacity).containsExactly(SLICE, SLICE + 10_000);
        assertThat(sink.bytes()).isEqualTo(Files.readAllBytes(file));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRangeIsWrittenByteForByte() throws Exception {
        Path file = file("b.bin", SLICE + 300_000);
        RecordingSink<ByteBuffer> sink = RecordingSink.accepting();

        new MappedRegionProducer(file, FileChannel.open(file), SLICE + 300_000, 1000, 200_000, Runnable::run,
                consumer(sink)).start().get(10, TimeUnit.SECONDS);

        assertThat(sink.bytes()).isEqualTo(Arrays.copyOfRange(Files.readAllBytes(file), 1000, 200_000));
    }

    /** A file smaller than announced is not mapped: the transfer fails before writing anything. */
    @Test
    void aFileThatShrankFailsBeforeASliceIsMapped() throws Exception {
        Path file = file("c.bin", 200_000);
        FileChannel channel = FileChannel.open(file);
        try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writer.truncate(100_000);
        }
        RecordingSink<ByteBuffer> sink = RecordingSink.accepting();

        CompletableFuture<Void> transfer = new MappedRegionProducer(file, channel, 200_000, 0, 200_000, Runnable::run,
                consumer(sink)).start();

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> transfer.get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(FileChangedException.class);
        assertThat(sink.bytes()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    /** Stopped after the file shrank (a socket write from its mapping failed): a FileChangedException, not a stop. */
    @Test
    void aStopAfterTheFileShrankIsAFileChange() throws Exception {
        int size = 2 * SLICE;
        Path file = file("d.bin", size);
        MappedRegionProducer producer = new MappedRegionProducer(file, FileChannel.open(file), size, 0, size,
                Runnable::run, consumer(RecordingSink.limited()));
        CompletableFuture<Void> transfer = producer.start(); // one slice waits in the consumer: paused
        try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writer.truncate(SLICE / 2);
        }

        producer.stopProducing();

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> transfer.get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(FileChangedException.class);
    }

    @Test
    void aStopOfAnIntactFileIsAStop() throws Exception {
        int size = 2 * SLICE;
        Path file = file("e.bin", size);
        MappedRegionProducer producer = new MappedRegionProducer(file, FileChannel.open(file), size, 0, size,
                Runnable::run, consumer(RecordingSink.limited()));
        CompletableFuture<Void> transfer = producer.start();

        producer.stopProducing();

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> transfer.get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(FileTransferStoppedException.class);
    }

    @Test
    void anExecutorThatThrowsFailsTheTransferAndClosesTheFile() throws Exception {
        Path file = file("f.bin", 100_000);
        FileChannel channel = FileChannel.open(file);
        Executor broken = task -> {
            throw new IllegalStateException("the pool is broken");
        };

        CompletableFuture<Void> transfer = new MappedRegionProducer(file, channel, 100_000, 0, 100_000, broken,
                consumer(RecordingSink.accepting())).start();

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> transfer.get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(IllegalStateException.class);
        assertThat(channel.isOpen()).isFalse();
    }

    private static BufferedConsumer<ByteBuffer> consumer(RecordingSink<ByteBuffer> sink) {
        return BufferedConsumer.builder(sink)
            .name("test")
            .weigher(Weigher.bytes())
            .waterMarks(new WaterMarks(16 * 1024, 8 * 1024))
            .build();
    }

    private Path file(String name, int size) throws IOException {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = (byte) (i * 31 + (i >>> 8));
        }
        return Files.write(this.dir.resolve(name), content);
    }
}
