package dev.sluice.twisted.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.sluice.twisted.task.testing.FakeScheduler;
import dev.sluice.twisted.task.testing.ManualClock;
import dev.sluice.twisted.task.testing.Script;
import dev.sluice.twisted.task.testing.Units;
import org.junit.jupiter.api.Test;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

/** Ports of Twisted's {@code CooperatorTests} (twisted-spec §10.1) and the CO rules with no upstream test. */
class CooperatorTest {

    private final FakeScheduler scheduler = new FakeScheduler();

    private final List<String> log = new ArrayList<>();

    private Cooperator cooperator(int unitsPerTick) {
        return Cooperator.builder().scheduler(this.scheduler).terminationPredicate(Units.perTick(unitsPerTick)).build();
    }

    @Test
    void co5_stoppedCooperatorRejectsNewTasksWithAndWithoutADoneFuture() {
        Cooperator cooperator = cooperator(1);
        cooperator.stop();
        Script work = Script.logging(this.log, "a", 3);

        CompletableFuture<Script> plain = cooperator.coiterate(work);
        CompletableFuture<Script> given = new CompletableFuture<>();
        CompletableFuture<Script> returned = cooperator.coiterate(work, given);

        assertThat(plain).isCompletedExceptionally();
        assertThat(failureOf(plain)).isInstanceOf(SchedulerStoppedException.class);
        assertThat(returned).isSameAs(given);
        assertThat(failureOf(given)).isInstanceOf(SchedulerStoppedException.class);
        assertThat(work.taken()).isZero();
        assertThat(this.scheduler.pending()).isZero();
    }

    @Test
    void co5_stopRightAfterCoiterateFailsTheTaskWithoutAdvancingIt() {
        Cooperator cooperator = cooperator(1);
        Script work = Script.logging(this.log, "a", 3);
        CompletableFuture<Script> done = cooperator.coiterate(work);

        cooperator.stop();
        this.scheduler.pumpUntilIdle(10);

        assertThat(failureOf(done)).isInstanceOf(SchedulerStoppedException.class);
        assertThat(work.taken()).isZero();
        assertThat(this.scheduler.pending()).isZero();
    }

    @Test
    void co5_taskWaitingOnAFutureFailsWithSchedulerStoppedWhenTheFutureCompletesAfterTheStop() {
        Cooperator cooperator = cooperator(1);
        CompletableFuture<String> outstanding = new CompletableFuture<>();
        Script work = Script.of(() -> outstanding, () -> this.log.add("resumed"));
        CompletableFuture<Script> done = cooperator.coiterate(work);
        this.scheduler.pump();
        assertThat(work.taken()).isEqualTo(1);

        cooperator.stop();
        assertThat(done).isNotDone(); // a waiting task is not in the run list
        outstanding.complete("late");
        this.scheduler.pumpUntilIdle(10);

        assertThat(failureOf(done)).isInstanceOf(SchedulerStoppedException.class);
        assertThat(this.log).isEmpty();
        assertThat(work.taken()).isEqualTo(1);
    }

    @Test
    void co6_aStepThatThrowsFailsTheTaskWithThatException() {
        Cooperator cooperator = cooperator(1);
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Script> done = cooperator.coiterate(Script.of(() -> {
            throw boom;
        }));

        this.scheduler.pumpUntilIdle(10);

        assertThat(failureOf(done)).isSameAs(boom);
    }

    @Test
    void co6_aReturnedStageThatFailsLaterFailsTheTask() {
        Cooperator cooperator = cooperator(1);
        CompletableFuture<Object> later = new CompletableFuture<>();
        CompletableFuture<Script> done = cooperator.coiterate(Script.of(() -> later, () -> this.log.add("no")));
        this.scheduler.pumpUntilIdle(10);
        assertThat(done).isNotDone();

        RuntimeException boom = new RuntimeException("later");
        later.completeExceptionally(boom);
        this.scheduler.pumpUntilIdle(10);

        assertThat(failureOf(done)).isSameAs(boom);
        assertThat(this.log).isEmpty();
    }

