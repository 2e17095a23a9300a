package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.sluice.BufferView;
import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.twisted.testing.ResumeCounter;
import dev.sluice.twisted.web2.ProducerToStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The v2 write contract (DESIGN §2, §4.5): {@code boolean write} and {@code isWritable()}, and the memory bound for
 * producers that honour {@code false}, including issue 11 item 5 ({@code ProducerStream} with three writers).
 *
 * <p>Needs core v2's API; it lives in {@code src/test/java-v2} until that lands, then moves to {@code src/test/java}.
 */
class BooleanWriteContractTest {

    private static final int CHUNK = 256;

    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "v2-contract-" + System.nanoTime());
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void writeAnswersFalseAboveTheHighMarkAndTrueAgainOnceDrainedToTheLowMark() {
        AtomicBoolean sinkOpen = new AtomicBoolean();
        BufferedConsumer<Object> consumer = BufferedConsumer.builder(item -> sinkOpen.get())
            .weigher(Weigher.items()).waterMarks(new WaterMarks(2, 1)).build();

        assertThat(consumer.isWritable()).isTrue();
        assertThat(consumer.write("a")).as("depth 1 <= high 2").isTrue();
        assertThat(consumer.write("b")).as("depth 2 <= high 2").isTrue();
        assertThat(consumer.write("c")).as("depth 3 > high 2: the crossing write").isFalse();
        assertThat(consumer.isWritable()).isFalse();
        assertThat(consumer.write("d")).as("still above the mark").isFalse();

        sinkOpen.set(true);
        consumer.drain();

        assertThat(consumer.isWritable()).isTrue();
        assertThat(consumer.write("e")).isTrue();
    }

    @Test
    void writeAnswersFalseWhileAnOperatorHoldsTheProducer() {
        BufferedConsumer<Object> consumer = BufferedConsumer.builder(item -> true).weigher(Weigher.items()).build();
        consumer.holdProducer();

        assertThat(consumer.write("a")).as("held: the consumer wants its producer paused").isFalse();
        assertThat(consumer.isWritable()).isFalse();

        consumer.releaseProducer();
        assertThat(consumer.write("b")).isTrue();
    }

    @Test
    void sixteenWritersThatHonourFalseStayWithinHighPlusOneChunkEach() throws Exception {
        int writers = 16;
        long high = 4 * 1024;
        ExecutorService drainThread = Executors.newSingleThreadExecutor();
        try {
            BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.<ByteBuffer>builder(item -> {
                item.position(item.limit());
                return true;
            }).weigher(Weigher.bytes()).waterMarks(new WaterMarks(high, high / 2)).drainOn(drainThread).build();
            ResumeCounter producer = new ResumeCounter();
            consumer.registerProducer(producer, true);

            long peak = honouringWriters(writers, 20_000, consumer::write, consumer, producer);

            assertThat(peak).as("peak buffered bytes, high %d, %d writers of %d-byte chunks", high, writers, CHUNK)
                .isLessThanOrEqualTo(high + (long) writers * CHUNK);
        }
        finally {
            drainThread.shutdownNow();
        }
    }

    @Test
    void item5_producerStreamWithThreeWritersThatHonourFalseStaysWithinHighPlusOneChunkEach() throws Exception {
        long high = 4 * 1024;
        ProducerToStream stream = new ProducerToStream("three-writers", OptionalLong.empty(), new WaterMarks(high, high / 2));
        ResumeCounter producer = new ResumeCounter();
        stream.registerProducer(producer, true);
        AtomicBoolean reading = new AtomicBoolean(true);
        Future<?> reader = this.threads.submit(() -> {
            while (reading.get()) {
                stream.read().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            return null;
        });

        long peak = honouringWriters(3, 50_000, stream::write, stream, producer);
        reading.set(false);
        stream.finish();
        reader.get(10, TimeUnit.SECONDS);

        // these writers count resumes: one that read the count just before a resume of an earlier pause arrived takes
        // that resume for the answer to its own false, and writes once more (v3 answers every false with a pause and a
        // resume, so such resumes are more frequent): two chunks per writer, as the torture's bound allows.
        // FlowControlledProducer tells the two apart and keeps one (its own tests)
        assertThat(peak).as("peak buffered bytes in a ProducerStream, high %d, 3 writers of %d-byte chunks", high,
                CHUNK).isLessThanOrEqualTo(high + 2 * 3L * CHUNK);
    }

    /** Something to write into that answers whether it takes more. */
    private interface Writes {
        boolean write(ByteBuffer chunk);
    }

    /**
     * Runs {@code writers} threads that each write {@code perWriter} chunks and, on {@code false}, wait until the
     * producer is resumed or the consumer is writable again; returns the peak depth seen after any write.
     */
    private long honouringWriters(int writers, int perWriter, Writes target, BufferView view, ResumeCounter producer)
            throws Exception {
        AtomicLong peak = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            running.add(this.threads.submit(() -> {
                start.await();
                for (int i = 0; i < perWriter; i++) {
                    int resumesBefore = producer.resumes();
                    boolean more = target.write(ByteBuffer.allocate(CHUNK));
                    peak.accumulateAndGet(view.bufferedUnits(), Math::max);
                    if (!more) {
                        BooleanSupplier mayGoOn = () -> producer.resumes() != resumesBefore || view.isWritable();
                        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(mayGoOn::getAsBoolean);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> writer : running) {
            writer.get(120, TimeUnit.SECONDS);
        }
        return peak.get();
    }
}
