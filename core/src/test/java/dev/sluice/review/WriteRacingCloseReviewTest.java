package dev.sluice.review;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sink javadoc: close() is called "after the last item"; BufferedConsumer: after the consumer has gone a write is
 * "accepted and dropped". A write that reads the lifecycle just before the loop closes the consumer, and buffers its
 * item just after, gets its item drained into the closed sink (drainStep drains in CLOSED; it discards only from LOST
 * on). Bounded stress: a writer thread writes while the consumer closes.
 */
class WriteRacingCloseReviewTest {

    private final ExecutorService drain = Executors.newSingleThreadExecutor();

    private final ExecutorService writer = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutdown() {
        this.drain.shutdownNow();
        this.writer.shutdownNow();
    }

    static final class ClosingSink implements Sink<Integer> {

        volatile boolean closed;

        final AtomicInteger offersAfterClose = new AtomicInteger();

        @Override
        public boolean offer(Integer item) {
            if (this.closed) {
                this.offersAfterClose.incrementAndGet();
            }
            return true;
        }

        @Override
        public void close() {
            this.closed = true;
        }
    }

    @Test
    @Timeout(60)
    void noItemReachesTheSinkAfterClose() throws Exception {
        check(this.drain);
    }

    @Test
    @Timeout(60)
    void noItemReachesTheSinkAfterCloseInline() throws Exception {
        check(null);
    }

    private void check(ExecutorService executor) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        int rounds = 0;
        int offersAfterClose = 0;
        int stuck = 0;
        while (System.nanoTime() < deadline && offersAfterClose == 0) {
            rounds++;
            ClosingSink sink = new ClosingSink();
            BufferedConsumer.Builder<Integer> builder = BufferedConsumer.builder(sink).name("closing")
                    .waterMarks(new WaterMarks(1 << 20, 1 << 19));
            if (executor != null) {
                builder.drainOn(executor);
            }
            BufferedConsumer<Integer> consumer = builder.build();
            CountDownLatch started = new CountDownLatch(1);
            Future<?> writes = this.writer.submit(() -> {
                started.countDown();
                for (int i = 0; i < 2_000 && !sink.closed; i++) {
                    consumer.write(i);
                }
                for (int i = 0; i < 50; i++) {
                    consumer.write(i); // a few more straight after the close
                }
            });
            started.await(5, TimeUnit.SECONDS);
            consumer.loseConnection();
            writes.get(10, TimeUnit.SECONDS);
            consumer.drain();
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!consumer.whenClosed().isDone() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(consumer.whenClosed()).isDone();
            // accounts at a quiet point
            until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (consumer.acceptedUnits() != consumer.sentUnits() + consumer.droppedUnits()
                    + consumer.bufferedUnits() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            offersAfterClose += sink.offersAfterClose.get();
            if (consumer.bufferedUnits() != 0) {
                stuck++;
            }
        }
        assertThat(offersAfterClose).as("items offered to the sink after close(), in %s rounds (%s rounds ended with "
                + "units left buffered in a closed consumer)", rounds, stuck).isZero();
    }
}
