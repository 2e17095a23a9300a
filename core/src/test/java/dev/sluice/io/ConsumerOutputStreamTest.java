package dev.sluice.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingConsumer;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.SlowDrain;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** {@link ConsumerOutputStream}, the blocking adapter (DESIGN §4.5): writes wait while the consumer's buffer is full. */
class ConsumerOutputStreamTest {

    private static final int CHUNK = 100;

    private static final int HIGH = 1_000;

    private final RecordingSink<ByteBuffer> sink = RecordingSink.limited();

    private final BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(this.sink)
        .name("stream")
        .weigher(Weigher.bytes())
        .waterMarks(WaterMarks.ofHigh(HIGH))
        .build();

    private final ConsumerOutputStream out = ConsumerOutputStream.into(this.consumer, CHUNK);

    @Test
    void aWriterThreadBlocksWhileTheBufferIsFull_memoryStaysBounded_everyByteArrivesInOrder() throws Exception {
        byte[] data = ReadingProducerTest.randomBytes(200_000);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int at = 0; at < data.length; at += 777) {
                    this.out.write(data, at, Math.min(777, data.length - at));
                }
                this.out.close();
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });

        long deepest = SlowDrain.untilClosed(this.consumer, this.sink, 50);

        writer.get(10, TimeUnit.SECONDS);
        assertThat(this.sink.bytes()).isEqualTo(data);
        assertThat(deepest).isLessThanOrEqualTo(HIGH + CHUNK);
        assertThat(this.sink.isClosed()).isTrue();
    }

    @Test
    void aWriteWaitsForTheResume() throws Exception {
        this.out.write(new byte[HIGH + 1]); // takes the buffer over the mark: the stream is paused
        assertThat(this.consumer.isProducerPaused()).isTrue();

        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                this.out.write(new byte[] {1, 2, 3});
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !blocked.isDone());

        this.sink.grant(HIGH + 1);
        this.consumer.drain();

        blocked.get(10, TimeUnit.SECONDS);
        assertThat(this.consumer.bufferedUnits()).isEqualTo(3);
    }

    @Test
    void anInterruptedWriteThrowsInterruptedIOException_andKeepsTheInterruptStatus() throws IOException {
        this.out.write(new byte[HIGH + 1]);

        Thread.currentThread().interrupt();
        InterruptedIOException thrown = catchInterrupted(() -> this.out.write(new byte[10]));

        assertThat(Thread.interrupted()).isTrue(); // and clears it for the next test
        assertThat(thrown.bytesTransferred).isZero();
        assertThat(thrown).hasMessageContaining("paused");
    }

    @Test
    void closeLetsTheConsumerCloseOnceDrained_andLaterWritesThrow() throws IOException {
        this.out.write(new byte[] {1, 2});
        this.out.close();
        this.out.close();
        assertThat(this.consumer.producer()).isNull();
        assertThat(this.sink.isClosed()).isFalse();

        this.sink.grant(2);
        this.consumer.drain();

        assertThat(this.sink.isClosed()).isTrue();
        assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.out.write(1)).withMessageContaining("closed");
    }

    @Test
    void aFailingSinkWakesTheBlockedWriterWithAnIOException() throws Exception {
        this.out.write(new byte[HIGH + 1]);
        AtomicLong attempts = new AtomicLong();
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                attempts.incrementAndGet();
                this.out.write(new byte[] {1});
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() == 1);

        this.sink.failNextOffer(new IOException("peer reset"));
        this.consumer.drain();

        Throwable failure = catchThrowable(() -> blocked.get(10, TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class).cause().cause().isInstanceOf(IOException.class)
            .hasMessageContaining("has gone");
        assertThat(catchThrowable(() -> this.consumer.whenClosed().join())).cause().hasMessage("peer reset");
    }

    @Test
    void closeFromAnotherThreadWakesTheBlockedWriterWithAClosedStreamException() throws Exception {
        this.out.write(new byte[HIGH + 1]);
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                this.out.write(new byte[] {1});
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !blocked.isDone());

        this.out.close();

        Throwable failure = catchThrowable(() -> blocked.get(10, TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class).cause().cause().isInstanceOf(IOException.class)
            .hasMessageContaining("closed");
    }

    @Test
    void aFalseAloneMakesTheNextWriteWait_untilTheResume() throws Exception {
        RecordingConsumer<ByteBuffer> refusing = new RecordingConsumer<>() { // never calls pauseProducing
            @Override
            public boolean write(ByteBuffer data) {
                super.write(data);
                return false;
            }
        };
        ConsumerOutputStream stream = ConsumerOutputStream.into(refusing, CHUNK);
        stream.write(new byte[CHUNK]);

        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                stream.write(new byte[] {1});
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !blocked.isDone());
        assertThat(refusing.written()).hasSize(1);

        stream.resumeProducing();

        blocked.get(10, TimeUnit.SECONDS);
        assertThat(refusing.written()).hasSize(2);
    }

    private static InterruptedIOException catchInterrupted(ThrowingRunnable action) {
        try {
            action.run();
        }
        catch (InterruptedIOException ex) {
            return ex;
        }
        catch (IOException ex) {
            throw new AssertionError("expected an InterruptedIOException", ex);
        }
        throw new AssertionError("expected an InterruptedIOException, nothing was thrown");
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws IOException;
    }
}
