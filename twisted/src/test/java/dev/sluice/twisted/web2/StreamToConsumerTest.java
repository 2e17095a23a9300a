package dev.sluice.twisted.web2;

import static dev.sluice.twisted.web2.ScriptedStream.fail;
import static dev.sluice.twisted.web2.ScriptedStream.succeed;
import static dev.sluice.twisted.web2.StreamTesting.bytes;
import static dev.sluice.twisted.web2.StreamTesting.isDone;
import static dev.sluice.twisted.web2.StreamTesting.now;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.PushProducer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingPushProducer;
import dev.sluice.testing.RecordingSink;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** StreamToConsumer rules W2-SP1…SP7 (no upstream tests exist), with twisted-spec §11 items 11 and 12. */
class StreamToConsumerTest {

    @Test
    @DisplayName("W2-SP1/SP3 begin registers as streaming and writes a synchronous stream until the consumer pauses")
    void w2sp3_writesUntilPausedThenResumesToTheEnd() {
        RecordingConsumer consumer = new RecordingConsumer(2);
        ScriptedStream stream = new ScriptedStream("a", "b", "c", "d");
        StreamToConsumer producer = new StreamToConsumer(stream);
        CompletableFuture<Void> finished = producer.beginProducing(consumer);
        assertThat(consumer.events()).containsExactly("register:push", "a", "b", "pause");
        assertThat(consumer.producer).isSameAs(producer);
        assertThat(finished).isNotDone();
        producer.resumeProducing();
        assertThat(consumer.events()).containsExactly("register:push", "a", "b", "pause", "c", "d", "unregister");
        assertThat(finished).isCompletedWithValue(null);
        assertThat(stream.closeCalled).as("a stream read to its end is not closed").isZero();
    }

    @Test
    @DisplayName("W2-SP5 (§11 item 11) an already completed read plus a pause inside its write does not stall")
    void w2sp5_alreadyCompletedReadAndPauseDoNotStall() {
        RecordingConsumer consumer = new RecordingConsumer(2);
        StreamToConsumer producer = new StreamToConsumer(new ScriptedStream("a", succeed("b"), "c", "d"));
        CompletableFuture<Void> finished = producer.beginProducing(consumer);
        assertThat(consumer.events()).containsExactly("register:push", "a", "b", "pause");
        producer.resumeProducing();
        assertThat(consumer.events()).containsExactly("register:push", "a", "b", "pause", "c", "d", "unregister");
        assertThat(finished).isCompletedWithValue(null);
    }

    @Test
    @DisplayName("W2-SP5 the same script stalls Twisted's upstream ordering (modelled here), which the port fixes")
    void w2sp5_upstreamOrderingStalls() {
        RecordingConsumer consumer = new RecordingConsumer(2);
        UpstreamOrdering upstream = new UpstreamOrdering(consumer, "a", succeed("b"), "c", "d");
        upstream.begin();
        assertThat(consumer.events()).containsExactly("register:push", "a", "b", "pause");
        upstream.resumeProducing();
        upstream.resumeProducing();
        assertThat(consumer.events()).as("stalled: resume returns early for ever")
                .containsExactly("register:push", "a", "b", "pause");
        assertThat(upstream.finished).isNotDone();
    }

    @Test
    @DisplayName("W2-SP2/SP4 a pause leaves a pending read to complete and be written; resume does not read twice")
    void w2sp4_pendingReadCompletesWhilePaused() {
        CompletableFuture<@Nullable ByteBuffer> later = new CompletableFuture<>();
        RecordingConsumer consumer = new RecordingConsumer(0);
        ScriptedStream stream = new ScriptedStream("a", later, "c");
        StreamToConsumer producer = new StreamToConsumer(stream);
        CompletableFuture<Void> finished = producer.beginProducing(consumer);
        assertThat(stream.readCalled).isEqualTo(2);
        producer.pauseProducing();
        producer.resumeProducing();
        assertThat(stream.readCalled).as("no second read while one is pending").isEqualTo(2);
        producer.pauseProducing();
        later.complete(bytes("b"));
        assertThat(consumer.events()).containsExactly("register:push", "a", "b");
        assertThat(stream.readCalled).as("no read while paused").isEqualTo(2);
        producer.resumeProducing();
        assertThat(consumer.events()).containsExactly("register:push", "a", "b", "c", "unregister");
        assertThat(finished).isCompletedWithValue(null);
    }

