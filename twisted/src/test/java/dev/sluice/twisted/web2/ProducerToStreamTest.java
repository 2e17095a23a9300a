package dev.sluice.twisted.web2;

import static dev.sluice.twisted.web2.StreamTesting.bytes;
import static dev.sluice.twisted.web2.StreamTesting.isDone;
import static dev.sluice.twisted.web2.StreamTesting.now;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.WaterMarks;
import dev.sluice.testing.CountingPullProducer;
import dev.sluice.testing.RecordingPushProducer;
import dev.sluice.testing.StrictPushProducer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Port of {@code ProducerStreamTestCase} (W2-PS5) and the twisted-spec §11 item 10 cases (W2-PS1…PS9). */
class ProducerToStreamTest {

    /** Pause above 10 bytes, resume at 4 or below. */
    private final ProducerToStream stream = new ProducerToStream("test", OptionalLong.empty(), new WaterMarks(10, 4));

    @Test
    @DisplayName("W2-PS5 test_failfinish: buffered data is read first, then the failure")
    void w2ps5_failFinish() {
        this.stream.write(bytes("hello"));
        IllegalStateException failure = new IllegalStateException("producer failed");
        this.stream.finish(failure);
        assertThat(now(this.stream.read())).isEqualTo("hello");
        assertThat(this.stream.read().toCompletableFuture()).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isSameAs(failure);
    }

    @Test
    @DisplayName("W2-PS6 decision: a read after the failure was delivered returns the end of the stream")
    void w2ps6_readAfterDeliveredFailureIsEnd() {
        this.stream.finish(new IllegalStateException("stored"));
        assertThat(this.stream.read().toCompletableFuture()).isCompletedExceptionally();
        assertThat(now(this.stream.read())).isNull();
        assertThat(now(this.stream.read())).isNull();

        ProducerToStream pendingCase = new ProducerToStream();
        CompletionStage<@Nullable ByteBuffer> pending = pendingCase.read();
        pendingCase.finish(new IllegalStateException("delivered to the pending read"));
        assertThat(pending.toCompletableFuture()).isCompletedExceptionally();
        assertThat(now(pendingCase.read())).isNull();
        assertThat(pendingCase.length()).hasValue(0);
    }

    /**
     * W2-PS5 and issue 18 defect 11: finish completes a pending read with the end and stops the registered producer,
     * so that the {@code false} every later write gets is not a promise of a resume that never comes. Fails on
     * 65a6063, where finish left the producer registered and never stopped it (Twisted's behaviour).
     */
    @Test
    @DisplayName("W2-PS5 finish with a pending read completes it with the end and stops the producer")
    void w2ps5_finishCompletesAPendingReadWithEndAndStopsTheProducer() {
        RecordingPushProducer producer = new RecordingPushProducer();
        this.stream.registerProducer(producer, true);
        CompletionStage<@Nullable ByteBuffer> pending = this.stream.read();
        assertThat(isDone(pending)).isFalse();
        this.stream.finish();
        assertThat(now(pending)).isNull();
        assertThat(now(this.stream.read())).isNull();
        assertThat(this.stream.isFinished()).isTrue();
        assertThat(this.stream.producer()).as("finish stops the producer").isNull();
        assertThat(producer.events()).containsExactly("stop");
        assertThat(this.stream.write(bytes("late"))).as("a write after the end").isFalse();
        assertThat(producer.events()).as("nothing after the stop").containsExactly("stop");
        this.stream.finish(new IllegalStateException("ignored"));
        assertThat(now(this.stream.read())).as("a second finish is ignored").isNull();
    }

    /**
     * Issue 18 defect 11: a push producer paused at the high-water mark is stopped when the stream finishes, not left
     * waiting for the resume of its {@code false}. Fails on 65a6063: the reader drained the buffer, which resumed the
     * producer, whose next write got {@code false} with nothing following.
     */
    @Test
    @DisplayName("a producer that got false before the stream finished gets a stop")
    void aProducerThatGotFalseBeforeTheStreamFinishedIsStopped() {
        ProducerToStream small = new ProducerToStream("small", OptionalLong.empty(), new WaterMarks(2, 0));
        RecordingPushProducer producer = new RecordingPushProducer();
        small.registerProducer(producer, true);
        assertThat(small.write(bytes("abc"))).as("above the high mark").isFalse();
        assertThat(producer.events()).containsExactly("pause");

        small.finish();

        assertThat(now(small.read())).isEqualTo("abc");
        assertThat(now(small.read())).isNull();
        assertThat(small.write(bytes("d"))).isFalse();
        assertThat(producer.events()).containsExactly("pause", "stop");
    }

