package dev.sluice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The threading contract of {@link Consumer} (DESIGN §4) under load: several threads write for one push producer
 * while a drain thread feeds a sink that keeps running out of room, for hundreds of thousands of pause/resume cycles.
 */
class BufferedConsumerConcurrencyTest {

    private static final int WRITERS = 4;

    private static final int PER_WRITER = 100_000;

    private static final long HIGH = 6;

    private static final long LOW = 3;

    private final ExecutorService drainThread = Executors.newSingleThreadExecutor(named("drain"));

    private final ExecutorService writerThreads = Executors.newFixedThreadPool(WRITERS, named("writer"));

    @AfterEach
    void shutDown() throws InterruptedException {
        this.writerThreads.shutdownNow();
        this.drainThread.shutdownNow();
        assertThat(this.writerThreads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.drainThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A chunk tagged with its writer and sequence number; its weight is its size. */
    record Chunk(int writer, int sequence, int size) {
    }

    @RepeatedTest(3)
    void manyWritersOneDrainThread_everyChunkOnceInOrder_callbacksSerializedAlternatingAndNeverLost() throws Exception {
        SlowSink sink = new SlowSink(5);
        BufferedConsumer<Chunk> consumer = drainedOnTheDrainThread(sink, new WaterMarks(HIGH, LOW));
        GatedProducer producer = new GatedProducer(consumer);
        consumer.registerProducer(producer, true);

        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(this.writerThreads.submit(() -> {
                start.await();
                for (int sequence = 0; sequence < PER_WRITER; sequence++) {
                    producer.writeWhenRunning(new Chunk(writer, sequence, 1 + (sequence % 2)));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> writer : writers) {
            writer.get(60, TimeUnit.SECONDS); // a lost resume leaves a writer parked here for good
        }
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(30)).until(() -> sink.received.get() == WRITERS * PER_WRITER);

        assertThat(sink.outOfOrder.get()).as("chunks out of per-writer order or duplicated").isZero();
        assertThat(sink.concurrentOffers.get()).as("concurrent sink offers").isZero();
        assertThat(producer.overlaps.get()).as("overlapping callbacks").isZero();
        assertThat(producer.unbalanced.get()).as("pause/resume out of alternation").isZero();
        assertThat(producer.pauses.get()).as("pause/resume cycles").isGreaterThan(10_000);
        assertThat(producer.resumes.get()).isEqualTo(producer.pauses.get() - (producer.paused ? 1 : 0));
        assertThat(producer.paused).as("left paused with an empty buffer").isFalse();
        assertThat(consumer.bufferedUnits()).isZero();
        assertThat(consumer.acceptedUnits()).isEqualTo(consumer.sentUnits());
        // the writers take turns at the gate and stop on false: at most one chunk (2) above the mark
        assertThat(producer.falseReturns.get()).as("writes that returned false").isPositive();
        assertThat(producer.maxDepth.get()).isLessThanOrEqualTo(HIGH + 2);
    }

    @Test
    void singleWriterThread_stoppingOnFalse_neverMoreThanOneChunkAboveTheHighMark() throws Exception {
        SlowSink sink = new SlowSink(3);
        BufferedConsumer<Chunk> consumer = drainedOnTheDrainThread(sink, new WaterMarks(HIGH, LOW));
        GatedProducer producer = new GatedProducer(consumer);
        consumer.registerProducer(producer, true);
        int total = 200_000;

        this.writerThreads.submit(() -> {
            for (int sequence = 0; sequence < total; sequence++) {
                producer.writeWhenRunning(new Chunk(0, sequence, 1 + (sequence % 3)));
            }
            return null;
        }).get(60, TimeUnit.SECONDS);
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(30)).until(() -> sink.received.get() == total);

        assertThat(sink.outOfOrder.get()).isZero();
        assertThat(producer.overlaps.get()).isZero();
        assertThat(producer.unbalanced.get()).isZero();
        assertThat(producer.pauses.get()).isGreaterThan(5_000);
        assertThat(producer.maxDepth.get()).isLessThanOrEqualTo(HIGH + 3); // stops on false; the largest chunk is 3
    }

    @Test
    void concurrentRegistrations_exactlyOneWinsAndTheOthersFailFast() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            BufferedConsumer<Chunk> consumer = BufferedConsumer.builder((Sink<Chunk>) chunk -> true).build();
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger won = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<Future<?>> attempts = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                attempts.add(this.writerThreads.submit(() -> {
                    start.await();
                    try {
                        consumer.registerProducer(new GatedProducer(consumer), true);
                        won.incrementAndGet();
                    }
                    catch (IllegalStateException expected) {
                        refused.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> attempt : attempts) {
                attempt.get(10, TimeUnit.SECONDS);
            }
            assertThat(won.get()).isEqualTo(1);
            assertThat(refused.get()).isEqualTo(WRITERS - 1);
        }
    }

    @Test
    void connectionLostFromAnotherThread_stopIsTheLastCallbackAndNeverOverlaps() throws Exception {
        for (int round = 0; round < 200; round++) {
            // the writer writes until the pause reaches it on the drain thread (a thread hand-over: tens of thousands of
            // writes on a loaded machine); a sink that takes 16 at a time drains that in milliseconds, not seconds
            SlowSink sink = new SlowSink(16);
            BufferedConsumer<Chunk> consumer = drainedOnTheDrainThread(sink, new WaterMarks(4, 2));
            GatedProducer producer = new GatedProducer(consumer);
            consumer.registerProducer(producer, true);
            AtomicLong written = new AtomicLong();
            Future<?> writer = this.writerThreads.submit(() -> {
                for (int sequence = 0; !producer.stopped; sequence++) {
                    producer.awaitRunningOrStopped();
                    consumer.write(new Chunk(0, sequence, 1));
                    written.incrementAndGet();
                }
                return null;
            });
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                .until(() -> producer.pauses.get() >= 3);

            consumer.connectionLost(new IllegalStateException("gone"));

            writer.get(10, TimeUnit.SECONDS);
            await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                .until(() -> consumer.bufferedUnits() == 0);
            assertThat(producer.stops.get()).isEqualTo(1);
            assertThat(producer.callbacksAfterStop.get()).isZero();
            assertThat(producer.overlaps.get()).isZero();
            assertThat(producer.unbalanced.get()).isZero();
            // what the sink did not take was dropped: buffered when the connection went, or written after it
            assertThat(consumer.sentUnits() + consumer.droppedUnits()).isEqualTo(written.get());
            assertThat(consumer.acceptedUnits()).isLessThanOrEqualTo(written.get());
        }
    }

    private BufferedConsumer<Chunk> drainedOnTheDrainThread(SlowSink sink, WaterMarks marks) {
        BufferedConsumer<Chunk> consumer = BufferedConsumer.builder(sink)
            .name("stress")
            .weigher(Chunk::size)
            .waterMarks(marks)
            .drainOn(this.drainThread)
            .build();
        sink.consumer = consumer;
        return consumer;
    }

    /**
     * A push producer whose writer threads pass a gate before each write. It checks, inside every callback, that no
     * other callback runs at the same time and that pauses and resumes alternate.
     */
    static final class GatedProducer implements PushProducer {

        private final Object gate = new Object();

        private final AtomicReference<Thread> inCallback = new AtomicReference<>();

        final BufferedConsumer<?> consumer;

        volatile boolean paused;

        volatile boolean stopped;

        final AtomicInteger pauses = new AtomicInteger();

        final AtomicInteger resumes = new AtomicInteger();

        final AtomicInteger stops = new AtomicInteger();

        final AtomicInteger overlaps = new AtomicInteger();

        final AtomicInteger unbalanced = new AtomicInteger();

        final AtomicInteger callbacksAfterStop = new AtomicInteger();

        /** Writes after which the consumer wanted a pause that had not reached the producer yet. */
        final AtomicLong falseReturns = new AtomicLong();

        final AtomicLong maxDepth = new AtomicLong();

        GatedProducer(BufferedConsumer<?> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void pauseProducing() {
            enter();
            try {
                if (this.paused) {
                    this.unbalanced.incrementAndGet();
                }
                this.paused = true;
                this.pauses.incrementAndGet();
            }
            finally {
                leave();
            }
        }

        @Override
        public void resumeProducing() {
            enter();
            try {
                if (!this.paused) {
                    this.unbalanced.incrementAndGet();
                }
                this.resumes.incrementAndGet();
                synchronized (this.gate) {
                    this.paused = false;
                    this.gate.notifyAll();
                }
            }
            finally {
                leave();
            }
        }

        @Override
        public void stopProducing() {
            enter();
            try {
                this.stops.incrementAndGet();
                synchronized (this.gate) {
                    this.stopped = true;
                    this.gate.notifyAll();
                }
            }
            finally {
                leave();
            }
        }

        /**
         * How a producer with several threads honours pauses: a writer checks the state and writes under one gate,
         * so a pause made from inside a write reaches every writer before the next write.
         */
        void writeWhenRunning(Chunk chunk) throws InterruptedException {
            @SuppressWarnings("unchecked")
            BufferedConsumer<Chunk> target = (BufferedConsumer<Chunk>) this.consumer;
            synchronized (this.gate) {
                // honours write's false: after it, waits for the consumer to want data again; every false is followed
                // by a pause and then a resume, which wakes this thread
                while (this.paused || !target.isWritable()) {
                    this.gate.wait();
                }
                if (!target.write(chunk)) {
                    this.falseReturns.incrementAndGet();
                }
                this.maxDepth.accumulateAndGet(target.bufferedUnits(), Math::max);
            }
        }

        void awaitRunningOrStopped() throws InterruptedException {
            synchronized (this.gate) {
                while (this.paused && !this.stopped) {
                    this.gate.wait();
                }
            }
        }

        private void enter() {
            if (this.stopped) {
                this.callbacksAfterStop.incrementAndGet();
            }
            if (!this.inCallback.compareAndSet(null, Thread.currentThread())) {
                this.overlaps.incrementAndGet();
            }
        }

        private void leave() {
            this.inCallback.compareAndSet(Thread.currentThread(), null);
        }
    }

    /**
     * A sink that takes a few chunks, then says it is full and becomes ready again a moment later on the drain
     * thread, as a socket does. It checks per-writer order and that offers never overlap.
     */
    static final class SlowSink implements Sink<Chunk> {

        private final int burst;

        volatile BufferedConsumer<Chunk> consumer;

        private final AtomicInteger inOffer = new AtomicInteger();

        final AtomicInteger concurrentOffers = new AtomicInteger();

        final AtomicInteger outOfOrder = new AtomicInteger();

        final AtomicInteger received = new AtomicInteger();

        private final int[] next = new int[WRITERS];

        private int taken;

        private volatile boolean ready = true;

        SlowSink(int burst) {
            this.burst = burst;
        }

        @Override
        public boolean offer(Chunk chunk) {
            if (this.inOffer.incrementAndGet() != 1) {
                this.concurrentOffers.incrementAndGet();
            }
            try {
                if (!this.ready) {
                    return false;
                }
                slowDown();
                if (++this.taken == this.burst) {
                    this.taken = 0;
                    this.ready = false;
                    ForkJoinPool.commonPool().execute(() -> {
                        this.ready = true;
                        this.consumer.drain();
                    });
                    return false;
                }
                if (chunk.sequence() != this.next[chunk.writer()]) {
                    this.outOfOrder.incrementAndGet();
                }
                this.next[chunk.writer()] = chunk.sequence() + 1;
                this.received.incrementAndGet();
                return true;
            }
            finally {
                this.inOffer.decrementAndGet();
            }
        }
    }

    /** Work the sink does per chunk so that it is slower than the writers; a sink never sleeps. */
    static long slowDown() {
        long x = System.nanoTime();
        for (int i = 0; i < 300; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return (x == 42) ? 1 : 0;
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
