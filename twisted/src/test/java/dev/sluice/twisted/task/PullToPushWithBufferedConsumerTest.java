package dev.sluice.twisted.task;

import java.nio.ByteBuffer;
import java.util.List;

import dev.sluice.BufferView;
import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.CountingPullProducer;
import dev.sluice.testing.RecordingSink;
import dev.sluice.twisted.task.testing.FakeScheduler;
import dev.sluice.twisted.task.testing.LogCapture;
import dev.sluice.twisted.task.testing.TestNonStreamingProducer;
import dev.sluice.twisted.task.testing.Units;
import org.junit.jupiter.api.Test;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A {@link BufferedConsumer} takes a pull producer directly or through {@link PullToPush}, with the same result: the
 * user need not know which. Driven by a fake scheduler, so every step is deterministic.
 */
class PullToPushWithBufferedConsumerTest {

    private final FakeScheduler scheduler = new FakeScheduler();

    private final Cooperator cooperator = Cooperator.builder().scheduler(this.scheduler)
            .terminationPredicate(Units.perTick(1)).build();

    private final RecordingSink<ByteBuffer> sink = RecordingSink.accepting();

    private final BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(this.sink).name("test")
            .weigher(Weigher.bytes()).build();

    @Test
    void pp2_directlyOrThroughPullToPushTheSameBytesArriveAndTheProducerEndsUnregistered() {
        CountingPullProducer<ByteBuffer> direct = CountingPullProducer.tenDigits(this.consumer);
        this.consumer.registerProducer(direct, false);
        assertThat(this.sink.text()).isEqualTo("0123456789");
        assertThat(this.consumer.producer()).isNull();

        RecordingSink<ByteBuffer> otherSink = RecordingSink.accepting();
        BufferedConsumer<ByteBuffer> other = BufferedConsumer.builder(otherSink).weigher(Weigher.bytes()).build();
        CountingPullProducer<ByteBuffer> streamed = CountingPullProducer.tenDigits(other);
        PullToPush adapter = PullToPush.register(streamed, other, this.cooperator);
        assertThat(other.producer()).isSameAs(adapter);
        assertThat(other.isStreamingProducer()).isTrue();

        this.scheduler.pumpUntilIdle(50);

        assertThat(otherSink.text()).isEqualTo("0123456789");
        assertThat(other.producer()).isNull();
        assertThat(adapter.isFinished()).isTrue(); // the consumer's unregistration stopped the stream
        assertThat(failureOf(adapter.coopTask().whenDone())).isInstanceOf(TaskStoppedException.class);
        assertThat(this.scheduler.pending()).isZero();
    }

    @Test
    void pp2_theDecoratingConsumerStreamsAnyPullProducerRegisteredWithIt() {
        Consumer<ByteBuffer> streaming = PullToPush.consumer(this.consumer, this.cooperator);
        CountingPullProducer<ByteBuffer> producer = CountingPullProducer.tenDigits(streaming);

        streaming.registerProducer(producer, false);
        assertThat(this.consumer.producer()).isInstanceOf(PullToPush.class);
        assertThat(this.sink.text()).isEmpty(); // nothing before the first tick

        this.scheduler.pumpUntilIdle(50);

        assertThat(this.sink.text()).isEqualTo("0123456789");
        assertThat(this.consumer.producer()).isNull();
        assertThat(this.scheduler.pending()).isZero();
    }

    @Test
    void pp2_registeringWithAConsumerThatHasAProducerFailsAndStopsTheNewStream() {
        CountingPullProducer<ByteBuffer> first = CountingPullProducer.tenDigits(this.consumer);
        RecordingSink<ByteBuffer> stalled = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> busy = BufferedConsumer.builder(stalled).weigher(Weigher.bytes()).build();
        busy.registerProducer(first, false);

        CountingPullProducer<ByteBuffer> second = CountingPullProducer.tenDigits(busy);
        assertThatThrownBy(() -> PullToPush.register(second, busy, this.cooperator))
                .isInstanceOf(IllegalStateException.class);

        this.scheduler.pumpUntilIdle(10);
        assertThat(second.counter()).isZero();
        assertThat(busy.producer()).isSameAs(first);
        assertThat(this.scheduler.pending()).isZero();
    }

