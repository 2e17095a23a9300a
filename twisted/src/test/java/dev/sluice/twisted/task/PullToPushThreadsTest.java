package dev.sluice.twisted.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.PullProducer;
import dev.sluice.testing.RecordingConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** PullToPush on a real cooperator thread, stopped from another thread: the pull producer's callbacks never overlap. */
class PullToPushThreadsTest {

    private final Cooperator cooperator = Cooperator.create();

    @AfterEach
    void close() {
        this.cooperator.close();
    }

    /** A pull producer whose first resumeProducing waits for the test; records its calls and any overlap. */
    static final class SlowFirstPull implements PullProducer {

        final CountDownLatch firstResumeInside = new CountDownLatch(1);

        final CountDownLatch releaseFirstResume = new CountDownLatch(1);

        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        final AtomicInteger inside = new AtomicInteger();

        final AtomicInteger overlaps = new AtomicInteger();

        @Override
        public void resumeProducing() {
            enter("resume");
            try {
                if (this.calls.size() == 1) {
                    this.firstResumeInside.countDown();
                    awaitLatch(this.releaseFirstResume);
                }
            }
            finally {
                leave("resume end");
            }
        }

        @Override
        public void stopProducing() {
            enter("stop");
            leave("stop end");
        }

        private void enter(String call) {
            if (this.inside.incrementAndGet() != 1) {
                this.overlaps.incrementAndGet();
            }
            this.calls.add(call);
        }

        private void leave(String call) {
            this.calls.add(call);
            this.inside.decrementAndGet();
        }
    }

    @Test
    @Timeout(20)
    void aStopFromAnotherThreadDuringAResumeComesAfterItWithoutWaitingForItAndNoResumeFollows() throws Exception {
        SlowFirstPull producer = new SlowFirstPull();
        RecordingConsumer<String> consumer = new RecordingConsumer<>();
        PullToPush adapter = PullToPush.register(producer, consumer, this.cooperator);
        awaitLatch(producer.firstResumeInside);

        adapter.stopProducing(); // returns at once although the cooperator thread is inside resumeProducing
        producer.releaseFirstResume.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> producer.calls.contains("stop end"));
        assertThat(producer.overlaps).as("overlapping callbacks").hasValue(0);
        assertThat(producer.calls).containsExactly("resume", "resume end", "stop", "stop end");
        assertThat(adapter.isFinished()).isTrue();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