    @Test
    void co6_aReturnedStageThatHasAlreadyFailedFailsTheTask() {
        Cooperator cooperator = cooperator(1);
        RuntimeException boom = new RuntimeException("already");
        CompletableFuture<Script> done = cooperator.coiterate(
                Script.of(() -> CompletableFuture.failedFuture(boom), () -> this.log.add("no")));

        this.scheduler.pumpUntilIdle(10);

        assertThat(failureOf(done)).isSameAs(boom);
        assertThat(this.log).isEmpty();
    }

    @Test
    void co2_fourTasksInterleaveRoundRobin() {
        Cooperator cooperator = Cooperator.builder().scheduler(this.scheduler).build(); // real 10 ms slices
        List<CompletableFuture<Script>> done = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            done.add(cooperator.coiterate(Script.logging(this.log, name, 3)));
        }

        this.scheduler.pumpUntilIdle(100);

        assertThat(this.log).containsExactly("a0", "b0", "c0", "d0", "a1", "b1", "c1", "d1", "a2", "b2", "c2", "d2");
        assertThat(done).allSatisfy(future -> assertThat(future).isCompleted());
    }

    @Test
    void co2_theTerminationPredicateIsAskedAfterEachUnitSoATickStopsRightWhenItTurnsTrue() {
        int[] units = {0};
        Cooperator cooperator = Cooperator.builder().scheduler(this.scheduler)
                .terminationPredicate(() -> () -> units[0] >= 10).build();
        cooperator.cooperate(Script.endless(() -> ++units[0]));

        this.scheduler.pump();

        assertThat(units[0]).isEqualTo(10);
        assertThat(this.scheduler.pending()).isEqualTo(1);
    }

    @Test
    void co2_theCursorSurvivesBetweenTicks() {
        Cooperator cooperator = cooperator(3);
        cooperator.cooperate(Script.logging(this.log, "A", 3));
        cooperator.cooperate(Script.logging(this.log, "B", 3));

        this.scheduler.pump();
        assertThat(this.log).containsExactly("A0", "B0", "A1");
        this.scheduler.pump();
        assertThat(this.log).containsExactly("A0", "B0", "A1", "B1", "A2", "B2");
    }

    @Test
    void co1_theDefaultPredicateEndsATickOnceTheTimeSliceHasPassedOnTheClock() {
        ManualClock clock = new ManualClock();
        Cooperator cooperator = Cooperator.builder().scheduler(this.scheduler).clock(clock)
                .timeSlice(Duration.ofMillis(10)).build();
        cooperator.cooperate(Script.endless(() -> {
            clock.advance(Duration.ofMillis(4));
            return this.log.add("unit");
        }));

        this.scheduler.pump();

        assertThat(this.log).hasSize(3); // 4, 8, 12 ms: the third unit spends the 10 ms slice
    }

    @Test
    void co3_aCoiterateInsideACompletionCallbackNeverSchedulesASecondTickAtOnce() {
        Cooperator cooperator = cooperator(1);
        int[] rounds = {0};
        int[] maxPending = {0};
        Runnable[] again = new Runnable[1];
        again[0] = () -> {
            if (++rounds[0] < 10) {
                cooperator.coiterate(Script.logging(this.log, "r", 1))
                        .thenRun(() -> again[0].run());
            }
        };
        again[0].run();

        int steps = 0;
        while (this.scheduler.pending() > 0 && steps < 50) {
            maxPending[0] = Math.max(maxPending[0], this.scheduler.pending());
            this.scheduler.pump();
            steps++;
        }

        assertThat(rounds[0]).isEqualTo(10);
        assertThat(steps).isLessThan(50);
        assertThat(maxPending[0]).isEqualTo(1);
    }

    @Test
    void co3_removingTheLastTaskCancelsTheScheduledTickAndANewTaskSchedulesAgain() {
        Cooperator cooperator = cooperator(1);
        CooperativeTask<?> first = cooperator.cooperate(Script.forever(this.log, "a"));
        CooperativeTask<?> second = cooperator.cooperate(Script.forever(this.log, "b"));
        assertThat(cooperator.hasScheduledTick()).isTrue();

        first.stop();
        assertThat(cooperator.hasScheduledTick()).isTrue();
        second.stop();
        assertThat(cooperator.hasScheduledTick()).isFalse();
        assertThat(this.scheduler.pending()).isZero();

        cooperator.cooperate(Script.forever(this.log, "c"));
        assertThat(cooperator.hasScheduledTick()).isTrue();
        this.scheduler.pump();
        assertThat(this.log).containsExactly("c");
    }

    @Test
    void co4_runningReflectsStartedAndStopped() {
        Cooperator notStarted = Cooperator.builder().scheduler(this.scheduler).started(false).build();
        assertThat(notStarted.isRunning()).isFalse();
        notStarted.start();
        assertThat(notStarted.isRunning()).isTrue();
        notStarted.stop();
        assertThat(notStarted.isRunning()).isFalse();

        assertThat(cooperator(1).isRunning()).isTrue();
    }

    @Test
    void co4_aCooperatorBuiltNotStartedQueuesTasksUntilStart() {
        Cooperator cooperator = Cooperator.builder().scheduler(this.scheduler).started(false)
                .terminationPredicate(Units.perTick(1)).build();
        CompletableFuture<Script> done = cooperator.coiterate(Script.logging(this.log, "a", 2));
        assertThat(this.scheduler.pending()).isZero();

        cooperator.start();
        this.scheduler.pumpUntilIdle(10);

        assertThat(this.log).containsExactly("a0", "a1");
        assertThat(done).isCompleted();
    }

    @Test
    void co4_startAfterStopMakesTheCooperatorWorkAgain() {
        Cooperator cooperator = cooperator(1);
        cooperator.stop();
        cooperator.start();

        CompletableFuture<Script> done = cooperator.coiterate(Script.logging(this.log, "a", 1));
        this.scheduler.pumpUntilIdle(10);

        assertThat(done).isCompleted();
        assertThat(this.log).containsExactly("a0");
    }

    @Test
    void co7_returningAnAlreadyCompletedStageMovesTheTaskToTheBackOfTheRunList() {
        Cooperator cooperator = cooperator(1);
        cooperator.cooperate(Script.of(() -> this.log.add("A0"), () -> {
            this.log.add("A1");
            return CompletableFuture.completedFuture("done");
        }, () -> this.log.add("A2")));
        cooperator.cooperate(Script.logging(this.log, "B", 3));
        cooperator.cooperate(Script.logging(this.log, "C", 3));

        this.scheduler.pumpUntilIdle(20);

        // round 1: A0 B0 C0; round 2: A1 (A moves behind C) B1 C1; then the order is B C A
        assertThat(this.log).containsExactly("A0", "B0", "C0", "A1", "B1", "C1", "A2", "B2", "C2");
    }

    @Test
    void co16_aTaskThatFinishesDuringAPassDoesNotCostTheNextTaskItsTurn() {
        Cooperator cooperator = cooperator(6);
        cooperator.cooperate(Script.forever(this.log, "A"));
        cooperator.cooperate(Script.of()); // finishes at its first unit
        cooperator.cooperate(Script.forever(this.log, "C"));

        this.scheduler.pump();

        // six units: A, (B ends), C, A, C, A; Twisted's live iterator would have skipped C after B left (CO-16)
        assertThat(this.log).containsExactly("A", "C", "A", "C", "A");
    }

    @Test
    void co16_tasksAddedAndRemovedWhileATickRunsNeitherThrowNorLoseTurns() {
        Cooperator cooperator = cooperator(100);
        List<CooperativeTask<?>> spawned = new ArrayList<>();
        cooperator.cooperate(Script.of(
                () -> spawned.add(cooperator.cooperate(Script.logging(this.log, "x", 5))),
                () -> spawned.add(cooperator.cooperate(Script.logging(this.log, "y", 3))),
                () -> {
                    spawned.get(0).stop();
                    return null;
                }));

        this.scheduler.pumpUntilIdle(10);

        // M spawns X; X runs; M spawns Y; X, Y run; M stops X; Y runs; M ends; Y runs to its end
        assertThat(this.log).containsExactly("x0", "x1", "y0", "y1", "y2");
        assertThat(failureOf(spawned.get(0).whenDone())).isInstanceOf(TaskStoppedException.class);
        assertThat(spawned.get(1).whenDone()).isCompleted();
    }
}
