package dev.sluice.twisted.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.twisted.task.testing.Script;
import org.junit.jupiter.api.Test;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The cooperator on real threads: its own daemon thread, a caller's executor, the shared instance. */
class CooperatorThreadsTest {

    /** An iterator of {@code steps} steps that records the thread and detects overlapping steps. */
    private static final class Probe implements Iterator<Object> {

        static final AtomicInteger RUNNING = new AtomicInteger();

        static final AtomicInteger MAX_RUNNING = new AtomicInteger();

        final AtomicReference<Thread> thread = new AtomicReference<>();

        final AtomicInteger taken = new AtomicInteger();

        private final int steps;

        Probe(int steps) {
            this.steps = steps;
        }

        @Override
        public boolean hasNext() {
            return this.taken.get() < this.steps;
        }

        @Override
        public Object next() {
            MAX_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
            this.thread.set(Thread.currentThread());
            this.taken.incrementAndGet();
            RUNNING.decrementAndGet();
            return this;
        }
    }

    @Test
    void theDefaultCooperatorRunsOnItsOwnDaemonThreadAndCloseLeavesNoThreadBehind() {
        Cooperator cooperator = Cooperator.create();
        Probe probe = new Probe(5);
        assertThat(cooperator.coiterate(probe)).succeedsWithin(Duration.ofSeconds(5));
        Thread thread = probe.thread.get();
        assertThat(thread.getName()).startsWith("sluice-cooperator-");
        assertThat(thread.isDaemon()).isTrue();

        CompletableFuture<Probe> endless = cooperator.coiterate(new Probe(Integer.MAX_VALUE));
        cooperator.close();

        assertThat(failureOf(endless)).isInstanceOf(SchedulerStoppedException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> !thread.isAlive());
        assertThat(failureOf(cooperator.coiterate(new Probe(1)))).isInstanceOf(SchedulerStoppedException.class);
        cooperator.close(); // idempotent
    }

    @Test
    void aStepMayCloseItsOwnCooperator() {
        Cooperator cooperator = Cooperator.create();
        AtomicReference<Thread> thread = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        cooperator.cooperate(Script.endless(() -> {
            thread.set(Thread.currentThread());
            cooperator.close();
            closed.countDown();
            return "closed";
        }));

        await().atMost(Duration.ofSeconds(5)).until(() -> closed.getCount() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> !thread.get().isAlive());
    }

    @Test
    void tasksAddedFromManyThreadsAllRunToTheEndWithNoTwoStepsAtOnce() throws Exception {
        ExecutorService ticks = Executors.newFixedThreadPool(2);
        ExecutorService adders = Executors.newFixedThreadPool(4);
        Probe.MAX_RUNNING.set(0);
        try {
            Cooperator cooperator = Cooperator.builder().executor(ticks).timeSlice(Duration.ofMillis(1)).build();
            List<CompletableFuture<Probe>> done = new ArrayList<>();
            List<CompletableFuture<List<CompletableFuture<Probe>>>> submitted = new ArrayList<>();
            for (int a = 0; a < 4; a++) {
                submitted.add(CompletableFuture.supplyAsync(() -> {
                    List<CompletableFuture<Probe>> mine = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        mine.add(cooperator.coiterate(new Probe(100)));
                    }
                    return mine;
                }, adders));
            }
            for (CompletableFuture<List<CompletableFuture<Probe>>> batch : submitted) {
                done.addAll(batch.get(10, TimeUnit.SECONDS));
            }

            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            assertThat(done).hasSize(200).allSatisfy(future -> assertThat(future.join().taken).hasValue(100));
            assertThat(Probe.MAX_RUNNING).hasValue(1);
            cooperator.close();
        }
        finally {
            ticks.shutdownNow();
            adders.shutdownNow();
        }
    }

    @Test
    void aSchedulerThatRunsTheTickInlineIsRejectedClearlyAndNothingRuns() {
        Cooperator cooperator = Cooperator.builder().executor(Runnable::run).build();
        Probe probe = new Probe(3);

        assertThatThrownBy(() -> cooperator.cooperate(probe)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must run it later");
        assertThat(probe.taken).hasValue(0);
        assertThat(cooperator.toString()).contains("0 task(s)");
    }

    @Test
    void co15_theSharedCooperatorRunsTasksAndCannotBeStopped() {
        Probe probe = new Probe(3);
        assertThat(Cooperator.shared().coiterate(probe)).succeedsWithin(Duration.ofSeconds(5));
        assertThat(probe.taken).hasValue(3);
        assertThat(Cooperator.shared()).isSameAs(Cooperator.shared());
        assertThatThrownBy(Cooperator.shared()::stop).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Cooperator.shared().isRunning()).isTrue();
    }
}