    @Test
    @DisplayName("W2-PS1 buffered chunks come back at once, in write order")
    void w2ps1_bufferedChunksInOrder() {
        this.stream.write(bytes("a"));
        this.stream.write(bytes("bc"));
        assertThat(this.stream.bufferedUnits()).isEqualTo(3);
        assertThat(now(this.stream.read())).isEqualTo("a");
        assertThat(now(this.stream.read())).isEqualTo("bc");
        assertThat(this.stream.bufferedUnits()).isZero();
        assertThat(this.stream.acceptedUnits()).isEqualTo(3);
        assertThat(this.stream.sentUnits()).isEqualTo(3);
    }

    @Test
    @DisplayName("W2-PS1/PS4 a read on an empty buffer is completed by the next write, which is not buffered")
    void w2ps4_pendingReadIsCompletedByTheNextWrite() {
        CompletionStage<@Nullable ByteBuffer> pending = this.stream.read();
        assertThat(isDone(pending)).isFalse();
        this.stream.write(bytes("x"));
        assertThat(now(pending)).isEqualTo("x");
        assertThat(this.stream.bufferedUnits()).isZero();
        this.stream.write(bytes("y"));
        assertThat(now(this.stream.read())).isEqualTo("y");
    }

    @Test
    @DisplayName("W2-PS3 decision: a second pending read is an IllegalStateException; the first still completes")
    void w2ps3_secondPendingReadIsRejected() {
        CompletionStage<@Nullable ByteBuffer> first = this.stream.read();
        assertThatThrownBy(this.stream::read).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already outstanding");
        this.stream.write(bytes("data"));
        assertThat(now(first)).isEqualTo("data");
    }

    @Test
    @DisplayName("W2-PS2 decision: pause once when buffered bytes go above the high mark (not at it, not per write)")
    void w2ps2_pauseOncePerCrossingOfTheByteBound() {
        StrictPushProducer producer = new StrictPushProducer();
        this.stream.registerProducer(producer, true);
        this.stream.write(bytes("12345"));
        this.stream.write(bytes("67890"));
        assertThat(this.stream.bufferedUnits()).isEqualTo(10);
        assertThat(producer.events()).as("10 bytes is at the bound, not above it").isEmpty();
        this.stream.write(bytes("x"));
        assertThat(producer.events()).containsExactly("pause");
        this.stream.write(bytes("y"));
        this.stream.write(bytes("z"));
        assertThat(producer.events()).as("edge-triggered: Twisted pauses again on every write").containsExactly(
                "pause");
        assertThat(producer.violations()).isZero();
    }

    @Test
    @DisplayName("W2-PS2 decision: reads above the low mark do not resume; the read that reaches it resumes once")
    void w2ps2_resumeWhenAReadReachesTheLowMark() {
        StrictPushProducer producer = new StrictPushProducer();
        this.stream.registerProducer(producer, true);
        for (String chunk : new String[] {"aaaa", "bbbb", "cccc", "dddd"}) {
            this.stream.write(bytes(chunk));
        }
        assertThat(producer.events()).containsExactly("pause");
        assertThat(now(this.stream.read())).isEqualTo("aaaa");
        assertThat(now(this.stream.read())).isEqualTo("bbbb");
        assertThat(producer.events()).as("8 bytes left, above the low mark").containsExactly("pause");
        assertThat(now(this.stream.read())).isEqualTo("cccc");
        assertThat(producer.events()).as("4 bytes left, at the low mark").containsExactly("pause", "resume");
        assertThat(now(this.stream.read())).isEqualTo("dddd");
        assertThat(isDone(this.stream.read())).isFalse();
        assertThat(producer.events()).as("no resume without a pause").containsExactly("pause", "resume");
        assertThat(producer.violations()).isZero();
    }

    @Test
    @DisplayName("W2-PS2 Twisted's marks (low 0): the producer resumes only when the buffer is empty")
    void w2ps2_twistedMarksResumeOnlyWhenEmpty() {
        ProducerToStream twisted = new ProducerToStream("twisted", OptionalLong.empty(), WaterMarks.twisted(5));
        StrictPushProducer producer = new StrictPushProducer();
        twisted.registerProducer(producer, true);
        twisted.write(bytes("abc"));
        twisted.write(bytes("def"));
        assertThat(producer.events()).containsExactly("pause");
        assertThat(now(twisted.read())).isEqualTo("abc");
        assertThat(producer.events()).containsExactly("pause");
        assertThat(now(twisted.read())).isEqualTo("def");
        assertThat(producer.events()).containsExactly("pause", "resume");
    }

