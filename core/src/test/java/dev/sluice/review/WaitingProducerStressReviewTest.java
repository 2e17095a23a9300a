package dev.sluice.review;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.PushProducer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What held up: writers that stop on false and wait for resumeProducing/stopProducing (a timeout is a lost wake-up),
 * keyed holds and releases from operator threads, a slow sink that refuses and calls drain() later, every kind of
 * executor. Checks: no lost wake-up, per-writer FIFO exactly once, accounts, edge-triggered alternation, nothing after
 * stop, nesting with a pool executor, paused time never decreasing.
 */
class WaitingProducerStressReviewTest {

    private static final int WRITERS = 3;

    @ParameterizedTest
    @ValueSource(strings = { "inline", "single", "pool", "callerRuns", "runnableRun" })
    @Timeout(60)
    void waitingWritersAreAlwaysWoken(String kind) throws Exception {
        ExecutorService pool = null;
        Executor executor = null;
        switch (kind) {
            case "single" -> executor = pool = Executors.newSingleThreadExecutor();
            case "pool" -> executor = pool = Executors.newFixedThreadPool(2);
            case "callerRuns" -> executor = pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.CallerRunsPolicy());
            case "runnableRun" -> executor = Runnable::run;
            default -> {
            }
        }
        boolean writersMayGetCallbacks = !(kind.equals("single") || kind.equals("pool"));
        ScheduledExecutorService client = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int round = 0; round < 6; round++) {
                runOnce(executor, writersMayGetCallbacks, client);
            }
        }
        finally {
            client.shutdownNow();
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private void runOnce(Executor executor, boolean writersMayGetCallbacks, ScheduledExecutorService client)
            throws Exception {
        long[] next = new long[WRITERS];
        List<String> violations = new CopyOnWriteArrayList<>();
        @SuppressWarnings("unchecked")
        BufferedConsumer<Long>[] holder = (BufferedConsumer<Long>[]) new BufferedConsumer<?>[1];
        Sink<Long> sink = item -> {
            int writer = (int) (item >>> 32);
            long seq = item & 0xffffffffL;
            if (ThreadLocalRandom.current().nextInt(50) == 0) {
                client.schedule(() -> holder[0].drain(), 100, TimeUnit.MICROSECONDS);
                return false;
            }
            if (next[writer] != seq) {
                violations.add("writer " + writer + " expected " + next[writer] + " got " + seq);
            }
            next[writer] = seq + 1;
            return true;
        };
        BufferedConsumer.Builder<Long> builder = BufferedConsumer.builder(sink).name("stress")
                .waterMarks(new WaterMarks(32, 8));
        if (executor != null) {
            builder.drainOn(executor);
        }
        BufferedConsumer<Long> consumer = builder.build();
        holder[0] = consumer;
        Set<Thread> writerThreads = ConcurrentHashMap.newKeySet();
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicLong resumes = new AtomicLong();
        Object monitor = new Object();
        boolean[] stopped = new boolean[1];
        PushProducer producer = new PushProducer() {
            @Override
            public void pauseProducing() {
                check("pause");
            }

            @Override
            public void resumeProducing() {
                check("resume");
                synchronized (monitor) {
                    resumes.incrementAndGet();
                    monitor.notifyAll();
                }
            }

            @Override
            public void stopProducing() {
                check("stop");
                synchronized (monitor) {
                    stopped[0] = true;
                    monitor.notifyAll();
                }
            }

            private void check(String call) {
                if (!writersMayGetCallbacks && writerThreads.contains(Thread.currentThread())) {
                    violations.add(call + " on a writer thread");
                }
                calls.add(call);
            }
        };
        consumer.addProducerListener(new ProducerListener() {
            @Override
            public void paused(Producer p) {
                if (!writersMayGetCallbacks && writerThreads.contains(Thread.currentThread())) {
                    violations.add("listener event on a writer thread");
                }
            }
        });
        consumer.registerProducer(producer, true);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                writerThreads.add(Thread.currentThread());
                long seq = 0;
                while (System.nanoTime() < deadline) {
                    long seen = resumes.get();
                    boolean ok = consumer.write(((long) id << 32) | seq++);
                    if (!ok) {
                        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                        synchronized (monitor) {
                            while (resumes.get() == seen && !stopped[0]) {
                                long left = waitUntil - System.nanoTime();
                                if (left <= 0) {
                                    violations.add("lost wake-up: writer " + id + " waited 5 s after false; "
                                            + "held=" + consumer.isProducerHeld() + " buffered="
                                            + consumer.bufferedUnits() + " paused=" + consumer.isProducerPaused());
                                    return;
                                }
                                try {
                                    monitor.wait(Math.max(1, left / 1_000_000));
                                }
                                catch (InterruptedException ex) {
                                    return;
                                }
                            }
                            if (stopped[0]) {
                                return;
                            }
                        }
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        Thread operator = new Thread(() -> {
            long lastPaused = 0;
            while (System.nanoTime() < deadline) {
                Object key = "k" + ThreadLocalRandom.current().nextInt(2);
                if (ThreadLocalRandom.current().nextBoolean()) {
                    consumer.hold(key);
                }
                else {
                    consumer.release(key);
                }
                long paused = consumer.producerPausedNanos();
                if (paused < lastPaused) {
                    violations.add("paused nanos went back");
                }
                lastPaused = paused;
            }
            consumer.release("k0");
            consumer.release("k1");
        });
        operator.start();
        operator.join(10_000);
        for (Thread t : threads) {
            t.join(15_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(violations).isEmpty();
        consumer.stopProducer();
        consumer.loseConnection();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            consumer.drain(); // the refusing sink needs a drain to take the rest
            return consumer.whenClosed().isDone();
        });
        assertThat(consumer.acceptedUnits())
                .isEqualTo(consumer.sentUnits() + consumer.droppedUnits() + consumer.bufferedUnits());
        assertThat(calls).last().isEqualTo("stop");
        String previous = "resume";
        for (String call : calls.subList(0, calls.size() - 1)) {
            assertThat(call).as("pause/resume alternate").isNotEqualTo(previous);
            previous = call;
        }
    }
}
