package dev.sluice.twisted.task;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.twisted.task.testing.FakeScheduler;
import dev.sluice.twisted.task.testing.Units;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports of Twisted's {@code RunStateTests} (twisted-spec §10.1): one unit per tick, a fake scheduler. */
class CooperativeTaskTest {

    private final FakeScheduler scheduler = new FakeScheduler();

    private Cooperator cooperator;

    /** Counts 1, 2, 3, ... into {@link #work}; stops at {@link #stopAt}; throws when {@link #failAt} is reached. */
    private final List<Integer> work = new ArrayList<>();

    private final Counter counter = new Counter();

    private CooperativeTask<Counter> task;

    @BeforeEach
    void setUp() {
        this.cooperator = Cooperator.builder().scheduler(this.scheduler).terminationPredicate(Units.perTick(1))
                .build();
        this.task = this.cooperator.cooperate(this.counter);
    }

    private final class Counter implements Iterator<Object> {

        int value;

        int stopAt = Integer.MAX_VALUE;

        int failAt = Integer.MAX_VALUE;

        CompletableFuture<?> waitAt3;

        @Override
        public boolean hasNext() {
            return this.value < this.stopAt;
        }

        @Override
        public Object next() {
            this.value++;
            if (this.value == this.failAt) {
                throw new IllegalArgumentException("fail at " + this.value);
            }
            CooperativeTaskTest.this.work.add(this.value);
            return (this.value == 3 && this.waitAt3 != null) ? this.waitAt3 : this.value;
        }
    }

    @Test
    void co9_pauseStopsWorkAndResumeDoesNoWorkUntilTheNextTick() {
        this.scheduler.pump();
        this.scheduler.pump();
        assertThat(this.work).containsExactly(1, 2);

        this.task.pause();
        this.scheduler.pump();
        assertThat(this.work).containsExactly(1, 2);

        this.task.resume();
        assertThat(this.work).containsExactly(1, 2);
        this.scheduler.pump();
        assertThat(this.work).containsExactly(1, 2, 3);
    }

    @Test
    void co9_resumeWithoutAPauseThrowsNotPaused() {
        assertThatThrownBy(this.task::resume).isInstanceOf(NotPausedException.class);
        this.task.pause();
        this.task.resume();
        assertThatThrownBy(this.task::resume).isInstanceOf(NotPausedException.class);
    }

    @Test
    void co8_pausesNestLikeAStack() {
        this.task.pause();
        this.task.pause();
        assertThat(this.task.pauseCount()).isEqualTo(2);
        this.task.resume();
        this.scheduler.pump();
        assertThat(this.work).isEmpty();

        this.task.resume();
        this.scheduler.pump();
        assertThat(this.work).containsExactly(1);
    }

    @Test
    void co6_pauseWhileWaitingOnAStageMakesNoProgressUntilBothAreBalanced() {
        CompletableFuture<String> outstanding = new CompletableFuture<>();
        this.counter.waitAt3 = outstanding;
        this.scheduler.pump();
        this.scheduler.pump();
        this.scheduler.pump();
        assertThat(this.work).containsExactly(1, 2, 3);

        this.task.pause();
        this.scheduler.pump();
        this.task.resume();
        this.scheduler.pump();
        assertThat(this.work).containsExactly(1, 2, 3);

        outstanding.complete("go");
        this.scheduler.pump();
        assertThat(this.work).containsExactly(1, 2, 3, 4);
    }

    @Test
    void co12_eachWhenDoneIsANewIndependentFutureWithTheSameOutcome() {
        CompletableFuture<Counter> first = this.task.whenDone();
        CompletableFuture<Counter> second = this.task.whenDone();
        assertThat(first).isNotSameAs(second);
        AtomicInteger chained = new AtomicInteger();
        CompletableFuture<Integer> firstChain = first.thenApply(counter -> chained.incrementAndGet() * 100);
        CompletableFuture<Integer> secondChain = second.thenApply(counter -> chained.incrementAndGet());

        this.counter.stopAt = 1;
        this.scheduler.pumpUntilIdle(5);

        assertThat(first.join()).isSameAs(this.counter);
        assertThat(second.join()).isSameAs(this.counter);
        assertThat(firstChain.join() + secondChain.join()).isIn(100 + 2, 200 + 1);
        first.obtrudeValue(null);
        assertThat(second.join()).isSameAs(this.counter);
    }