    @Test
    @DisplayName("W2-PS8/PS1 a pull producer is asked on registration and when a read finds the buffer empty")
    void w2ps8_pullProducerIsAskedOnRegisterAndOnEmptyReads() {
        CountingPullProducer<ByteBuffer> producer = CountingPullProducer.tenDigits(this.stream);
        this.stream.registerProducer(producer, false);
        assertThat(producer.counter()).as("asked at once, even with no read pending").isEqualTo(1);
        assertThat(now(this.stream.read())).isEqualTo("0");
        assertThat(producer.counter()).as("a buffered read does not ask").isEqualTo(1);
        assertThat(now(this.stream.read())).as("a read on the empty buffer asks, and gets it at once").isEqualTo("1");
        assertThat(producer.counter()).isEqualTo(2);
        for (int i = 2; i < 10; i++) {
            assertThat(now(this.stream.read())).isEqualTo(Integer.toString(i));
        }
        assertThat(producer.result()).isDone();
        CompletionStage<@Nullable ByteBuffer> waiting = this.stream.read();
        assertThat(isDone(waiting)).as("unregistering does not finish the stream").isFalse();
        this.stream.finish();
        assertThat(now(waiting)).isNull();
    }

    @Test
    @DisplayName("W2-PS7 close drops the buffer, stops the producer, completes a pending read with the end")
    void w2ps7_closeStopsTheProducer() {
        StrictPushProducer producer = new StrictPushProducer();
        this.stream.registerProducer(producer, true);
        this.stream.write(bytes("abc"));
        assertThat(now(this.stream.read())).isEqualTo("abc");
        CompletionStage<@Nullable ByteBuffer> pending = this.stream.read();
        this.stream.write(bytes("d"));
        this.stream.write(bytes("ef"));
        this.stream.close();
        assertThat(now(pending)).isEqualTo("d");

        ProducerToStream other = new ProducerToStream();
        StrictPushProducer second = new StrictPushProducer();
        other.registerProducer(second, true);
        other.write(bytes("buffered"));
        now(other.read());
        CompletionStage<@Nullable ByteBuffer> waiting = other.read();
        other.close();
        assertThat(now(waiting)).as("Twisted drops it; Sluice ends it").isNull();
        assertThat(second.events()).containsExactly("stop");
        assertThat(other.producer()).isNull();
        other.write(bytes("late"));
        assertThat(now(other.read())).isNull();
        assertThat(other.length()).hasValue(0);
        assertThat(other.droppedUnits()).isEqualTo(4);

        assertThat(producer.events()).containsExactly("stop");
        assertThat(this.stream.droppedUnits()).as("the buffered 'ef'").isEqualTo(2);
        assertThat(now(this.stream.read())).isNull();
    }

    @Test
    @DisplayName("W2-PS8 registering after close or finish stops the producer and does not register it")
    void w2ps8_registerAfterCloseOrFinishStopsTheProducer() {
        this.stream.close();
        StrictPushProducer afterClose = new StrictPushProducer();
        this.stream.registerProducer(afterClose, true);
        assertThat(afterClose.events()).containsExactly("stop");
        assertThat(this.stream.producer()).isNull();

        ProducerToStream finished = new ProducerToStream();
        finished.finish();
        CountingPullProducer<ByteBuffer> pull = CountingPullProducer.tenDigits(finished);
        finished.registerProducer(pull, false);
        assertThat(pull.isStopped()).isTrue();
        assertThat(pull.counter()).isZero();
    }

