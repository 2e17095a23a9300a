package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FileRegionProducerTest {

    private static final int CHUNK = 1024;

    @TempDir
    Path dir;

    /** Any exception of the read executor, not only a rejection, fails the transfer and closes the file. */
    @Test
    void anExecutorThatThrowsAnythingFailsTheTransfer() throws Exception {
        Path file = file("a.bin", 10 * CHUNK);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        Executor broken = task -> {
            throw new IllegalStateException("the read pool is broken");
        };
        CompletableFuture<Void> transfer = producer(file, channel, 10 * CHUNK, broken, RecordingSink.accepting())
            .start();

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> transfer.get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(IllegalStateException.class)
            .withMessageContaining("the read pool is broken");
        assertThat(channel.isOpen()).isFalse();
    }

    /** Bytes appended after the transfer started are not sent, and do not fail it. */
    @Test
    void aFileThatGrowsIsSentAtItsStartingSize() throws Exception {
        Path file = file("log.txt", 8 * CHUNK);
        byte[] before = Files.readAllBytes(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        RecordingSink<ByteBuffer> sink = RecordingSink.accepting();
        Files.write(file, new byte[3 * CHUNK], StandardOpenOption.APPEND);

        producer(file, channel, 8 * CHUNK, Runnable::run, sink).start().get(10, TimeUnit.SECONDS);

        assertThat(sink.bytes()).isEqualTo(before);
    }

    /** A file that shrinks fails the transfer, and its last chunk is never written. */
    @Test
    void aFileThatShrinksFailsBeforeItsEnd() throws Exception {
        Path file = file("short.bin", 8 * CHUNK);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        RecordingSink<ByteBuffer> sink = RecordingSink.accepting();
        try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writer.truncate(8 * CHUNK - 1);
        }

        CompletableFuture<Void> transfer = producer(file, channel, 8 * CHUNK, Runnable::run, sink).start();

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> transfer.get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(FileChangedException.class);
        assertThat(sink.bytes().length).isLessThan(8 * CHUNK);
    }

    /**
     * A sink's advice (a Tomcat client that keeps up is advised the container's write size) sizes the reads as far as
     * the consumer's high-water mark plus one chunk allows; without advice, a paused client's reads stay one chunk.
     */
    @Test
    void readsFollowTheSinksAdviceWithinTheBufferBound() throws Exception {
        Path file = file("advised.bin", 16 * CHUNK);
        RecordingSink<ByteBuffer> advisedSink = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> advisedConsumer = consumer(advisedSink);
        FileChannel advised = FileChannel.open(file, StandardOpenOption.READ);
        CompletableFuture<Void> advisedTransfer = new FileRegionProducer(file, advised, advised.size(),
                List.of(FileRegionProducer.Segment.region(0, 16 * CHUNK)), CHUNK, new ChunkPool(4, CHUNK),
                Runnable::run, advisedConsumer, () -> 3 * CHUNK).start();
        RecordingSink<ByteBuffer> plainSink = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> plainConsumer = consumer(plainSink);
        FileChannel plain = FileChannel.open(file, StandardOpenOption.READ);
        CompletableFuture<Void> plainTransfer = new FileRegionProducer(file, plain, plain.size(), 0, 16 * CHUNK, CHUNK,
                new ChunkPool(4, CHUNK), Runnable::run, plainConsumer).start();

        advisedSink.grant(Long.MAX_VALUE);
        advisedConsumer.drain();
        plainSink.grant(Long.MAX_VALUE);
        plainConsumer.drain();
        advisedTransfer.get(10, TimeUnit.SECONDS);
        plainTransfer.get(10, TimeUnit.SECONDS);

        // 3 chunks, then the 2 that fill the bound of 4 + 1 chunks: the consumer pauses the producer there
        assertThat(advisedSink.items().subList(0, 2)).extracting(ByteBuffer::limit).containsExactly(3 * CHUNK,
                2 * CHUNK);
        assertThat(plainSink.items().subList(0, 4)).extracting(ByteBuffer::limit).containsOnly(CHUNK);
        assertThat(advisedSink.bytes()).isEqualTo(Files.readAllBytes(file));
        assertThat(plainSink.bytes()).isEqualTo(Files.readAllBytes(file));
    }

    /** Literal segments and file regions are sent in order, byte for byte. */
    @Test
    void segmentsAreSentInOrder() throws Exception {
        Path file = file("parts.bin", 8 * CHUNK);
        byte[] content = Files.readAllBytes(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        RecordingSink<ByteBuffer> sink = RecordingSink.accepting();

        producer(file, channel, List.of(FileRegionProducer.Segment.literal("<".getBytes(StandardCharsets.US_ASCII)),
                FileRegionProducer.Segment.region(10, 3000),
                FileRegionProducer.Segment.literal(">".getBytes(StandardCharsets.US_ASCII)),
                FileRegionProducer.Segment.region(5000, 5001)), Runnable::run, sink).start().get(10, TimeUnit.SECONDS);

        byte[] expected = concat("<".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(content, 10, 3000),
                ">".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(content, 5000, 5001));
        assertThat(sink.bytes()).isEqualTo(expected);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private FileRegionProducer producer(Path file, FileChannel channel, List<FileRegionProducer.Segment> segments,
            Executor reads, RecordingSink<ByteBuffer> sink) throws IOException {
        return new FileRegionProducer(file, channel, channel.size(), segments, CHUNK, new ChunkPool(4, CHUNK), reads,
                consumer(sink));
    }

    /** The bytes {@code [0, to)}, with the size the file had when it was opened. */
    private FileRegionProducer producer(Path file, FileChannel channel, long to, Executor reads,
            RecordingSink<ByteBuffer> sink) throws IOException {
        return new FileRegionProducer(file, channel, to, 0, to, CHUNK, new ChunkPool(4, CHUNK), reads, consumer(sink));
    }

    private static BufferedConsumer<ByteBuffer> consumer(RecordingSink<ByteBuffer> sink) {
        return BufferedConsumer.builder(sink)
            .name("test")
            .weigher(Weigher.bytes())
            .waterMarks(new WaterMarks(4 * CHUNK, 2 * CHUNK))
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