    @Test
    @DisplayName("W2-SP6 stopProducing unregisters, fails the result with a CancellationException, closes the stream")
    void w2sp6_stopByTheConsumer() {
        CompletableFuture<@Nullable ByteBuffer> later = new CompletableFuture<>();
        RecordingConsumer consumer = new RecordingConsumer(0);
        ScriptedStream stream = new ScriptedStream("a", later);
        StreamToConsumer producer = new StreamToConsumer(stream);
        CompletableFuture<Void> finished = producer.beginProducing(consumer);
        producer.stopProducing();
        assertThat(consumer.events()).containsExactly("register:push", "a", "unregister");
        assertThat(finished).isCompletedExceptionally();
        assertThatThrownBy(finished::join).isInstanceOf(CancellationException.class);
        assertThat(stream.closeCalled).isEqualTo(1);
        later.complete(bytes("late"));
        producer.resumeProducing();
        producer.stopProducing();
        assertThat(consumer.events()).as("nothing after the stop").containsExactly("register:push", "a", "unregister");
        assertThat(stream.closeCalled).isEqualTo(1);
    }

    @Test
    @DisplayName("W2-SP6 a failed read unregisters, fails the result with the error and closes the stream")
    void w2sp6_failedRead() {
        IllegalStateException boom = new IllegalStateException("boom");
        RecordingConsumer consumer = new RecordingConsumer(0);
        ScriptedStream stream = new ScriptedStream("a", fail(boom), "never");
        CompletableFuture<Void> finished = new StreamToConsumer(stream).beginProducing(consumer);
        assertThat(consumer.events()).containsExactly("register:push", "a", "unregister");
        assertThat(finished).failsWithin(Duration.ZERO).withThrowableThat().havingCause().isSameAs(boom);
        assertThat(stream.closeCalled).isEqualTo(1);
    }

    @Test
    @DisplayName("W2-SP6 a read that throws, or a consumer write that throws, fails the result the same way")
    void w2sp6_throwingReadOrWrite() {
        ScriptedStream throwing = new ScriptedStream("a", new IllegalStateException("thrown"));
        CompletableFuture<Void> first = new StreamToConsumer(throwing).beginProducing(new RecordingConsumer(0));
        assertThat(first).failsWithin(Duration.ZERO).withThrowableThat().havingCause().withMessage("thrown");
        assertThat(throwing.closeCalled).isEqualTo(1);

        ScriptedStream stream = new ScriptedStream("a", "b");
        CompletableFuture<Void> second = new StreamToConsumer(stream).beginProducing(new FailingConsumer());
        assertThat(second).failsWithin(Duration.ZERO).withThrowableThat().havingCause().withMessage("refused");
        assertThat(stream.closeCalled).isEqualTo(1);
    }

