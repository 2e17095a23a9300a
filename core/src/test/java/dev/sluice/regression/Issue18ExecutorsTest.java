package dev.sluice.regression;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.Latches;
import dev.sluice.testing.RecordingProducerListener;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.TestThreads;
import dev.sluice.testing.TracingPushProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18, defects 2 and 8: drain executors. A caller-runs executor behaves like the inline drain (no livelock, no
 * recursion, DESIGN §4.8); an executor on another thread takes every callback and listener event off the writing
 * thread (§4.6).
 */
class Issue18ExecutorsTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    private final TestThreads threads = new TestThreads("issue18-executors");

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.close();
    }

    /**
     * Defect 2 with {@code Runnable::run} (as Spring's {@code SyncTaskExecutor}): a push producer is paused from
     * inside a write while the network thread drains the buffer, so a resume is due when the pause returns. The write
     * must return, and the items arrive in order.
     *
     * <p>Fails on 65a6063: "write did not return within PT5S: livelock, the caller-runs executor ran 30,154,355 tasks
     * meanwhile" (14 to 56 million in the runs made). The write's pauses-only lane run hands the due resume to the
     * executor, which runs it on the caller, where it cannot enter the lane but adds work, so the run goes round and
     * hands it over again, for ever. (The executor's fuse, blown after the timeout, lets the spinning thread out.)
     */
    @Test
    void defect2_aCallerRunsExecutorLikeRunnableRunDoesNotLivelock() throws Exception {
        Fuse fuse = new Fuse();
        assertWritesReturnAndArriveInOrder(task -> {
            fuse.pass();
            task.run();
        }, fuse);
    }

    /**
     * Defect 2 with a {@link ThreadPoolExecutor} whose {@link ThreadPoolExecutor.CallerRunsPolicy} runs every task on
     * the caller because its one worker is busy: as {@link #defect2_aCallerRunsExecutorLikeRunnableRunDoesNotLivelock}.
     *
     * <p>Fails on 65a6063 as that test does: "write did not return within PT5S: livelock, the caller-runs executor ran
     * 37,368,674 tasks meanwhile".
     */
    @Test
    void defect2_aSaturatedPoolWithCallerRunsPolicyDoesNotLivelock() throws Exception {
        CountDownLatch workerFree = new CountDownLatch(1);
        Fuse fuse = new Fuse();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(),
                TestThreads.daemon("saturated-pool"), new ThreadPoolExecutor.CallerRunsPolicy() {
                    @Override
                    public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
                        fuse.pass();
                        super.rejectedExecution(task, executor);
                    }
                });
        try {
            pool.execute(() -> { // its only worker is busy for the whole test: every later task runs on the caller
                try {
                    workerFree.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            assertWritesReturnAndArriveInOrder(pool, fuse);
        }
        finally {
            workerFree.countDown();
            pool.shutdown();
        }
    }

    /**
     * Writer W writes three items into a consumer whose drain runs on {@code executor}, a caller-runs one; the third
     * crosses the high-water mark, and while the producer's {@code pauseProducing} runs, the network thread opens the
     * sink and drains. W's write must return within 5 s, the producer must get its resume, and the items must arrive
     * in order.
     */
    private void assertWritesReturnAndArriveInOrder(Executor executor, Fuse fuse) throws Exception {
        RecordingSink<Integer> sink = RecordingSink.limited();
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(sink).name("defect2").weigher(Weigher.items())
            .waterMarks(new WaterMarks(2, 0)).drainOn(executor).build();
        CountDownLatch inPause = new CountDownLatch(1);
        CountDownLatch drained = new CountDownLatch(1);
        TracingPushProducer producer = slowToPause("P", inPause, drained); // the network drains meanwhile
        consumer.registerProducer(producer, true);

        Future<?> writer = this.threads.submit(() -> {
            for (int item = 0; item < 3; item++) {
                consumer.write(item);
            }
        });
        Future<?> network = this.threads.submit(() -> {
            Latches.awaitAtMost(inPause, PROMPTLY);
            sink.grant(Long.MAX_VALUE);
            consumer.drain();
            drained.countDown();
        });
        try {
            writer.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            long ran = fuse.blow();
            fail("write did not return within %s: livelock, the caller-runs executor ran %,d tasks meanwhile",
                    PROMPTLY, ran);
        }
        network.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        consumer.write(3);

        await().atMost(PROMPTLY).untilAsserted(() -> {
            assertThat(sink.items()).as("items delivered, in order").containsExactly(0, 1, 2, 3);
            assertThat(producer.names()).as("the producer's callbacks").containsExactly("pause", "resume");
        });
    }

    /**
     * Defect 8, nesting with a drain executor: writer W's write crosses the high-water mark while push producer P0 is
     * registered; while P0's pause is in progress another thread unregisters P0 and registers P1. W must receive no
     * callback and no listener event at all (§4.6: with a drain executor everything goes out on the executor), and
     * P1 gets its pause there.
     *
     * <p>Fails on 65a6063: "callbacks and listener events on the writing thread" is {@code [unregistered P0,
     * registered P1, paused P0, paused P1, P0.pause, P1.pause]}, all on W: the write's pauses-only lane run delivers
     * another producer's registration events and that producer's pause on the writer (v2 allowed W only P0's pause).
     */
    @Test
    void defect8_withADrainExecutorTheWriterReceivesNoCallbackAndNoListenerEvent() throws Exception {
        ExecutorService drainThread = Executors.newSingleThreadExecutor(TestThreads.daemon("drain"));
        try {
            BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> false) // takes nothing
                .name("defect8").weigher(Weigher.items()).waterMarks(new WaterMarks(2, 1)).drainOn(drainThread)
                .build();
            RecordingProducerListener listener = new RecordingProducerListener();
            consumer.addProducerListener(listener);
            AtomicReference<Thread> writerThread = new AtomicReference<>();
            CountDownLatch inPause = new CountDownLatch(1);
            CountDownLatch swapped = new CountDownLatch(1);
            TracingPushProducer first = slowToPause("P0", inPause, swapped);
            TracingPushProducer second = new TracingPushProducer("P1");
            consumer.registerProducer(first, true);

            Future<?> writer = this.threads.submit(() -> {
                writerThread.set(Thread.currentThread());
                for (int item = 0; item < 3; item++) {
                    consumer.write(item);
                }
            });
            inPause.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS); // wherever P0's pause runs
            consumer.unregisterProducer();
            consumer.registerProducer(second, true);
            swapped.countDown();
            writer.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);

            await().atMost(PROMPTLY).untilAsserted(() -> assertThat(second.names())
                .as("P1, registered with a full buffer, is paused").containsExactly("pause"));
            Thread w = writerThread.get();
            List<Object> onWriter = new ArrayList<>(listener.on(w));
            first.callsOn(w).forEach(call -> onWriter.add("P0." + call));
            second.callsOn(w).forEach(call -> onWriter.add("P1." + call));
            assertThat(onWriter).as("callbacks and listener events on the writing thread %s", w.getName()).isEmpty();
        }
        finally {
            drainThread.shutdownNow();
        }
    }

    /**
     * A producer whose {@code pauseProducing} takes a moment: it opens {@code inPause}, then waits (5 s at most) for
     * {@code goOn}.
     */
    private static TracingPushProducer slowToPause(String name, CountDownLatch inPause, CountDownLatch goOn) {
        return new TracingPushProducer(name) {
            @Override
            protected void onCall(String call) {
                if (call.equals("pause")) {
                    inPause.countDown();
                    Latches.awaitAtMost(goOn, PROMPTLY);
                }
            }
        };
    }

    /** Lets a thread spinning in a caller-runs executor out once a test has given up on it. */
    private static final class Fuse {

        private final AtomicLong ran = new AtomicLong();

        private volatile boolean blown;

        /** Counts a task about to run on the caller; refuses it once the fuse is blown. */
        void pass() {
            if (this.blown) {
                throw new RejectedExecutionException("the test gave up on this executor");
            }
            this.ran.incrementAndGet();
        }

        /** From now on the executor refuses every task; returns how many it ran. */
        long blow() {
            this.blown = true;
            return this.ran.get();
        }
    }
}