    @Test
    void co12_whenDoneFailsWithTheStepsException() {
        CompletableFuture<Counter> done = this.task.whenDone();
        this.counter.failAt = 2;

        this.scheduler.pumpUntilIdle(5);

        assertThat(failureOf(done)).isInstanceOf(IllegalArgumentException.class).hasMessage("fail at 2");
    }

    @Test
    void co10_stopFailsWhenDoneWithTaskStoppedSynchronously() {
        CompletableFuture<Counter> done = this.task.whenDone();
        this.task.stop();
        assertThat(failureOf(done)).isInstanceOf(TaskStoppedException.class);
    }

    @Test
    void co12_whenDoneAfterCompletionIsAlreadyCompleteWithTheIterator() {
        this.counter.stopAt = 0;
        this.scheduler.pump();
        CompletableFuture<Counter> late = this.task.whenDone();
        assertThat(late).isCompletedWithValue(this.counter);
    }

    @Test
    void co10_afterStopNoWorkHappensAndStopAndPauseThrowTaskStopped() {
        this.scheduler.pump();
        this.task.stop();
        this.scheduler.pumpUntilIdle(5);
        assertThat(this.work).containsExactly(1);
        assertThatThrownBy(this.task::stop).isInstanceOf(TaskStoppedException.class);
        assertThatThrownBy(this.task::pause).isInstanceOf(TaskStoppedException.class);
    }

    @Test
    void co10_resumeAfterPauseAndStopDoesNotThrowAndDoesNoWork() {
        this.task.pause();
        this.task.stop();
        this.task.resume();
        this.scheduler.pumpUntilIdle(5);
        assertThat(this.work).isEmpty();
        assertThat(this.scheduler.pending()).isZero();
    }

    @Test
    void co11_stopWhileWaitingOnAStageIgnoresItsLaterOutcome() {
        CompletableFuture<Integer> outstanding = new CompletableFuture<>();
        this.counter.waitAt3 = outstanding;
        this.scheduler.pumpUntilIdle(3);
        this.scheduler.pump();
        assertThat(this.work).containsExactly(1, 2, 3);

        this.task.stop();
        outstanding.complete(7);
        this.scheduler.pumpUntilIdle(5);

        assertThat(this.work).containsExactly(1, 2, 3);
        assertThat(outstanding).isCompletedWithValue(7);
        assertThat(failureOf(this.task.whenDone())).isInstanceOf(TaskStoppedException.class);
    }

    @Test
    void co11_aLateFailureAfterStopIsIgnored() {
        CompletableFuture<Integer> outstanding = new CompletableFuture<>();
        this.counter.waitAt3 = outstanding;
        this.scheduler.pumpUntilIdle(3);
        this.task.stop();

        outstanding.completeExceptionally(new IllegalStateException("late"));

        assertThat(failureOf(this.task.whenDone())).isInstanceOf(TaskStoppedException.class);
        assertThat(this.work).containsExactly(1, 2, 3);
    }

    @Test
    void co10_stopAfterExhaustionThrowsTaskDone() {
        this.counter.stopAt = 1;
        this.scheduler.pumpUntilIdle(5);
        assertThatThrownBy(this.task::stop).isInstanceOf(TaskDoneException.class);
        assertThatThrownBy(this.task::pause).isInstanceOf(TaskDoneException.class);
        assertThatThrownBy(this.task::resume).isInstanceOf(NotPausedException.class);
    }

    @Test
    void co10_stopAfterAnErrorThrowsTaskFailedWithTheCause() {
        this.counter.failAt = 1;
        this.scheduler.pumpUntilIdle(5);
        assertThatThrownBy(this.task::stop).isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void co8_pauseAfterTheCooperatorStoppedThrowsSchedulerStopped() {
        this.cooperator.stop();
        assertThatThrownBy(this.task::pause).isInstanceOf(SchedulerStoppedException.class);
    }

    @Test
    void co13_aWhenDoneCallbackMayStopTheCooperator() {
        List<Object> phases = new ArrayList<>();
        this.counter.stopAt = 0;
        this.task.whenDone().thenAccept(counter -> {
            phases.add(counter);
            this.cooperator.stop();
            phases.add("done");
        });

        this.scheduler.pumpUntilIdle(5);

        assertThat(phases).containsExactly(this.counter, "done");
        assertThat(this.cooperator.isRunning()).isFalse();
    }
}
