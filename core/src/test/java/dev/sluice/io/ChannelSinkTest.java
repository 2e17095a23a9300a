package dev.sluice.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingPushProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link ChannelSink} on a blocking stream and on a non-blocking {@link Pipe} whose reader thread is slowed by a
 * semaphore the test controls, and calls {@link BufferedConsumer#drain()} after each read, as a selector would on
 * {@code OP_WRITE}.
 */
class ChannelSinkTest {

    private static final int HIGH = 8 * 1024;

    private final Pipe pipe = openPipe();

    @AfterEach
    void closePipe() throws IOException {
        this.pipe.sink().close();
        this.pipe.source().close();
    }

    private static Pipe openPipe() {
        try {
            return Pipe.open();
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private BufferedConsumer<ByteBuffer> consumerOf(ChannelSink sink) {
        return BufferedConsumer.builder(sink).name("channel").weigher(Weigher.bytes())
            .waterMarks(WaterMarks.ofHigh(HIGH)).build();
    }

    @Test
    void outputStream_everyByteInOrder_closedWithTheConsumer() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BufferedConsumer<ByteBuffer> consumer = consumerOf(ChannelSink.of(out));
        byte[] data = ReadingProducerTest.randomBytes(50_000);

        ReadingProducer.of(new java.io.ByteArrayInputStream(data), consumer, 4096).start();
        consumer.loseConnection();

        assertThat(out.toByteArray()).isEqualTo(data);
        assertThat(consumer.whenClosed()).isCompleted();
    }

    @Test
    void nonBlockingPipe_slowReader_memoryBounded_everyByteInOrder() throws Exception {
        this.pipe.sink().configureBlocking(false);
        BufferedConsumer<ByteBuffer> consumer = consumerOf(ChannelSink.of(this.pipe.sink()));
        byte[] data = ReadingProducerTest.randomBytes(1_000_000);
        Semaphore readCredit = new Semaphore(0);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        // its own threads: with 2 cores the common pool has one worker, which the blocked reader would keep
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readSlowly(consumer, readCredit, received),
                threads);
        ConsumerOutputStream out = ConsumerOutputStream.into(consumer, 1024);
        AtomicLong deepest = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int at = 0; at < data.length; at += 3000) {
                    out.write(data, at, Math.min(3000, data.length - at));
                    deepest.accumulateAndGet(consumer.bufferedUnits(), Math::max);
                }
                out.close();
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }, threads);

        while (!reader.isDone()) {
            if (readCredit.availablePermits() == 0) {
                readCredit.release(); // one read of at most 4 KiB per credit
            }
            Thread.onSpinWait();
        }
        threads.shutdown();

        reader.get(10, TimeUnit.SECONDS);
        writer.get(10, TimeUnit.SECONDS);
        assertThat(received.toByteArray()).isEqualTo(data);
        assertThat(deepest.get()).isLessThanOrEqualTo(HIGH + 1024);
        assertThat(consumer.whenClosed()).isCompleted();
        assertThat(this.pipe.sink().isOpen()).isFalse();
    }

    private void readSlowly(BufferedConsumer<ByteBuffer> consumer, Semaphore credit, ByteArrayOutputStream received) {
        ByteBuffer chunk = ByteBuffer.allocate(4096);
        try {
            for (;;) {
                credit.acquire();
                chunk.clear();
                int read = this.pipe.source().read(chunk);
                if (read < 0) {
                    return;
                }
                received.write(chunk.array(), 0, read);
                consumer.drain(); // the pipe has room again
            }
        }
        catch (IOException | InterruptedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void aClosedPipeFailsTheConsumer_andStopsItsProducer() throws IOException {
        this.pipe.sink().configureBlocking(false);
        BufferedConsumer<ByteBuffer> consumer = consumerOf(ChannelSink.of(this.pipe.sink()));
        RecordingPushProducer producer = new RecordingPushProducer();
        consumer.registerProducer(producer, true);
        this.pipe.source().close(); // the reader has gone

        consumer.write(ByteBuffer.wrap(new byte[100]));

        assertThat(catchThrowable(() -> consumer.whenClosed().join())).cause().isInstanceOf(IOException.class);
        assertThat(producer.events()).containsExactly("stop");
    }
}
