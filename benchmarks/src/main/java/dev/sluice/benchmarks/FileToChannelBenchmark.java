package dev.sluice.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.Weigher;
import dev.sluice.file.FileSender;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 3, file to channel: a whole file read and written to a channel that discards what it is given. Score: whole
 * files per second; the report multiplies by the file size to give bytes per second.
 *
 * <ul>
 *   <li>{@code transferTo}: {@link FileChannel#transferTo} to the channel: the practical limit. The target is not a
 *       file or socket channel, so the JDK reads the file into its own buffer and writes that, as it must for any
 *       user channel.</li>
 *   <li>{@code inputStreamTransferTo}: {@link InputStream#transferTo} from {@link Files#newInputStream} to an
 *       {@link OutputStream} over the same channel (16 KiB reads on JDK 21+, 8 KiB on 17).</li>
 *   <li>{@code sluice}: {@link FileSender} (16 KiB chunks, a pull producer) into a {@link BufferedConsumer} with an
 *       inline drain and 64 KiB / 32 KiB water marks, whose sink writes each chunk to the channel.</li>
 * </ul>
 *
 * <p>Fair because all three read the same file, warm in the page cache after the first iteration, on the benchmark
 * thread, and write every byte to the same discarding channel, which does not copy. The file is made once per trial
 * in a temporary directory and deleted after it; {@code fileSizeMiB} is 1024 in full mode and smaller in quick mode.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(3)
@State(Scope.Thread)
public class FileToChannelBenchmark {

    /** The file's size in MiB. */
    @Param({"1024"})
    public int fileSizeMiB;

    private Path directory;

    private Path file;

    private DiscardingChannel channel;

    private OutputStream channelStream;

    @Setup
    public void setUp() throws IOException {
        this.directory = Files.createTempDirectory("sluice-bench");
        this.file = this.directory.resolve("data.bin");
        ByteBuffer block = Chunks.chunk(1024 * 1024);
        try (FileChannel out = FileChannel.open(this.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < this.fileSizeMiB; i++) {
                block.clear();
                while (block.hasRemaining()) {
                    out.write(block);
                }
            }
        }
        this.channel = new DiscardingChannel();
        this.channelStream = Channels.newOutputStream(this.channel);
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(this.file);
        Files.deleteIfExists(this.directory);
    }

    private long expectedBytes() {
        return (long) this.fileSizeMiB * 1024 * 1024;
    }

    private void check(long sent) {
        if (sent != expectedBytes()) {
            throw new IllegalStateException("sent " + sent + " bytes of " + expectedBytes());
        }
    }

    @Benchmark
    public long transferTo() throws IOException {
        long before = this.channel.bytes;
        try (FileChannel in = FileChannel.open(this.file, StandardOpenOption.READ)) {
            long size = in.size();
            long position = 0;
            while (position < size) {
                position += in.transferTo(position, size - position, this.channel);
            }
        }
        check(this.channel.bytes - before);
        return this.channel.bytes;
    }

    @Benchmark
    public long inputStreamTransferTo() throws IOException {
        long before = this.channel.bytes;
        try (InputStream in = Files.newInputStream(this.file)) {
            in.transferTo(this.channelStream);
        }
        check(this.channel.bytes - before);
        return this.channel.bytes;
    }

    @Benchmark
    public long sluice() {
        long before = this.channel.bytes;
        DiscardingChannel target = this.channel;
        Sink<ByteBuffer> sink = chunk -> {
            target.write(chunk);
            return true;
        };
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(sink)
                .name("file")
                .weigher(Weigher.bytes())
                .build();
        new FileSender().beginFileTransfer(this.file, consumer).join();
        check(this.channel.bytes - before);
        return this.channel.bytes;
    }

    /** A channel that counts what it is given and drops it, without copying. */
    static final class DiscardingChannel implements WritableByteChannel {

        long bytes;

        @Override
        public int write(ByteBuffer source) {
            int count = source.remaining();
            source.position(source.limit());
            this.bytes += count;
            return count;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
