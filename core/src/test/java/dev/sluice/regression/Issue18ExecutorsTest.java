package dev.sluice.regression;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
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

    private final ExecutorService threads = Executors.newCachedThreadPool(daemon("issue18-executors"));

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).as("test threads ended").isTrue();
    }

    /**
     * Defect 2 with {@code Runnable::run} (as Spring's {@code SyncTaskExecutor}): a push producer is paused from
     * inside a write while the network thread drains the buffer, so a resume is due when the pause returns. The write
     * must return, and the items arrive in order.
     *
     * <p>Fails on 65a6063: "write did not return within PT5S: livelock, the caller-runs executor ran 1 000 000s of
     * tasks meanwhile". The write's pauses-only lane run hands the due resume to the executor, which runs it on the
     * caller, where it cannot enter the lane but adds work, so the run goes round and hands it over again, for ever.
     * (The executor's fuse, blown after the timeout, lets the spinning thread out.)
     */
    @Test
    void defect2_aCallerRunsExecutorLikeRunnableRunDoesNotLivelock() throws Exception {
        FusedCallerRuns executor = new FusedCallerRuns();
        assertWritesReturnAndArriveInOrder(executor, executor);
    }

    /**
     * Defect 2 with a {@link ThreadPoolExecutor} whose {@link ThreadPoolExecutor.CallerRunsPolicy} runs every task on
     * the caller because its one worker is busy: as {@link #defect2_aCallerRunsExecutorLikeRunnableRunDoesNotLivelock}.
     *
     * <p>Fails on 65a6063 as that test does: the write never returns, millions of tasks run by the policy.
     */
    @Test
    void defect2_aSaturatedPoolWithCallerRunsPolicyDoesNotLivelock() throws Exception {
        CountDownLatch workerFree = new CountDownLatch(1);
        FusedPolicy policy = new FusedPolicy();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("saturated-pool"), policy);
        try {
            pool.execute(() -> { // its only worker is busy for the whole test: every later task runs on the caller
                try {
                    workerFree.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            assertWritesReturnAndArriveInOrder(pool, policy);
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
        AtomicBoolean sinkOpen = new AtomicBoolean();
        List<Integer> delivered = new CopyOnWriteArrayList<>();
        BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> {
            if (!sinkOpen.get()) {
                return false;
            }
            delivered.add(item);
            return true;
        }).name("defect2").weigher(Weigher.items()).waterMarks(new WaterMarks(2, 0)).drainOn(executor).build();
        CountDownLatch inPause = new CountDownLatch(1);
        CountDownLatch drained = new CountDownLatch(1);
        TracingPushProducer producer = new TracingPushProducer("P") {
            @Override
            protected void onCall(String call) {
                if (call.equals("pause")) {
                    inPause.countDown();
                    Issue18ExecutorsTest.awaitBriefly(drained); // a pause that takes a moment: the network drains meanwhile
                }
            }
        };
        consumer.registerProducer(producer, true);

        Future<?> writer = this.threads.submit(() -> {
            for (int item = 0; item < 3; item++) {
                consumer.write(item);
            }
        });
        Future<?> network = this.threads.submit(() -> {
            awaitBriefly(inPause);
            sinkOpen.set(true);
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
            assertThat(delivered).as("items delivered, in order").containsExactly(0, 1, 2, 3);
            assertThat(producer.names()).as("the producer's callbacks").containsExactly("pause", "resume");
        });
    }

    /**
     * Defect 8, nesting with a drain executor: writer W's write crosses the high-water mark while push producer P0 is
     * registered; while P0's pause is in progress another thread unregisters P0 and registers P1. W must receive no
     * callback and no listener event at all (§4.6: with a drain executor everything goes out on the executor), and
     * P1 gets its pause there.
     *
     * <p>Fails on 65a6063: "callbacks and listener events on the writing thread" lists P0's pause, then
     * {@code paused P0}, {@code unregistered P0}, {@code registered P1} and P1's pause, all on W: the write's
     * pauses-only lane run delivers another producer's registration events and that producer's pause on the writer.
     */
    @Test
    void defect8_withADrainExecutorTheWriterReceivesNoCallbackAndNoListenerEvent() throws Exception {
        ExecutorService drainThread = Executors.newSingleThreadExecutor(daemon("drain"));
        try {
            BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> false) // takes nothing
                .name("defect8").weigher(Weigher.items()).waterMarks(new WaterMarks(2, 1)).drainOn(drainThread)
                .build();
            List<String> onWriter = new CopyOnWriteArrayList<>();
            AtomicReference<Thread> writerThread = new AtomicReference<>();
            consumer.addProducerListener(new RecordingListener(onWriter, writerThread));
            CountDownLatch inPause = new CountDownLatch(1);
            CountDownLatch swapped = new CountDownLatch(1);
            TracingPushProducer first = new TracingPushProducer("P0") {
                @Override
                protected void onCall(String call) {
                    if (call.equals("pause")) {
                        inPause.countDown();
                        Issue18ExecutorsTest.awaitBriefly(swapped);
                    }
                }
            };
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
            first.callsOn(w).forEach(call -> onWriter.add("P0." + call));
            second.callsOn(w).forEach(call -> onWriter.add("P1." + call));
            assertThat(onWriter).as("callbacks and listener events on the writing thread %s", w.getName()).isEmpty();
        }
        finally {
            drainThread.shutdownNow();
        }
    }

    /** Records the listener events made on the writer's thread. */
    private record RecordingListener(List<String> onWriter, AtomicReference<Thread> writer)
        implements ProducerListener {

        private void on(String event, Producer producer) {
            if (Thread.currentThread() == this.writer.get()) {
                this.onWriter.add(event + " " + producer);
            }
        }

        @Override
        public void registered(Producer producer, boolean streaming) {
            on("registered", producer);
        }

        @Override
        public void unregistered(Producer producer) {
            on("unregistered", producer);
        }

        @Override
        public void paused(Producer producer) {
            on("paused", producer);
        }

        @Override
        public void resumed(Producer producer) {
            on("resumed", producer);
        }

        @Override
        public void stopped(Producer producer) {
            on("stopped", producer);
        }
    }

    /** Lets a thread spinning in a caller-runs executor out once a test has given up on it. */
    private interface Fuse {

        /** From now on the executor refuses every task; returns how many it ran. */
        long blow();
    }

    /** {@code Runnable::run}, with a fuse. */
    private static final class FusedCallerRuns implements Executor, Fuse {

        private final AtomicLong ran = new AtomicLong();

        private volatile boolean blown;

        @Override
        public void execute(Runnable task) {
            if (this.blown) {
                throw new RejectedExecutionException("the test gave up on this executor");
            }
            this.ran.incrementAndGet();
            task.run();
        }

        @Override
        public long blow() {
            this.blown = true;
            return this.ran.get();
        }
    }

    /** {@link ThreadPoolExecutor.CallerRunsPolicy}, with a fuse. */
    private static final class FusedPolicy extends ThreadPoolExecutor.CallerRunsPolicy implements Fuse {

        private final AtomicLong ran = new AtomicLong();

        private volatile boolean blown;

        @Override
        public void rejectedExecution(Runnable task, ThreadPoolExecutor pool) {
            if (this.blown) {
                throw new RejectedExecutionException("the test gave up on this executor");
            }
            this.ran.incrementAndGet();
            super.rejectedExecution(task, pool);
        }

        @Override
        public long blow() {
            this.blown = true;
            return this.ran.get();
        }
    }

    /** Waits for {@code latch}, at most 5 s: a callback that takes a moment, never one that hangs the build. */
    static void awaitBriefly(CountDownLatch latch) {
        try {
            latch.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong count = new AtomicLong();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
