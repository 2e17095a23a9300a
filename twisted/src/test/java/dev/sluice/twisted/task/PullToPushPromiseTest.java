package dev.sluice.twisted.task;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import dev.sluice.testing.CountingPullProducer;
import dev.sluice.twisted.task.testing.FakeScheduler;
import dev.sluice.twisted.task.testing.TestNonStreamingProducer;
import dev.sluice.twisted.task.testing.Units;
import dev.sluice.twisted.web2.ProducerToStream;
import org.junit.jupiter.api.Test;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, defect 11, for {@link PullToPush}: the adapter honours {@code false} and neither pulls on nor ticks empty
 * for ever when the consumer's answer stays {@code false}. Driven by a fake scheduler, so every step is deterministic.
 */
class PullToPushPromiseTest {

    private final FakeScheduler scheduler = new FakeScheduler();

    private final Cooperator cooperator = Cooperator.builder().scheduler(this.scheduler)
            .terminationPredicate(Units.perTick(1)).build();

    /**
     * A {@link ProducerToStream} finished while a read is pending stops the adapter and its pull producer, and the
     * cooperator goes idle. Fails on 65a6063, where the finished stream stayed unwritable without pausing or stopping
     * the adapter: every tick found it unwritable, pulled nothing and scheduled the next tick, for ever.
     */
    @Test
    void aProducerToStreamFinishedWhileAReadIsPendingStopsTheStreamAndTheCooperatorGoesIdle() {
        ProducerToStream stream = new ProducerToStream();
        CountingPullProducer<ByteBuffer> producer = new CountingPullProducer<>(stream, 1_000,
                i -> ByteBuffer.wrap(Integer.toString(i).getBytes(StandardCharsets.US_ASCII)));
        PullToPush adapter = PullToPush.register(producer, stream, this.cooperator);
        this.scheduler.pump();
        this.scheduler.pump();
        assertThat(producer.counter()).isEqualTo(2);
        assertThat(stream.read().toCompletableFuture().getNow(null)).isEqualTo(ascii("0"));
        assertThat(stream.read().toCompletableFuture().getNow(null)).isEqualTo(ascii("1"));
        var pending = stream.read().toCompletableFuture();
        assertThat(pending).isNotDone();

        stream.finish();
        int pumps = this.scheduler.pumpUntilIdle(50);

        assertThat(pending).isCompletedWithValue(null);
        assertThat(this.scheduler.pending()).as("ticks still scheduled after %d pumps", pumps).isZero();
        assertThat(producer.isStopped()).as("the pull producer was stopped").isTrue();
        assertThat(producer.counter()).as("nothing pulled after the end").isEqualTo(2);
        assertThat(adapter.isFinished()).isTrue();
        assertThat(failureOf(adapter.coopTask().whenDone())).isInstanceOf(TaskStoppedException.class);
    }

    /**
     * The decorating consumer honours {@code false}: the adapter pulls nothing after a write answered {@code false}
     * until the consumer resumes it. Fails on 65a6063, where the adapter went on pulling on every tick (a consumer
     * that is no {@link dev.sluice.BufferView} showed it nothing else).
     */
    @Test
    void theDecoratingConsumerStopsPullingOnFalseUntilTheConsumerResumesTheAdapter() {
        Answering below = new Answering();
        Consumer<String> streaming = PullToPush.consumer(below, this.cooperator);
        TestNonStreamingProducer producer = new TestNonStreamingProducer(streaming);
        streaming.registerProducer(producer, false);
        below.refuseFrom = 2; // the second write is answered false; the pause will come later, from elsewhere

        for (int tick = 0; tick < 5; tick++) {
            this.scheduler.pump();
        }
        assertThat(below.written).as("pulled after a false").containsExactly("0", "1");

        PushProducer adapter = (PushProducer) below.producer;
        adapter.pauseProducing(); // the consumer keeps its promise: the pause, ...
        below.refuseFrom = Integer.MAX_VALUE;
        adapter.resumeProducing(); // ... then the resume
        this.scheduler.pumpUntilIdle(50);

        assertThat(below.written).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(this.scheduler.pending()).isZero();
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** A consumer that answers false from its {@code refuseFrom}-th write on, and shows nothing else. */
    static final class Answering implements Consumer<String> {

        final List<String> written = new ArrayList<>();

        int refuseFrom = Integer.MAX_VALUE;

        Producer producer;

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
            this.producer = producer;
        }

        @Override
        public void unregisterProducer() {
            this.producer = null;
        }

        @Override
        public boolean write(String data) {
            this.written.add(data);
            return this.written.size() < this.refuseFrom;
        }
    }
}
