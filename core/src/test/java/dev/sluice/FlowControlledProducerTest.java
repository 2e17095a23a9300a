package dev.sluice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import dev.sluice.testing.RecordingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link FlowControlledProducer}: a {@code false} pauses the source once, a resume resumes it once, a resume that
 * races the {@code false} is never lost, the hooks never overlap, and a thread can wait for the resume.
 */
class FlowControlledProducerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CheckedSource source = new CheckedSource();

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.source.violation.get()).as("hook order").isNull();
    }

    private FlowControlledProducer<Integer> producer(Consumer<Integer> consumer) {
        return FlowControlledProducer.builder(consumer)
            .onPause(this.source::pause)
            .onResume(this.source::resume)
            .onStop(this.source::close)
            .build();
    }

    @Test
    void aFalsePausesTheSourceBeforeWriteReturns_thePauseCallbackAddsNothing_theResumeResumesIt() {
        ScriptedConsumer consumer = new ScriptedConsumer(item -> item < 3);
        FlowControlledProducer<Integer> producer = producer(consumer);

        assertThat(producer.write(1)).isTrue();
        assertThat(this.source.calls).isEmpty();
        assertThat(producer.write(3)).isFalse();
        assertThat(this.source.calls).containsExactly("pause");
        assertThat(producer.isPaused()).isTrue();

        producer.pauseProducing(); // the consumer's callback for the same crossing
        assertThat(this.source.calls).containsExactly("pause");

        producer.resumeProducing();
        assertThat(this.source.calls).containsExactly("pause", "resume");
        assertThat(producer.isPaused()).isFalse();
        assertThat(consumer.written).containsExactly(1, 3);
    }

    @Test
    void theCallbacksAloneDriveTheSource_andFalsesWhilePausedAddNothing() {
        ScriptedConsumer consumer = new ScriptedConsumer(item -> false);
        FlowControlledProducer<Integer> producer = producer(consumer);

        producer.pauseProducing();
        producer.write(1);
        producer.write(2);
        producer.resumeProducing();
        producer.pauseProducing();
        producer.resumeProducing();

        assertThat(this.source.calls).containsExactly("pause", "resume", "pause", "resume");
    }

    @Test
    void aResumeThatArrivesWhileTheWriteIsInTheConsumerAnswersItsFalse_theSourceIsNotLeftPaused() {
        AtomicReference<FlowControlledProducer<Integer>> self = new AtomicReference<>();
        ScriptedConsumer consumer = new ScriptedConsumer(item -> {
            self.get().pauseProducing(); // another thread delivers the pause and the resume this write made due ...
            self.get().resumeProducing();
            return false; // ... before the write has returned its false
        });
        FlowControlledProducer<Integer> producer = producer(consumer);
        self.set(producer);

        assertThat(producer.write(1)).isFalse();

        assertThat(this.source.calls).containsExactly("pause", "resume");
        assertThat(this.source.paused).isFalse();
        assertThat(producer.isPaused()).isFalse();
    }

    @Test
    void aResumeForAnEarlierPauseThatArrivesBeforeTheCrossingLeavesTheNewPauseToItsCallback() {
        AtomicReference<FlowControlledProducer<Integer>> self = new AtomicReference<>();
        ScriptedConsumer consumer = new ScriptedConsumer(item -> {
            self.get().resumeProducing(); // answers the earlier pause, before this write crosses again
            return false;
        });
        FlowControlledProducer<Integer> producer = producer(consumer);
        self.set(producer);
        producer.pauseProducing();

        producer.write(1);
        assertThat(this.source.calls).containsExactly("pause", "resume"); // no pause for a false it cannot place

        producer.pauseProducing(); // the callback for this write's crossing comes, as promised
        producer.resumeProducing();
        assertThat(this.source.calls).containsExactly("pause", "resume", "pause", "resume");
    }

    @Test
    void stopClosesTheSourceOnce_lastOfAll_andLaterCallbacksDoNothing() {
        FlowControlledProducer<Integer> producer = producer(new ScriptedConsumer(item -> false));
        producer.write(1);

        producer.stopProducing();
        producer.stopProducing();
        producer.resumeProducing();
        producer.pauseProducing();
        producer.write(2);

        assertThat(this.source.calls).containsExactly("pause", "close");
        assertThat(producer.isStopped()).isTrue();
        assertThat(producer.isPaused()).isFalse();
    }

    @Test
    void writesAreHandedToTheConsumerAfterTheStop_whichDropsAndCountsThem() {
        ScriptedConsumer consumer = new ScriptedConsumer(item -> true);
        FlowControlledProducer<Integer> producer = producer(consumer);
        producer.stopProducing();

        assertThat(producer.write(7)).isTrue();

        assertThat(consumer.written).containsExactly(7);
    }

    @Test
    void aHookThatThrowsStopsTheProducer_closesTheSource_andReachesTheThreadThatRanIt() {
        IllegalStateException broken = new IllegalStateException("pause broke");
        List<String> calls = new CopyOnWriteArrayList<>();
        FlowControlledProducer<Integer> producer = FlowControlledProducer.builder(new ScriptedConsumer(item -> false))
            .onPause(() -> {
                calls.add("pause");
                throw broken;
            })
            .onStop(() -> calls.add("close"))
            .build();

        assertThatThrownBy(() -> producer.write(1)).isSameAs(broken);

        assertThat(calls).containsExactly("pause", "close");
        assertThat(producer.isStopped()).isTrue();
        producer.resumeProducing();
        producer.stopProducing();
        assertThat(calls).containsExactly("pause", "close");
    }

    @Test
    void aThrowingResumeHookReachesTheConsumersCallback_andAFailingCloseIsAddedAsSuppressed() {
        Error resumeFailure = new Error("resume broke");
        IllegalStateException closeFailure = new IllegalStateException("close broke");
        FlowControlledProducer<Integer> producer = FlowControlledProducer.builder(new ScriptedConsumer(item -> true))
            .onResume(() -> {
                throw resumeFailure;
            })
            .onStop(() -> {
                throw closeFailure;
            })
            .build();
        producer.pauseProducing();

        assertThatThrownBy(producer::resumeProducing).isSameAs(resumeFailure);

        assertThat(resumeFailure.getSuppressed()).containsExactly(closeFailure);
        assertThat(producer.isStopped()).isTrue();
    }

    @Test
    void aHookThatWritesDoesNotRecurse_theNextHookWaitsForItToReturn() {
        AtomicReference<FlowControlledProducer<Integer>> self = new AtomicReference<>();
        AtomicInteger depth = new AtomicInteger();
        List<String> calls = new CopyOnWriteArrayList<>();
        ScriptedConsumer consumer = new ScriptedConsumer(item -> item < 5);
        FlowControlledProducer<Integer> producer = FlowControlledProducer.builder(consumer)
            .onPause(() -> calls.add("pause at depth " + depth.get()))
            .onResume(() -> {
                depth.incrementAndGet();
                calls.add("resume");
                for (int i = 0; i < 10; i++) {
                    self.get().write(i); // a source that emits from inside resume: the fifth gets false
                }
                depth.decrementAndGet();
            })
            .build();
        self.set(producer);
        producer.pauseProducing();

        producer.resumeProducing();

        assertThat(calls).containsExactly("pause at depth 0", "resume", "pause at depth 0");
        assertThat(consumer.written).hasSize(10);
    }

    @Test
    void awaitWritableReturnsAtOnceWhenRunning_blocksWhilePaused_andReturnsTrueOnTheResume() throws Exception {
        FlowControlledProducer<Integer> producer = producer(new ScriptedConsumer(item -> false));
        assertThat(producer.awaitWritable()).isTrue();
        producer.write(1);

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> awaitQuietly(producer), this.threads);
        await().during(Duration.ofMillis(50)).atMost(TIMEOUT).until(() -> !waiting.isDone());

        producer.resumeProducing();

        assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void awaitWritableReturnsFalseOnTheStop_andOnTheTimeout() throws Exception {
        FlowControlledProducer<Integer> producer = producer(new ScriptedConsumer(item -> false));
        producer.write(1);
        assertThat(producer.awaitWritable(Duration.ofMillis(20))).isFalse();
        assertThat(producer.isStopped()).isFalse();

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> awaitQuietly(producer), this.threads);
        await().during(Duration.ofMillis(50)).atMost(TIMEOUT).until(() -> !waiting.isDone());
        producer.stopProducing();

        assertThat(waiting.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(producer.awaitWritable()).isFalse();
    }

    @Test
    void anInterruptedWaitThrows() {
        FlowControlledProducer<Integer> producer = producer(new ScriptedConsumer(item -> false));
        producer.write(1);

        Thread.currentThread().interrupt();
        assertThatThrownBy(producer::awaitWritable).isInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void whenRegisteredStartsTheSourceOnceOnItsFirstRegistration() {
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(RecordingSink.<Integer>accepting())
            .name("c")
            .build();
        List<FlowControlledProducer<Integer>> started = new CopyOnWriteArrayList<>();
        FlowControlledProducer<Integer> producer = FlowControlledProducer.builder(consumer)
            .whenRegistered(started::add)
            .build();

        consumer.registerProducer(new dev.sluice.testing.RecordingPushProducer(), true);
        consumer.unregisterProducer();
        assertThat(started).isEmpty();
        consumer.registerProducer(producer, true);
        consumer.unregisterProducer();
        consumer.registerProducer(producer, true);

        await().atMost(TIMEOUT).until(() -> !started.isEmpty());
        assertThat(started).containsExactly(producer);
        assertThatIllegalArgumentException()
            .isThrownBy(() -> FlowControlledProducer.builder(new ScriptedConsumer(item -> true))
                .whenRegistered(started::add))
            .withMessageContaining("ConsumerSupport");
    }

    /**
     * The race, forced and free: each round a write crosses the mark and gets {@code false} while another thread
     * delivers the pause and the resume of that crossing. Some rounds pin the order (the resume lands before the
     * writer handles its {@code false}; the writer pauses the source first), the others race freely. After every round
     * the source must be running, and the hooks must never have overlapped or repeated an edge.
     */
    @Test
    void aResumeRacingAFalseIsNeverLost_andTheSourceIsNeverLeftPaused() throws Exception {
        int rounds = Integer.getInteger("sluice.flow.stress.rounds", 20_000);
        RacingConsumer consumer = new RacingConsumer();
        FlowControlledProducer<Integer> producer = producer(consumer);
        int[] outcomes = new int[3]; // the writer paused the source; the callback thread did; nobody (coalesced)
        for (int round = 0; round < rounds; round++) {
            consumer.startRound(round);
            CompletableFuture<Void> callbacks = CompletableFuture.runAsync(() -> consumer.deliver(producer),
                    this.threads);
            assertThat(producer.write(round)).isFalse();
            consumer.writeReturned.countDown();
            callbacks.get(10, TimeUnit.SECONDS);

            assertThat(this.source.paused).as("source paused after round %d", round).isFalse();
            assertThat(producer.isPaused()).isFalse();
            String pausedBy = this.source.lastPauser.getAndSet(null);
            outcomes[(pausedBy == null) ? 2 : pausedBy.equals(Thread.currentThread().getName()) ? 0 : 1]++;
        }
        assertThat(this.source.violation.get()).isNull();
        assertThat(outcomes[0]).as("rounds where the writer paused the source").isPositive();
        assertThat(outcomes[1] + outcomes[2]).as("rounds where the resume came before the false was handled")
            .isPositive();
    }

    /**
     * The helper with a real consumer: two threads write through one producer and wait for the resume, never for
     * {@code isWritable()}; a wait that times out is a lost wake-up. Everything arrives, each writer's items in order,
     * the buffer stays within the high-water mark plus one item per writer, and the source ends running.
     */
    @Test
    void twoWritersThatWaitForTheResumeThroughABufferedConsumer_noLostWakeUp_boundedAndComplete() throws Exception {
        int perWriter = Integer.getInteger("sluice.flow.stress.items", 50_000);
        ExecutorService drainThread = Executors.newSingleThreadExecutor();
        DepthSink sink = new DepthSink();
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(sink)
            .name("flow")
            .weigher(Weigher.items())
            .waterMarks(new WaterMarks(8, 4))
            .drainOn(drainThread)
            .build();
        sink.consumer = consumer;
        FlowControlledProducer<Integer> producer = producer(consumer);
        consumer.registerProducer(producer, true);
        try {
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        if (!awaitQuietly(producer)) {
                            throw new AssertionError("lost wake-up: no resume within " + TIMEOUT + " at item " + i);
                        }
                        producer.write(writer * perWriter + i);
                    }
                }, this.threads));
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            await().atMost(TIMEOUT).until(() -> sink.taken.size() == 2 * perWriter);
        }
        finally {
            drainThread.shutdownNow();
        }
        for (int w = 0; w < 2; w++) {
            int first = w * perWriter;
            List<Integer> taken;
            synchronized (sink.taken) {
                taken = List.copyOf(sink.taken);
            }
            assertThat(taken.stream().filter(item -> item >= first && item < first + perWriter).toList())
                .isSorted()
                .hasSize(perWriter);
        }
        assertThat(sink.deepest).isLessThanOrEqualTo(8 + 2);
        // the source's hooks follow the producer's state on whichever thread runs them, a moment later: both end
        // running (seen once under load: the source resumed while the last false's pause was still on its way)
        await().atMost(TIMEOUT).until(() -> !this.source.paused && !producer.isPaused());
    }

    private static boolean awaitQuietly(FlowControlledProducer<?> producer) {
        try {
            return producer.awaitWritable(TIMEOUT);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** A source that checks its hooks: never two at once, pause and resume alternating, close once and last. */
    static final class CheckedSource {

        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        final AtomicReference<String> violation = new AtomicReference<>();

        final AtomicReference<String> lastPauser = new AtomicReference<>();

        private final AtomicInteger inside = new AtomicInteger();

        volatile boolean paused;

        private volatile boolean closed;

        void pause() {
            enter("pause", this.paused || this.closed);
            this.paused = true;
            this.lastPauser.set(Thread.currentThread().getName());
            this.inside.decrementAndGet();
        }

        void resume() {
            enter("resume", !this.paused || this.closed);
            this.paused = false;
            this.inside.decrementAndGet();
        }

        void close() {
            enter("close", this.closed);
            this.closed = true;
            this.inside.decrementAndGet();
        }

        private void enter(String hook, boolean illegal) {
            if (this.inside.getAndIncrement() != 0) {
                this.violation.compareAndSet(null, hook + " overlapped another hook");
            }
            if (illegal) {
                this.violation.compareAndSet(null, hook + " repeated an edge or came after close: " + this.calls);
            }
            this.calls.add(hook);
        }
    }

    /** A consumer that only answers writes: registration is the test's business. */
    abstract static class AnsweringConsumer implements Consumer<Integer> {

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
        }

        @Override
        public void unregisterProducer() {
        }
    }

    /** A consumer whose {@code write} answers as a predicate says, running whatever the predicate does. */
    static final class ScriptedConsumer extends AnsweringConsumer {

        final List<Integer> written = new CopyOnWriteArrayList<>();

        private final Predicate<Integer> answer;

        ScriptedConsumer(Predicate<Integer> answer) {
            this.answer = answer;
        }

        @Override
        public boolean write(Integer data) {
            this.written.add(data);
            return this.answer.test(data);
        }
    }

    /**
     * A consumer each of whose writes crosses the mark: the write returns {@code false}, and another thread delivers
     * that crossing's pause and resume, in the order the round's schedule says.
     */
    static final class RacingConsumer extends AnsweringConsumer {

        private int schedule;

        private int round;

        private CountDownLatch crossed;

        private CountDownLatch resumed;

        CountDownLatch writeReturned;

        void startRound(int round) {
            this.round = round;
            this.schedule = round % 4;
            this.crossed = new CountDownLatch(1);
            this.resumed = new CountDownLatch(1);
            this.writeReturned = new CountDownLatch(1);
        }

        @Override
        public boolean write(Integer data) {
            this.crossed.countDown();
            if (this.schedule == 1) {
                awaitLatch(this.resumed); // the resume lands before the writer has seen its false
            }
            else if (this.schedule == 3) {
                spin(data);
            }
            return false;
        }

        /** The consumer's other thread: the pause and the resume this round's crossing made due. */
        void deliver(FlowControlledProducer<Integer> producer) {
            awaitLatch(this.crossed);
            if (this.schedule == 2) {
                awaitLatch(this.writeReturned); // the writer has handled its false first
            }
            else if (this.schedule == 3) {
                spin(this.round * 7);
            }
            producer.pauseProducing();
            producer.resumeProducing();
            this.resumed.countDown();
        }

        private static void spin(int seed) {
            int turns = Math.floorMod(seed * 31 + 17, 64);
            for (int i = 0; i < turns; i++) {
                Thread.onSpinWait();
            }
        }

        private static void awaitLatch(CountDownLatch latch) {
            try {
                if (!latch.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the other side of the round did not come");
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    /** Takes everything and records the deepest buffer it saw. */
    static final class DepthSink implements Sink<Integer> {

        final List<Integer> taken = Collections.synchronizedList(new ArrayList<>());

        volatile BufferedConsumer<Integer> consumer;

        volatile long deepest;

        @Override
        public boolean offer(Integer item) {
            long depth = this.consumer.bufferedUnits(); // the item offered is still counted
            if (depth > this.deepest) {
                this.deepest = depth;
            }
            this.taken.add(item);
            return true;
        }
    }
}
