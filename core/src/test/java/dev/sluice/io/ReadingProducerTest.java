package dev.sluice.io;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.SlowDrain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/** {@link ReadingProducer} under a slow sink: the source is read no faster than the sink takes the bytes. */
class ReadingProducerTest {

    private static final int CHUNK = 1024;

    private final RecordingSink<ByteBuffer> sink = RecordingSink.limited();

    private final BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(this.sink)
        .name("reader")
        .weigher(Weigher.bytes())
        .waterMarks(WaterMarks.ofHigh(4 * CHUNK))
        .build();

    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    @Test
    void inputStream_slowSink_everyByteInOrder_oneChunkBufferedAtMost_closedAtTheEnd() {
        byte[] data = randomBytes(300 * CHUNK + 17);
        AtomicBoolean streamClosed = new AtomicBoolean();
        InputStream in = new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public void close() throws IOException {
                streamClosed.set(true);
                super.close();
            }
        };
        ReadingProducer producer = ReadingProducer.of(in, this.consumer, CHUNK).start();
        this.consumer.loseConnection();

        long deepest = SlowDrain.untilClosed(this.consumer, this.sink, 333);

        assertThat(this.sink.bytes()).isEqualTo(data);
        assertThat(deepest).isLessThanOrEqualTo(CHUNK); // a pull producer is asked again only when the buffer is empty
        assertThat(streamClosed).isTrue();
        assertThat(producer.whenDone()).isCompleted();
        assertThat(this.sink.isClosed()).isTrue();
        assertThat(this.consumer.producer()).isNull();
    }

    @Test
    void fileChannel_slowSink_everyByteInOrder(@TempDir Path dir) throws IOException {
        byte[] data = randomBytes(100 * CHUNK + 5);
        Path file = Files.write(dir.resolve("data.bin"), data);
        FileChannel channel = FileChannel.open(file);
        ReadingProducer.of(channel, this.consumer, CHUNK).start();
        this.consumer.loseConnection();

        long deepest = SlowDrain.untilClosed(this.consumer, this.sink, CHUNK / 3);

        assertThat(this.sink.bytes()).isEqualTo(data);
        assertThat(deepest).isLessThanOrEqualTo(CHUNK);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aFailingReadReachesTheConsumerAsItsFailure_andClosesTheSource() {
        IOException broken = new IOException("disk on fire");
        AtomicBoolean streamClosed = new AtomicBoolean();
        InputStream in = new InputStream() {
            private int left = 3 * CHUNK;

            @Override
            public int read() throws IOException {
                if (this.left-- == 0) {
                    throw broken;
                }
                return 'x';
            }

            @Override
            public void close() {
                streamClosed.set(true);
            }
        };
        ReadingProducer producer = ReadingProducer.of(in, this.consumer, CHUNK).start();
        this.consumer.loseConnection();

        SlowDrain.untilClosed(this.consumer, this.sink, CHUNK);

        Throwable closed = catchThrowable(() -> this.consumer.whenClosed().join());
        assertThat(closed).isInstanceOf(CompletionException.class).cause().isInstanceOf(UncheckedIOException.class)
            .cause().isSameAs(broken);
        assertThat(catchThrowable(() -> producer.whenDone().join())).cause().isSameAs(broken);
        assertThat(this.sink.bytes()).hasSize(3 * CHUNK); // everything read before the failure was delivered
        assertThat(streamClosed).isTrue();
    }

    @Test
    void anAbortedConsumerStopsTheReading_andClosesTheSource() throws IOException {
        Pipe pipe = Pipe.open(); // a source that never ends by itself
        pipe.sink().write(ByteBuffer.wrap(randomBytes(10)));
        ReadingProducer producer = ReadingProducer.of(pipe.source(), this.consumer, CHUNK).start();

        this.consumer.abortConnection();

        assertThat(pipe.source().isOpen()).isFalse();
        assertThat(catchThrowable(() -> producer.whenDone().join())).cause().isInstanceOf(CancellationException.class);
        pipe.sink().close();
    }

    @Test
    void aNonBlockingChannelIsRefused() throws IOException {
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);

        assertThatIllegalArgumentException().isThrownBy(() -> ReadingProducer.of(pipe.source(), this.consumer, CHUNK))
            .withMessageContaining("non-blocking");
        pipe.source().close();
        pipe.sink().close();
    }
}