    @Test
    @DisplayName("W2-PS8 a second registration is an IllegalStateException; streaming needs a PushProducer")
    void w2ps8_secondRegistrationIsRejected() {
        this.stream.registerProducer(new RecordingPushProducer(), true);
        assertThatThrownBy(() -> this.stream.registerProducer(new RecordingPushProducer(), true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never unregistered");
        this.stream.unregisterProducer();
        assertThatThrownBy(() -> this.stream.registerProducer(CountingPullProducer.tenDigits(this.stream), true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("W2-PS4 writes after finish are ignored and counted as dropped; empty writes are ignored")
    void w2ps4_writesAfterFinishAreIgnored() {
        this.stream.write(ByteBuffer.allocate(0));
        CompletionStage<@Nullable ByteBuffer> pending = this.stream.read();
        assertThat(isDone(pending)).as("an empty write does not complete a read").isFalse();
        this.stream.write(bytes("kept"));
        assertThat(now(pending)).isEqualTo("kept");
        this.stream.finish();
        this.stream.write(bytes("late"));
        assertThat(now(this.stream.read())).isNull();
        assertThat(this.stream.droppedUnits()).isEqualTo(4);
    }

    @Test
    @DisplayName("W2-PS9 the length counts down as data is read; 0 when finished and empty; split is a fallback split")
    void w2ps9_lengthAndSplit() {
        ProducerToStream sized = new ProducerToStream(OptionalLong.of(10));
        assertThat(sized.length()).hasValue(10);
        sized.write(bytes("abcd"));
        sized.write(bytes("efgh"));
        assertThat(now(sized.read())).isEqualTo("abcd");
        assertThat(sized.length()).hasValue(6);
        ByteStream.Split split = sized.split(3);
        assertThat(split.before().length()).hasValue(3);
        assertThat(split.after().length()).hasValue(3);
        assertThat(now(split.before().read())).isEqualTo("efg");
        CompletionStage<@Nullable ByteBuffer> tail = split.after().read();
        assertThat(now(tail)).isEqualTo("h");
        CompletionStage<@Nullable ByteBuffer> rest = split.after().read();
        assertThat(isDone(rest)).isFalse();
        sized.write(bytes("ij"));
        assertThat(now(rest)).isEqualTo("ij");
        sized.finish();
        assertThat(now(split.after().read())).isNull();
        assertThat(sized.length()).hasValue(0);
        assertThat(new ProducerToStream().length()).isEmpty();
        assertThatThrownBy(() -> new ProducerToStream(OptionalLong.of(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("W2-PS2 threading: producer and reader on their own threads: all bytes in order, bound + 1 chunk")
    void w2ps2_producerThreadAndReaderThread() throws Exception {
        int chunks = 6_000;
        ThreadedProducer producer = new ThreadedProducer(this.stream, chunks);
        this.stream.registerProducer(producer, true);
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        int[] received = {0};
        Thread reader = new Thread(() -> {
            try {
                ByteBuffer chunk;
                while ((chunk = this.stream.read().toCompletableFuture().get(30, TimeUnit.SECONDS)) != null) {
                    assertThat(chunk.getInt()).isEqualTo(received[0]++);
                    // a slow reader: it reads on only once the producer has filled the buffer and paused
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!producer.isPaused() && !producer.finished && System.nanoTime() < deadline) {
                        Thread.yield();
                    }
                }
            }
            catch (Throwable ex) {
                failure.set(ex);
            }
        }, "reader");
        reader.start();
        producer.start();
        reader.join(30_000);
        producer.join();
        assertThat(failure.get()).isNull();
        assertThat(received[0]).isEqualTo(chunks);
        assertThat(producer.maxBuffered).as("high-water mark plus one 4-byte chunk").isLessThanOrEqualTo(10 + 4);
        assertThat(producer.events().stream().filter("pause"::equals).count()).isGreaterThan(500);
        assertThat(producer.violations()).isZero();
        assertThat(producer.overlaps()).isZero();
    }

    @Test
    @DisplayName("W2-PS4 writes from several threads at once: each chunk is read exactly once, each thread's in order")
    void w2ps4_concurrentWritersLoseNothing() throws Exception {
        int writers = 4;
        int perWriter = 5_000;
        ProducerToStream shared = new ProducerToStream("shared", OptionalLong.empty(), new WaterMarks(1024, 512));
        int[] next = new int[writers];
        int[] total = {0};
        CompletableFuture<Void> done = ByteStreams.readStream(shared, chunk -> {
            int writer = chunk.getInt(0);
            assertThat(chunk.getInt(4)).isEqualTo(next[writer]++);
            total[0]++;
        });
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads[w] = new Thread(() -> {
                try {
                    start.await();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perWriter; i++) {
                    shared.write(ByteBuffer.allocate(8).putInt(0, writer).putInt(4, i));
                }
            }, "writer-" + w);
            threads[w].start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        shared.finish();
        assertThat(done).succeedsWithin(Duration.ofSeconds(30));
        assertThat(total[0]).isEqualTo(writers * perWriter);
        assertThat(next).containsOnly(perWriter);
        assertThat(shared.acceptedUnits()).isEqualTo(shared.sentUnits()).isEqualTo(8L * writers * perWriter);
    }

    /** A push producer with its own thread, writing ints 0..n-1 and parking while paused; then it finishes. */
    static final class ThreadedProducer extends StrictPushProducer {

        private final Thread thread;
        volatile long maxBuffered;
        volatile boolean finished;

        ThreadedProducer(ProducerToStream target, int count) {
            this.thread = new Thread(() -> {
                int next = 0;
                while (next < count) {
                    // stops on write's false as well as on the pause: every false is followed by a pause and a resume
                    if (isPaused() || !target.isWritable()) {
                        LockSupport.park(this);
                        continue;
                    }
                    target.write(ByteBuffer.allocate(4).putInt(0, next++));
                    this.maxBuffered = Math.max(this.maxBuffered, target.bufferedUnits());
                }
                target.unregisterProducer();
                this.finished = true;
                target.finish();
            }, "threaded-producer");
            this.thread.setDaemon(true);
        }

        void start() {
            this.thread.start();
        }

        void join() throws InterruptedException {
            this.thread.join();
        }

        @Override
        protected void onTransition(String event) {
            if ("resume".equals(event)) {
                LockSupport.unpark(this.thread);
            }
        }
    }
}