    @Test
    @DisplayName("W2-SP1 beginProducing twice is an IllegalStateException")
    void w2sp1_beginTwiceIsRejected() {
        StreamToConsumer producer = new StreamToConsumer(new ScriptedStream("a"));
        producer.beginProducing(new RecordingConsumer(0));
        assertThatThrownBy(() -> producer.beginProducing(new RecordingConsumer(0)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("W2-SP7 (§11 item 12) chain into a ProducerToStream with Twisted's bound: all chunks in order, bound + 1")
    void w2sp7_chainIntoAProducerStream() {
        ProducerToStream sink = new ProducerToStream("sink", OptionalLong.empty(), WaterMarks.twisted(5));
        Object[] digits = new Object[10];
        Arrays.setAll(digits, Integer::toString);
        StreamToConsumer producer = new StreamToConsumer(new ScriptedStream(digits));
        CompletableFuture<Void> finished = producer.beginProducing(sink);
        assertThat(sink.bufferedUnits()).as("5 one-byte chunks is the bound; the 6th pauses").isEqualTo(6);
        assertThat(sink.isProducerPaused()).isTrue();
        List<String> read = new ArrayList<>();
        long maxBuffered = sink.bufferedUnits();
        String chunk;
        while ((chunk = now(sink.read())) != null) {
            read.add(chunk);
            maxBuffered = Math.max(maxBuffered, sink.bufferedUnits());
        }
        assertThat(read).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(maxBuffered).isLessThanOrEqualTo(6);
        assertThat(finished).isCompletedWithValue(null);
        assertThat(sink.producer()).as("unregistered at the end").isNull();
        assertThat(sink.isFinished()).as("finished by default, unlike Twisted").isTrue();
    }

    @Test
    @DisplayName("W2-SP7 with finishProducerStream = false (Twisted), the reader waits after the last chunk")
    void w2sp7_twistedDoesNotFinishTheProducerStream() {
        ProducerToStream sink = new ProducerToStream();
        CompletableFuture<Void> finished = new StreamToConsumer(new ScriptedStream("x"), false).beginProducing(sink);
        assertThat(finished).isCompletedWithValue(null);
        assertThat(now(sink.read())).isEqualTo("x");
        CompletionStage<@Nullable ByteBuffer> waiting = sink.read();
        assertThat(isDone(waiting)).isFalse();
        sink.finish();
        assertThat(now(waiting)).isNull();
    }

    @Test
    @DisplayName("W2-SP6 a read failure finishes a ProducerToStream consumer with that failure")
    void w2sp6_readFailureFinishesTheProducerStream() {
        IllegalStateException boom = new IllegalStateException("boom");
        ProducerToStream sink = new ProducerToStream();
        new StreamToConsumer(new ScriptedStream("a", fail(boom))).beginProducing(sink);
        assertThat(now(sink.read())).isEqualTo("a");
        assertThat(sink.read().toCompletableFuture()).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isSameAs(boom);
        assertThat(now(sink.read())).isNull();
    }

    @Test
    @DisplayName("W2-SP6/PS7 closing the ProducerToStream reader stops the StreamToConsumer and closes its stream")
    void w2sp6_closingTheReaderStopsTheChain() {
        ProducerToStream sink = new ProducerToStream("sink", OptionalLong.empty(), WaterMarks.twisted(1));
        ScriptedStream stream = new ScriptedStream("a", "b", "c", "d");
        CompletableFuture<Void> finished = new StreamToConsumer(stream).beginProducing(sink);
        assertThat(now(sink.read())).isEqualTo("a");
        sink.close();
        assertThat(finished).failsWithin(Duration.ZERO).withThrowableThat()
                .isInstanceOf(CancellationException.class);
        assertThat(stream.closeCalled).isEqualTo(1);
    }

    /** A consumer whose every write throws. */
    static final class FailingConsumer implements Consumer<ByteBuffer> {
        @Override
        public void registerProducer(Producer producer, boolean streaming) {
        }

        @Override
        public void unregisterProducer() {
        }

        @Override
        public boolean write(ByteBuffer data) {
            throw new IllegalStateException("refused");
        }
    }

    /**
     * Issue 18 defect 14: a stopped producer unregisters only itself. The consumer resumes the producer on another
     * thread, whose read blocks; meanwhile the consumer stops it and takes another producer (at once where the stop
     * clears the registration at once, as on 65a6063; else from the {@code stopped} listener event, which comes right
     * before the stop); when the read returns, the stop is delivered. Fails on 65a6063, where the stopped producer's
     * unregistration removed the new producer, which the consumer then never paused again.
     */
    @Test
    @DisplayName("a stopped StreamToConsumer does not unregister the producer registered after it (defect 14)")
    void aStoppedProducerDoesNotUnregisterTheProducerThatRegisteredAfterIt() throws Exception {
        RecordingSink<ByteBuffer> sink = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(sink).name("defect-14")
                .weigher(Weigher.bytes()).waterMarks(new WaterMarks(1, 0)).build();
        CountDownLatch insideRead = new CountDownLatch(1);
        CountDownLatch readMayReturn = new CountDownLatch(1);
        CompletableFuture<@Nullable ByteBuffer> never = new CompletableFuture<>();
        ByteStream stream = new UnknownLengthStream() {
            private int reads;

            @Override
            public CompletionStage<@Nullable ByteBuffer> read() {
                this.reads++;
                if (this.reads == 1) {
                    return CompletableFuture.completedFuture(bytes("ab"));
                }
                if (this.reads == 2) {
                    insideRead.countDown();
                    awaitOrFail(readMayReturn);
                    return CompletableFuture.completedFuture(bytes("c"));
                }
                return never;
            }

            @Override
            public void close() {
            }
        };
        StreamToConsumer first = new StreamToConsumer(stream);
        CompletableFuture<Void> firstDone = first.beginProducing(consumer);
        assertThat(consumer.isProducerPaused()).as("2 bytes above a high mark of 1").isTrue();

        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<?> drained = other.submit(() -> {
                sink.grant(100);
                consumer.drain(); // resumes the first producer on this thread: its next read blocks
            });
            assertThat(insideRead.await(10, TimeUnit.SECONDS)).isTrue();
            RecordingPushProducer second = new RecordingPushProducer();
            AtomicBoolean registerOnStop = new AtomicBoolean();
            consumer.addProducerListener(new ProducerListener() {
                @Override
                public void stopped(Producer producer) {
                    if (producer == first && registerOnStop.get()) {
                        consumer.registerProducer(second, true); // just before the stop reaches the first producer
                    }
                }
            });
            consumer.stopProducer(); // delivered by the other thread, after the resume in progress
            try {
                consumer.registerProducer(second, true); // the stop has cleared the registration at once (v2)
            }
            catch (IllegalStateException stopNotAppliedYet) {
                registerOnStop.set(true); // a consumer that applies the stop on its loop: register from there
            }
            readMayReturn.countDown();
            drained.get(10, TimeUnit.SECONDS);

            assertThat(firstDone).isCompletedExceptionally();
            assertThat(consumer.producer()).as("the producer registered after the stop").isSameAs(second);
            consumer.holdProducer();
            assertThat(second.events()).as("still paused by its consumer").containsExactly("pause");
        }
        finally {
            readMayReturn.countDown();
            other.shutdownNow();
        }
    }

    private static void awaitOrFail(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /**
     * A model of Twisted's upstream {@code StreamToConsumer} ordering, kept only to show the stall: a read's result is
     * either a plain chunk (a String in the script) or a deferred one (a stage), and for a deferred one it records the
     * stage as "pending" <em>after</em> attaching the write to it. For an already completed stage the write has run by
     * then, so the record is stale and every later resume returns early.
     */
    static final class UpstreamOrdering implements PushProducer {

        private final RecordingConsumer consumer;
        private final ArrayDeque<Object> script;
        private @Nullable CompletionStage<?> deferred;
        private boolean paused;
        final CompletableFuture<Void> finished = new CompletableFuture<>();

        UpstreamOrdering(RecordingConsumer consumer, Object... script) {
            this.consumer = consumer;
            this.script = new ArrayDeque<>(Arrays.asList(script));
        }

        void begin() {
            this.consumer.registerProducer(this, true);
            resumeProducing();
        }

        @Override
        public void resumeProducing() {
            this.paused = false;
            if (this.deferred != null) {
                return;
            }
            Object data = this.script.pollFirst();
            if (data instanceof CompletionStage<?> stage) {
                this.deferred = stage.thenAccept(chunk -> doWrite(StreamTesting.text((ByteBuffer) chunk)));
            }
            else {
                doWrite((String) data);
            }
        }

        private void doWrite(@Nullable String data) {
            if (data == null) {
                this.consumer.unregisterProducer();
                this.finished.complete(null);
                return;
            }
            this.deferred = null;
            this.consumer.write(bytes(data));
            if (!this.paused) {
                resumeProducing();
            }
        }

        @Override
        public void pauseProducing() {
            this.paused = true;
        }

        @Override
        public void stopProducing() {
            this.paused = true;
        }
    }
}
