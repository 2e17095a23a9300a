package dev.sluice.twisted.web2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import dev.sluice.WaterMarks;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A {@link StreamToConsumer} into a {@link ProducerToStream} over 100 MiB, read by a slow reader on another thread: the
 * bytes arrive identical, the buffer never holds more than the high-water mark plus one chunk, and the producer is
 * paused whenever the reader waits.
 */
class StreamChainTest {

    private static final long TOTAL = 100L * 1024 * 1024;
    private static final int CHUNK = 16 * 1024;
    /** The pattern repeats every 65521 bytes (a prime), so it never lines up with chunk boundaries. */
    private static final int PERIOD = 65_521;
    private static final byte[] PATTERN = new byte[PERIOD + CHUNK];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            int p = i % PERIOD;
            PATTERN[i] = (byte) (p * 131 + (p >>> 8));
        }
    }

    @Test
    @DisplayName("W2-SP7/PS2 100 MiB through StreamToConsumer -> ProducerToStream to a slow reader: identical, bounded, paused")
    void w2sp7_hundredMebibytesToASlowReader() throws Exception {
        ProducerToStream sink = new ProducerToStream("chain", OptionalLong.of(TOTAL), WaterMarks.DEFAULT);
        SignalCheck signals = new SignalCheck(sink);
        long bound = WaterMarks.DEFAULT.high() + CHUNK;

        CompletableFuture<Void> produced = new StreamToConsumer(new PatternStream(TOTAL, CHUNK))
                .beginProducing(signals);
        produced.thenRun(sink::finish);
        assertThat(sink.isProducerPaused()).as("paused before anyone reads").isTrue();
        assertThat(sink.bufferedUnits()).isGreaterThan(WaterMarks.DEFAULT.high()).isLessThanOrEqualTo(bound);

        Semaphore allowed = new Semaphore(0);
        Semaphore readsDone = new Semaphore(0);
        SlowReader reader = new SlowReader(sink, allowed, readsDone);
        reader.start();

        int batch = 64;
        int batches = 0;
        while (!reader.ended()) {
            allowed.release(batch);
            assertThat(readsDone.tryAcquire(batch, 30, TimeUnit.SECONDS)).as("reader progress").isTrue();
            batches++;
            if (!produced.isDone()) {
                assertThat(sink.isProducerPaused()).as("paused while the reader waits (batch %d)", batches).isTrue();
                assertThat(sink.bufferedUnits()).isLessThanOrEqualTo(bound);
            }
        }
        reader.join(Duration.ofSeconds(30));

        assertThat(reader.failure.get()).isNull();
        assertThat(reader.bytes.get()).isEqualTo(TOTAL);
        assertThat(reader.maxBuffered.get()).as("buffered bytes never above the bound plus one chunk")
                .isLessThanOrEqualTo(bound);
        assertThat(signals.maxBuffered.get()).isLessThanOrEqualTo(bound);
        assertThat(produced).isCompletedWithValue(null);
        assertThat(sink.length()).hasValue(0);
        assertThat(signals.pauses.get()).as("the producer paused again and again").isGreaterThan(1000);
        assertThat(signals.outOfOrder.get()).as("the producer saw pause and resume strictly alternate").isZero();
    }

    @Test
    @DisplayName("W2-SP2/SP4 reads completed on another thread, a reader on a third: identical bytes, no stall")
    void w2sp4_asynchronousSourceAndReaderThread() throws Exception {
        long total = 8L * 1024 * 1024;
        ExecutorService completer = Executors.newSingleThreadExecutor();
        try {
            ProducerToStream sink = new ProducerToStream("async", OptionalLong.empty(), new WaterMarks(16 * 1024, 8 * 1024));
            SignalCheck signals = new SignalCheck(sink);
            Semaphore allowed = new Semaphore(Integer.MAX_VALUE / 2);
            SlowReader reader = new SlowReader(sink, allowed, new Semaphore(0));
            CompletableFuture<Void> produced = new StreamToConsumer(new PatternStream(total, 4096, completer))
                    .beginProducing(signals);
            produced.thenRun(sink::finish);
            reader.start();
            reader.join(Duration.ofSeconds(30));
            assertThat(reader.failure.get()).isNull();
            assertThat(reader.ended()).isTrue();
            assertThat(reader.bytes.get()).isEqualTo(total);
            assertThat(produced).isCompletedWithValue(null);
            assertThat(signals.outOfOrder.get()).isZero();
            // the producer stops on write's false, whichever thread is delivering a callback meanwhile
            assertThat(signals.maxBuffered.get()).as("bounded: the high-water mark plus a few chunks at most")
                    .isLessThanOrEqualTo(16 * 1024 + 4 * 4096);
        }
        finally {
            completer.shutdownNow();
        }
    }

    /**
     * Sits between the StreamToConsumer and the ProducerToStream: it forwards every call, and wraps the producer so as to
     * count the pauses it receives and check that the producer sees pause and resume strictly alternate.
     */
    static final class SignalCheck implements Consumer<ByteBuffer> {
        final AtomicInteger pauses = new AtomicInteger();
        final AtomicInteger outOfOrder = new AtomicInteger();
        /** The most bytes buffered right after a write returned. */
        final AtomicLong maxBuffered = new AtomicLong();
        private final ProducerToStream target;
        private volatile boolean paused;

        SignalCheck(ProducerToStream target) {
            this.target = target;
        }

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
            PushProducer real = (PushProducer) producer;
            this.target.registerProducer(new PushProducer() {
                @Override
                public void pauseProducing() {
                    SignalCheck.this.pauses.incrementAndGet();
                    check(false);
                    real.pauseProducing();
                }

                @Override
                public void resumeProducing() {
                    check(true);
                    real.resumeProducing();
                }

                @Override
                public void stopProducing() {
                    real.stopProducing();
                }
            }, streaming);
        }

        private void check(boolean wasPaused) {
            if (this.paused != wasPaused) {
                this.outOfOrder.incrementAndGet();
            }
            this.paused = !wasPaused;
        }

        @Override
        public void unregisterProducer() {
            this.target.unregisterProducer();
        }

        @Override
        public boolean write(ByteBuffer data) {
            boolean more = this.target.write(data); // passed on: the producer stops on false
            this.maxBuffered.accumulateAndGet(this.target.bufferedUnits(), Math::max);
            return more;
        }
    }

    /** Reads one chunk per permit, checks it against the pattern, and reports each read. */
    static final class SlowReader extends Thread {
        private final ProducerToStream stream;
        private final Semaphore allowed;
        private final Semaphore readsDone;
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong maxBuffered = new AtomicLong();
        final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        private volatile boolean ended;

        SlowReader(ProducerToStream stream, Semaphore allowed, Semaphore readsDone) {
            super("slow-reader");
            setDaemon(true);
            this.stream = stream;
            this.allowed = allowed;
            this.readsDone = readsDone;
        }

        boolean ended() {
            return this.ended;
        }

        void join(Duration timeout) throws InterruptedException {
            join(timeout.toMillis());
        }

        @Override
        public void run() {
            try {
                for (;;) {
                    this.allowed.acquire();
                    ByteBuffer chunk = this.stream.read().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    this.maxBuffered.accumulateAndGet(this.stream.bufferedUnits(), Math::max);
                    if (chunk == null) {
                        break;
                    }
                    long offset = this.bytes.get();
                    int from = (int) (offset % PERIOD);
                    int size = chunk.remaining();
                    if (!ByteBuffer.wrap(PATTERN, from, size).equals(chunk)) {
                        throw new AssertionError("bytes differ in the chunk at offset " + offset);
                    }
                    this.bytes.addAndGet(size);
                    this.readsDone.release();
                }
            }
            catch (Throwable ex) {
                this.failure.set(ex);
            }
            finally {
                this.ended = true;
                this.readsDone.release(Integer.MAX_VALUE / 2);
            }
        }
    }

    /**
     * A source of {@code total} pattern bytes in chunks of {@code chunk}: synchronous, or with an executor, each read
     * completed there.
     */
    static final class PatternStream extends UnknownLengthStream {
        private final long total;
        private final int chunk;
        private final @Nullable Executor completer;
        private long offset;

        PatternStream(long total, int chunk) {
            this(total, chunk, null);
        }

        PatternStream(long total, int chunk, @Nullable Executor completer) {
            this.total = total;
            this.chunk = chunk;
            this.completer = completer;
        }

        @Override
        public CompletionStage<@Nullable ByteBuffer> read() {
            if (this.offset >= this.total) {
                return CompletableFuture.completedFuture(null);
            }
            int size = (int) Math.min(this.chunk, this.total - this.offset);
            byte[] out = new byte[size];
            System.arraycopy(PATTERN, (int) (this.offset % PERIOD), out, 0, size);
            this.offset += size;
            ByteBuffer data = ByteBuffer.wrap(out);
            return (this.completer == null) ? CompletableFuture.completedFuture(data)
                    : CompletableFuture.supplyAsync(() -> data, this.completer);
        }

        @Override
        public void close() {
            this.offset = this.total;
        }
    }
}
