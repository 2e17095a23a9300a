package dev.sluice.review;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * BufferedConsumer javadoc: abortConnection() "drops the connection at once (TCP-1): the buffer is discarded";
 * connectionLost(): "what is still buffered is dropped". A drain in progress on the executor when the loss arrives
 * must not go on feeding the sink the buffer it was told to drop.
 */
class LossDuringDrainReviewTest {

    private final ExecutorService drainThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutdown() {
        this.drainThread.shutdownNow();
    }

    /** A slow sink (a blocking socket): its first offer blocks until the test lets it go. */
    static final class SlowSink implements Sink<Integer> {

        final CountDownLatch inFirstOffer = new CountDownLatch(1);

        final CountDownLatch letGo = new CountDownLatch(1);

        final AtomicBoolean lost = new AtomicBoolean();

        final AtomicInteger offersAfterLoss = new AtomicInteger();

        final AtomicInteger offers = new AtomicInteger();

        @Override
        public boolean offer(Integer item) throws Exception {
            if (this.offers.incrementAndGet() == 1) {
                this.inFirstOffer.countDown();
                if (!this.letGo.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test timed out");
                }
                return true;
            }
            if (this.lost.get()) {
                this.offersAfterLoss.incrementAndGet();
            }
            return true;
        }
    }

    @Test
    void abortDiscardsTheBufferInsteadOfSendingIt() throws Exception {
        check(true);
    }

    @Test
    void connectionLostDropsTheBufferInsteadOfSendingIt() throws Exception {
        check(false);
    }

    private void check(boolean abort) throws Exception {
        SlowSink sink = new SlowSink();
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(sink).name("slow")
                .waterMarks(new WaterMarks(1000, 500)).drainOn(this.drainThread).build();
        for (int i = 0; i < 100; i++) {
            consumer.write(i);
        }
        assertThat(sink.inFirstOffer.await(10, TimeUnit.SECONDS)).isTrue();
        sink.lost.set(true);
        if (abort) {
            consumer.abortConnection();
        }
        else {
            consumer.connectionLost(new IOException("peer reset"));
        }
        sink.letGo.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.whenClosed().isDone());
        assertThat(consumer.acceptedUnits())
                .isEqualTo(consumer.sentUnits() + consumer.droppedUnits() + consumer.bufferedUnits());
        assertThat(sink.offersAfterLoss.get()).as("items offered to the sink after %s returned",
                abort ? "abortConnection()" : "connectionLost()").isZero();
        assertThat(consumer.droppedUnits()).as("units dropped").isEqualTo(99);
    }
}
