package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.PullProducer;
import dev.sluice.PushProducer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * One test per numbered defect of issue 11 that concerns {@link BufferedConsumer}, its signal lane and the registry's
 * operator holds, plus Twisted-parity item (a). Each asserts the v2 contract (DESIGN §4), not v1's behaviour; each
 * failed on v1 (see the issue's torture report for the messages). Item 5 needs v2's boolean {@code write}
 * ({@code BooleanWriteContractTest}); item (b) is {@code dev.sluice.task.PullToPushBothFailTest}.
 */
class Issue11RegressionTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "issue11-" + System.nanoTime());
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).as("test threads ended").isTrue();
    }

    /** A tagged item that weighs 1. */
    record Item(int writer, int sequence) {
    }

    // ------------------------------------------------------------------ item 1

    @Test
    void item1_inlineDrainKeepsEachWritersOrderWithManyWriters() throws Exception {
        // more writers than cores, so that a writer is now and then descheduled in the middle of its enqueue, and a
        // sink that takes a little time, so that the drain loop is often busy and writes go through the buffer
        int writers = 16;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        int[] last = new int[writers];
        java.util.Arrays.fill(last, -1);
        List<String> disorder = new CopyOnWriteArrayList<>();
        AtomicLong delivered = new AtomicLong();
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(item -> {
            if (item.sequence() != last[item.writer()] + 1 && disorder.size() < 5) {
                disorder.add("writer " + item.writer() + " delivered seq " + item.sequence() + " after "
                        + last[item.writer()]);
            }
            last[item.writer()] = Math.max(last[item.writer()], item.sequence());
            delivered.incrementAndGet();
            busyFor(200);
            return true;
        }).weigher(Weigher.items()).build();
        AtomicLong written = new AtomicLong();

        runAll(writers, writer -> {
            for (int sequence = 0; disorder.isEmpty() && System.nanoTime() - giveUp < 0; sequence++) {
                consumer.write(new Item(writer, sequence));
                written.incrementAndGet();
            }
        });

        assertThat(disorder).as("per-writer order with the inline drain (DESIGN §4.4), %,d writes", written.get())
            .isEmpty();
        assertThat(delivered.get()).as("items delivered, each once").isEqualTo(written.get());
    }

    // ------------------------------------------------------------------ item 2

    @Test
    void item2_aStopAtRegistrationOnADisconnectedConsumerGoesThroughTheLane() throws Exception {
        Violations violations = new Violations();
        Checks callbacks = new Checks(violations, "issue 11 item 2", new Faults("item 2"), new AtomicLong(), false) {
            @Override
            Thread enter(CheckingProducer producer, History.Event callback) {
                Thread outer = super.enter(producer, callback);
                busyFor(20_000); // a callback that does some work (closing a file) widens the window
                return outer;
            }
        };
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(item -> true).build();
        consumer.connectionLost(null);
        AtomicBoolean registering = new AtomicBoolean(true);
        List<CheckingProducer.Push> registered = new ArrayList<>();

        Future<?> operator = this.threads.submit(() -> {
            while (registering.get()) { // runs the lane, which pauses whatever producer it sees under a hold
                consumer.holdProducer();
                consumer.releaseProducer();
            }
        });
        try {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int i = 0; i < 100_000 && violations.isEmpty() && System.nanoTime() - giveUp < 0; i++) {
                CheckingProducer.Push producer = new CheckingProducer.Push(i, callbacks);
                registered.add(producer);
                consumer.registerProducer(producer, true);
            }
        }
        finally {
            registering.set(false);
            operator.get(10, TimeUnit.SECONDS);
        }

        assertThat(violations.isEmpty()).as("callbacks to producers registered with a disconnected consumer:%n%s",
                violations.summary()).isTrue();
        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(registered).allMatch(CheckingProducer::isStopped));
    }

    // ------------------------------------------------------------------ item 3

    @Test
    void item3_operatorPauseAndResumeFromSeveralThreadsNeverLeaveTheProducerHeld() throws Exception {
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(item -> true).build();
        Violations violations = new Violations();
        CheckingProducer.Push producer = new CheckingProducer.Push(1,
                new Checks(violations, "issue 11 item 3", new Faults("item 3"), new AtomicLong(), false) {
                    @Override
                    Thread enter(CheckingProducer target, History.Event callback) {
                        Thread outer = super.enter(target, callback);
                        busyFor(5_000); // the lane is busy often, and operators are descheduled often
                        return outer;
                    }
                });
        ProducerRegistry registry = new ProducerRegistry();
        registry.registerConsumer("consumer", consumer);
        registry.registerProducer("producer", producer);
        consumer.registerProducer(producer, true);
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);

        runAll(8, operator -> {
            while (thrown.isEmpty() && System.nanoTime() - giveUp < 0) {
                try {
                    registry.pause("producer");
                    registry.resume("producer");
                }
                catch (RuntimeException ex) {
                    thrown.add(ex);
                }
            }
        });

        assertThat(thrown).as("operator pause/resume threw").isEmpty();
        ProducerSnapshot snapshot = registry.producer("producer").orElseThrow();
        assertThat(snapshot.heldByOperator()).isFalse();
        assertThat(consumer.isProducerHeld()).as("a hold left on the consumer after the last resume").isFalse();
        await().atMost(PROMPTLY).untilAsserted(() -> {
            assertThat(producer.isRunning()).as("producer resumed after the operators' last resume").isTrue();
            assertThat(registry.producer("producer").orElseThrow().state()).isNotEqualTo(ProducerState.PAUSED);
        });
        assertThat(violations.isEmpty()).as(violations.summary()).isTrue();
    }

    // ------------------------------------------------------------------ item 4

    @Test
    void item4_aSinkThatTakesPartOfAnItemAndThenThrows_theAccountsAddUp() {
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.<ByteBuffer>builder(item -> {
            item.position(item.position() + 2);
            throw new java.io.IOException("broken pipe after 2 bytes");
        }).weigher(Weigher.bytes()).build();

        consumer.write(ByteBuffer.allocate(10));

        assertThat(consumer.whenClosed()).isCompletedExceptionally();
        assertThat(accounts(consumer)).isEqualTo("accepted 10 = sent 2 + dropped 8 + buffered 0");
    }

    @Test
    void item4_aSinkThatTakesPartOfABufferedItemAndThenThrows_theAccountsAddUp() {
        AtomicBoolean refuse = new AtomicBoolean(true);
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.<ByteBuffer>builder(item -> {
            if (refuse.getAndSet(false)) {
                return false; // no room yet: the item stays buffered
            }
            item.position(item.position() + 2);
            throw new java.io.IOException("broken pipe after 2 bytes");
        }).weigher(Weigher.bytes()).build();
        consumer.write(ByteBuffer.allocate(10));

        consumer.drain();

        assertThat(consumer.whenClosed()).isCompletedExceptionally();
        assertThat(accounts(consumer)).isEqualTo("accepted 10 = sent 2 + dropped 8 + buffered 0");
    }

    @Test
    void item4_writesAfterALossAreAcceptedAndDropped() {
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.<ByteBuffer>builder(item -> true)
            .weigher(Weigher.bytes()).build();
        consumer.write(ByteBuffer.allocate(3));
        consumer.connectionLost(null);

        consumer.write(ByteBuffer.allocate(5));

        assertThat(accounts(consumer)).isEqualTo("accepted 8 = sent 3 + dropped 5 + buffered 0");
    }

    @Test
    void item4_aWeigherThatAnswersDifferentlyLaterCannotDriveTheDepthNegative() {
        AtomicBoolean sinkOpen = new AtomicBoolean();
        BufferedConsumer<AtomicInteger> consumer = BufferedConsumer.<AtomicInteger>builder(item -> sinkOpen.get())
            .weigher(timesWeighed -> timesWeighed.getAndIncrement() == 0 ? 1 : 5) // 1 at write, 5 ever after
            .waterMarks(new WaterMarks(4, 2))
            .build();
        consumer.write(new AtomicInteger());
        consumer.write(new AtomicInteger());

        sinkOpen.set(true);
        consumer.drain();

        assertThat(accounts(consumer)).isEqualTo("accepted 2 = sent 2 + dropped 0 + buffered 0");
        assertThat(consumer.isBufferFull()).as("full after everything was sent").isFalse();
    }

    // ------------------------------------------------------------------ item 6

    @Test
    void item6_writeReturnsWhileAnotherThreadIsBlockedInsideACallback() throws Exception {
        CountDownLatch writeReturned = new CountDownLatch(1);
        assertWriteReturnsWhileAnotherThreadIsInsidePause(() -> {
            try {
                writeReturned.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, writeReturned::countDown);
    }

    @Test
    void item6_writeReturnsWhileAnotherThreadIsBusyInsideACallback() throws Exception {
        AtomicBoolean writeReturned = new AtomicBoolean();
        assertWriteReturnsWhileAnotherThreadIsInsidePause(() -> {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!writeReturned.get() && System.nanoTime() - giveUp < 0) {
                Thread.onSpinWait(); // CPU work, RUNNABLE, as a callback computing or reading a pipe is
            }
        }, () -> writeReturned.set(true));
    }

    /**
     * An operator's hold makes the lane deliver pauseProducing on the operator's thread, where it stays until
     * {@code releaseCallback} runs; meanwhile a writer's write crosses the high-water mark. The write must return at
     * once, and the producer must see one pause, not two, and no overlap.
     */
    private void assertWriteReturnsWhileAnotherThreadIsInsidePause(Runnable insidePause, Runnable releaseCallback)
            throws Exception {
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(item -> false) // takes nothing
            .weigher(Weigher.items()).waterMarks(new WaterMarks(2, 1)).build();
        CountDownLatch inPause = new CountDownLatch(1);
        AtomicInteger pauses = new AtomicInteger();
        AtomicInteger inCallback = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        consumer.registerProducer(new PushProducer() {
            @Override
            public void pauseProducing() {
                if (inCallback.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                pauses.incrementAndGet();
                inPause.countDown();
                insidePause.run();
                inCallback.decrementAndGet();
            }

            @Override
            public void resumeProducing() {
            }

            @Override
            public void stopProducing() {
            }
        }, true);
        consumer.write(new Item(0, 0));
        consumer.write(new Item(0, 1));
        Future<?> operator = this.threads.submit(consumer::holdProducer);
        assertThat(inPause.await(5, TimeUnit.SECONDS)).as("the hold's pause started").isTrue();

        Future<?> crossing = this.threads.submit(() -> consumer.write(new Item(0, 2)));
        try {
            crossing.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            fail("write waited for another thread's callback: it did not return within " + PROMPTLY.toSeconds()
                    + " s while the operator's thread was inside pauseProducing (DESIGN §4.2: no thread waits for"
                    + " another)");
        }
        finally {
            releaseCallback.run();
        }
        operator.get(10, TimeUnit.SECONDS);

        assertThat(overlaps.get()).as("overlapping callbacks").isZero();
        assertThat(pauses.get()).as("pauses (one: the hold's; the crossing finds it paused)").isEqualTo(1);
        assertThat(consumer.bufferedUnits()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ item 7

    @Test
    void item7_aProducerHoldingANonReentrantLockAroundWriteDoesNotDeadlockWithADrainExecutor() throws Exception {
        AtomicBoolean sinkOpen = new AtomicBoolean();
        ExecutorService drainThread = Executors.newSingleThreadExecutor();
        try {
            BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(item -> sinkOpen.get())
                .weigher(Weigher.items()).waterMarks(new WaterMarks(4, 2)).drainOn(drainThread).build();
            LockedProducer producer = new LockedProducer(consumer);
            consumer.registerProducer(producer, true);
            Future<?> writer = this.threads.submit(() -> {
                for (int sequence = 0; sequence < 5; sequence++) { // the fifth crosses the mark
                    producer.writeLocked(new Item(0, sequence));
                }
                sinkOpen.set(true);
                producer.writeLocked(new Item(0, 5)); // in flight after the pause; the drain empties the buffer
            });

            try {
                writer.get(PROMPTLY.toSeconds() * 2, TimeUnit.SECONDS);
            }
            catch (TimeoutException ex) {
                fail("deadlock: a write by a producer holding its own non-reentrant lock did not return");
            }
            await().atMost(PROMPTLY).untilAsserted(() -> assertThat(producer.events)
                .as("paused, then resumed once the buffer drained")
                .containsExactly("pauseProducing", "resumeProducing"));
            assertThat(producer.onWritersThreadInsideWrite).as("callbacks delivered on the writer's thread inside its"
                    + " write (DESIGN §4.6 allows only the pause that write made due)")
                .isSubsetOf("pauseProducing");
            assertThat(producer.lockTimeouts.get()).as("callbacks that could not take the producer's lock").isZero();
            assertThat(consumer.bufferedUnits()).isZero();
        }
        finally {
            drainThread.shutdownNow();
        }
    }

    /**
     * The exception ConsumerSupport documents: with the inline drain no other thread exists to deliver the resume that
     * a write's own drain made due, so that write delivers it before returning (and a producer that takes its write
     * lock in resumeProducing must give its consumer an executor, as the test above does).
     */
    @Test
    void item7_withTheInlineDrainTheResumeAWriteMadeDueIsTheDocumentedException() throws Exception {
        AtomicBoolean sinkOpen = new AtomicBoolean();
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(item -> sinkOpen.get())
            .weigher(Weigher.items()).waterMarks(new WaterMarks(4, 2)).build();
        LockedProducer producer = new LockedProducer(consumer);
        consumer.registerProducer(producer, true);
        Future<?> writer = this.threads.submit(() -> {
            for (int sequence = 0; sequence < 5; sequence++) {
                producer.writeLocked(new Item(0, sequence));
            }
            sinkOpen.set(true);
            producer.writeLocked(new Item(0, 5));
        });

        writer.get(PROMPTLY.toSeconds() * 2, TimeUnit.SECONDS);
        assertThat(producer.events).containsExactly("pauseProducing", "resumeProducing");
        assertThat(producer.onWritersThreadInsideWrite).containsExactly("pauseProducing", "resumeProducing");
        assertThat(consumer.bufferedUnits()).isZero();
    }

    static final class LockedProducer implements PushProducer {

        final Semaphore lock = new Semaphore(1);

        final List<String> events = new CopyOnWriteArrayList<>();

        final List<String> onWritersThreadInsideWrite = new CopyOnWriteArrayList<>();

        final AtomicInteger lockTimeouts = new AtomicInteger();

        private final BufferedConsumer<Item> consumer;

        private volatile Thread writingThread;

        LockedProducer(BufferedConsumer<Item> consumer) {
            this.consumer = consumer;
        }

        void writeLocked(Item item) {
            this.lock.acquireUninterruptibly();
            this.writingThread = Thread.currentThread();
            try {
                this.consumer.write(item);
            }
            finally {
                this.writingThread = null;
                this.lock.release();
            }
        }

        private void record(String event) {
            this.events.add(event);
            if (this.writingThread == Thread.currentThread()) {
                this.onWritersThreadInsideWrite.add(event);
            }
        }

        @Override
        public void pauseProducing() {
            record("pauseProducing");
        }

        @Override
        public void resumeProducing() {
            record("resumeProducing");
            try {
                if (this.lock.tryAcquire(2, TimeUnit.SECONDS)) {
                    this.lock.release();
                }
                else {
                    this.lockTimeouts.incrementAndGet();
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void stopProducing() {
            record("stopProducing");
        }
    }

    // ------------------------------------------------------------------ item 8

    @Test
    void item8_aDrainExecutorThatThrowsAnythingClosesTheConsumerAndStopsTheProducer() {
        IllegalStateException broken = new IllegalStateException("executor is broken");
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(item -> true)
            .drainOn(task -> {
                throw broken;
            }).build();
        RecordingProducer producer = new RecordingProducer();
        consumer.registerProducer(producer, true);

        try {
            consumer.write(new Item(0, 0));
        }
        catch (IllegalStateException passedOn) {
            assertThat(passedOn).isSameAs(broken); // the caller may see the executor's fault, nothing else
        }

        await().atMost(PROMPTLY).untilAsserted(() -> {
            assertThat(consumer.whenClosed()).as("whenClosed after the drain executor threw").isDone();
            assertThat(producer.events).contains("stopProducing");
        });
        assertThat(consumer.whenClosed()).isCompletedExceptionally();
        assertThat(causes(consumer.whenClosed())).as("the executor's failure surfaces").contains(broken);
    }

    @Test
    void item8_aSinkWhoseAbortThrowsStillCompletesTheClose() {
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(new Sink<Item>() {
            @Override
            public boolean offer(Item item) {
                return false;
            }

            @Override
            public void abort() {
                throw new IllegalStateException("abort failed");
            }
        }).build();
        RecordingProducer producer = new RecordingProducer();
        consumer.registerProducer(producer, true);
        consumer.write(new Item(0, 0));

        try {
            consumer.abortConnection();
        }
        catch (IllegalStateException passedOn) {
            assertThat(passedOn).hasMessage("abort failed");
        }

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(consumer.whenClosed())
            .as("whenClosed after abortConnection with a throwing Sink.abort").isDone());
        assertThat(consumer.whenClosed()).isCompletedExceptionally();
        assertThat(producer.events).containsExactly("stopProducing");
        assertThat(accounts(consumer)).isEqualTo("accepted 1 = sent 0 + dropped 1 + buffered 0");
    }

    @Test
    void item8_aSinkWhoseCloseThrowsCompletesTheCloseWithThatFailure() {
        IllegalStateException closeFailure = new IllegalStateException("flush failed");
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(new Sink<Item>() {
            @Override
            public boolean offer(Item item) {
                return true;
            }

            @Override
            public void close() {
                throw closeFailure;
            }
        }).build();
        consumer.write(new Item(0, 0));

        consumer.loseConnection();

        await().atMost(PROMPTLY).until(consumer.whenClosed()::isDone);
        assertThat(causes(consumer.whenClosed())).contains(closeFailure);
    }

    @Test
    void item8_aCallbackThatThrowsStopsTheProducerAndCompletesTheClose() {
        BufferedConsumer<Item> consumer = BufferedConsumer.<Item>builder(item -> false)
            .weigher(Weigher.items()).waterMarks(new WaterMarks(0, 0)).build();
        IllegalStateException pauseFailure = new IllegalStateException("pause failed");
        RecordingProducer producer = new RecordingProducer() {
            @Override
            public void pauseProducing() {
                super.pauseProducing();
                throw pauseFailure;
            }
        };
        consumer.registerProducer(producer, true);

        consumer.write(new Item(0, 0));

        await().atMost(PROMPTLY).untilAsserted(() -> {
            assertThat(producer.events).containsExactly("pauseProducing", "stopProducing");
            assertThat(consumer.whenClosed()).isDone();
        });
        assertThat(causes(consumer.whenClosed())).contains(pauseFailure);
    }

    // ------------------------------------------------------------------ Twisted parity (a)

    @Test
    void twistedParityA_aPullProducerWhoseLastResumeWroteNothingIsAskedAgain() {
        List<String> received = new CopyOnWriteArrayList<>();
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.<ByteBuffer>builder(item -> {
            received.add(StandardCharsets.US_ASCII.decode(item).toString());
            return true;
        }).weigher(Weigher.bytes()).build();
        AtomicInteger asked = new AtomicInteger();
        consumer.registerProducer(new PullProducer() {
            @Override
            public void resumeProducing() {
                if (asked.incrementAndGet() == 2) { // the first request writes nothing (no data ready yet)
                    consumer.write(ByteBuffer.wrap("last".getBytes(StandardCharsets.US_ASCII)));
                    consumer.unregisterProducer();
                }
            }

            @Override
            public void stopProducing() {
            }
        }, false);

        consumer.loseConnection();

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(consumer.whenClosed())
            .as("loseConnection with a pull producer whose last resumeProducing wrote nothing (FD-13/14)").isDone());
        assertThat(received).containsExactly("last");
    }

    // ------------------------------------------------------------------ helpers

    /** A push producer that records its callbacks in order. */
    static class RecordingProducer implements PushProducer {

        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void pauseProducing() {
            this.events.add("pauseProducing");
        }

        @Override
        public void resumeProducing() {
            this.events.add("resumeProducing");
        }

        @Override
        public void stopProducing() {
            this.events.add("stopProducing");
        }
    }

    private interface Body {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code count} threads started together; fails if one throws or hangs. */
    private void runAll(int count, Body body) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            int thread = t;
            running.add(this.threads.submit(() -> {
                start.await();
                body.run(thread);
                return null;
            }));
        }
        start.countDown();
        for (Future<?> each : running) {
            try {
                each.get(60, TimeUnit.SECONDS);
            }
            catch (ExecutionException ex) {
                throw new AssertionError("a test thread failed", ex.getCause());
            }
        }
    }

    private static void busyFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    private static String accounts(BufferedConsumer<?> consumer) {
        return "accepted " + consumer.acceptedUnits() + " = sent " + consumer.sentUnits() + " + dropped "
                + consumer.droppedUnits() + " + buffered " + consumer.bufferedUnits();
    }

    private static List<Throwable> causes(CompletableFuture<?> future) {
        List<Throwable> chain = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        future.whenComplete((ignored, thrown) -> failure.set(thrown));
        for (Throwable cause = failure.get(); cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }
}