    @Test
    void pp4_aFullBufferPausesTheStreamAndADrainResumesIt() {
        RecordingSink<String> slow = RecordingSink.limited();
        BufferedConsumer<String> bounded = BufferedConsumer.builder(slow).weigher(Weigher.items())
                .waterMarks(new WaterMarks(3, 1)).build();
        CountingPullProducer<String> producer = new CountingPullProducer<>(bounded, 10, Integer::toString);
        PullToPush adapter = PullToPush.register(producer, bounded, this.cooperator);

        this.scheduler.pumpUntilIdle(50);

        assertThat(producer.counter()).isEqualTo(4); // the fourth item crossed the mark and paused the stream
        assertThat(bounded.bufferedUnits()).isEqualTo(4);
        assertThat(adapter.coopTask().pauseCount()).isEqualTo(1);
        assertThat(this.scheduler.pending()).isZero();

        slow.grant(3);
        bounded.drain(); // down to 1: resumed
        assertThat(adapter.coopTask().pauseCount()).isZero();
        slow.grant(100);
        for (int i = 0; i < 50 && bounded.producer() != null; i++) {
            this.scheduler.pump();
            bounded.drain();
        }

        assertThat(slow.items()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(adapter.isFinished()).isTrue();
    }

    @Test
    void pp7_aProducerThatThrowsIsUnregisteredLoggedOnceAndNeverCalledAgain() {
        RecordingSink<String> strings = RecordingSink.accepting();
        BufferedConsumer<String> target = BufferedConsumer.builder(strings).build();
        TestNonStreamingProducer producer = new TestNonStreamingProducer(target)
                .failOnCall(3, new ArithmeticException("/ by zero"));
        try (LogCapture logs = LogCapture.of(PullToPush.class)) {
            PullToPush adapter = PullToPush.register(producer, target, this.cooperator);

            this.scheduler.pumpUntilIdle(50);

            assertThat(strings.items()).isEqualTo(List.of("0", "1"));
            assertThat(target.producer()).isNull();
            assertThat(adapter.isFinished()).isTrue();
            assertThat(logs.errors()).singleElement().asString()
                    .startsWith("Unhandled error while calling resumeProducing on " + producer);
            assertThat(producer.resumes()).isEqualTo(3);
            assertThat(this.scheduler.pending()).isZero();
        }
    }

    /** A consumer that shows its buffer and says nothing else: no pause ever reaches the adapter from it. */
    static final class ShownBuffer implements Consumer<String>, BufferView {

        long depth;

        boolean writable = true;

        final List<String> written = new java.util.ArrayList<>();

        @Override
        public void registerProducer(dev.sluice.Producer producer, boolean streaming) {
        }

        @Override
        public void unregisterProducer() {
        }

        @Override
        public boolean write(String data) {
            this.written.add(data);
            return this.writable;
        }

        @Override
        public long bufferedUnits() {
            return this.depth;
        }

        @Override
        public long highWaterMark() {
            return 10;
        }

        @Override
        public long lowWaterMark() {
            return 5;
        }

        @Override
        public long acceptedUnits() {
            return 0;
        }

        @Override
        public long sentUnits() {
            return 0;
        }

        @Override
        public long droppedUnits() {
            return 0;
        }

        @Override
        public boolean isWritable() {
            return this.writable;
        }

        @Override
        public String unit() {
            return "items";
        }
    }

    @Test
    void aWorkUnitPullsOnlyWhileTheConsumerIsWritable_soAfterACrossingNotUntilItHasDrainedToTheLowMark() {
        ShownBuffer consumer = new ShownBuffer();
        TestNonStreamingProducer producer = new TestNonStreamingProducer(consumer);
        PullToPush adapter = new PullToPush(producer, consumer, this.cooperator);
        adapter.startStreaming();
        this.scheduler.pump();
        assertThat(producer.resumes()).isEqualTo(1);

        // crossed the high mark, drained to 7: between the marks the consumer still wants its producer paused
        consumer.depth = 7;
        consumer.writable = false;
        for (int unit = 0; unit < 5; unit++) {
            this.scheduler.pump();
        }
        assertThat(producer.resumes()).as("pulls while the consumer is not writable").isEqualTo(1);

        consumer.depth = 5; // at the low mark: writable again
        consumer.writable = true;
        this.scheduler.pump();
        assertThat(producer.resumes()).isEqualTo(2);
        assertThat(consumer.written).containsExactly("0", "1");
        adapter.stopStreaming();
    }
}
