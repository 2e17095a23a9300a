package dev.sluice.torture;

import java.util.Set;
import java.util.SplittableRandom;

/**
 * What one round of the torture run does, drawn at random from a seed so that a failing round can be replayed
 * ({@code -Dsluice.torture.scenario=<seed>}): the writers and how they honour back-pressure, where the consumer's loop
 * runs, the sink and how it fails, the weigher, which producers come and go, the listeners, the registry and its
 * operators, the holders, the fault that strikes from another thread in the middle, how the round ends, and the marks.
 * Failures of user code are rare per round, so most rounds complete normally.
 *
 * @param writerMode how the writer threads honour back-pressure
 * @param pushBurst items a push producer writes from inside its own resumeProducing (FD-12), 0 for none
 * @param pullWorkerPercent how many pull producers write from the round's worker thread rather than inside the call
 * @param producerThrowsAt a producer callback that throws: the n-th callback of the n-th producer, or 0
 * @param listenerSlowPerMille how often one of the hostile listeners is slow (a park of 50 µs to 1 ms)
 * @param operators threads issuing keyed holds and releases, registry orders, stops and snapshot reads
 * @param holders threads issuing {@code holdProducer}/{@code releaseProducer}
 */
record Scenario(long seed, long operations, int writers, WriterMode writerMode, DrainExecutors.Kind drain,
        int drainFailsAt, SinkKind sinkKind, CheckingSink.Behaviour behaviour, boolean slowSink,
        CheckingSink.Failure sinkFailure, int maxInFlight, AsyncSinks.HookFailure hookFailure, int asyncFailurePerMille,
        long weigherThrowsAt, Faults.Kind weigherKind, Producers producers, int pushBurst, int pullWorkerPercent,
        int producerThrowsAt, Faults.Kind producerKind, ListenerMode listeners, int listenerSlowPerMille,
        long listenerErrorAt,
        Faults.Kind listenerErrorKind, boolean registry, boolean registryGroup, int operators, int holders,
        Fault fault, Ending ending, long high, long low) {

    /** How writer threads honour back-pressure. */
    enum WriterMode {
        /** Stop on {@code false} (and on a pause) and wait for the resume or stop: the memory bound is checked. */
        HONOUR_FALSE,
        /** Ignore {@code false}; stop on the pause callback only: the overshoot is measured, not bounded. */
        HONOUR_CALLBACK,
        /** Half the writers each way. */
        MIXED
    }

    /** The sink. */
    enum SinkKind {
        CHECKING, ASYNC
    }

    /** Which producers take part. */
    enum Producers {
        /** One push producer, registered for the whole round. */
        ONE_PUSH,
        /** Push producers registered and unregistered by a churn thread (and stopped by operators). */
        PUSH_CHURN,
        /** Pull producers that write a few chunks and unregister themselves; a churn thread registers new ones. */
        PULL_CHURN,
        /** Both. */
        MIXED_CHURN
    }

    /** The consumer's listeners. */
    enum ListenerMode {
        NONE,
        /** A recording listener that checks the order of events against the callbacks. */
        RECORDING,
        /** The recording listener and hostile ones: slow, throwing. */
        HOSTILE
    }

    /** What strikes from another thread in the middle of the round. */
    enum Fault {
        NONE, CONNECTION_LOST, ABORT, LOSE_CONNECTION
    }

    /** How the round ends, after its quiet point. */
    enum Ending {
        LOSE_CONNECTION, CONNECTION_LOST, ABORT
    }

    /** Parts of the hostile world that {@code -Dsluice.torture.without=a,b} leaves out, to isolate a failure. */
    static final Set<String> FEATURES = Set.of("errors", "callerRuns", "badExecutors", "listeners", "registry",
            "async", "holds", "pull", "executors");

    private static final int[] WRITER_COUNTS = {1, 1, 2, 2, 3, 4, 4, 8, 16};

    private static final long[] HIGH_MARKS = {0, 16, 64, 256, 256, 4096, 4096, 65536, 65536, 65536};

    static Scenario random(long seed, long operations, Set<String> without) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean errors = !without.contains("errors");
        int writers = WRITER_COUNTS[random.nextInt(WRITER_COUNTS.length)];
        WriterMode writerMode = pick(random, WriterMode.values(), 3, 1, 1);
        DrainExecutors.Kind drain = pick(random, DrainExecutors.Kind.values(), 8, 2, 4, 3, 2, 2, 2, 1, 1);
        if (without.contains("executors")) {
            drain = DrainExecutors.Kind.INLINE;
        }
        if (without.contains("callerRuns") && (drain == DrainExecutors.Kind.RUN_ON_CALLER
                || drain == DrainExecutors.Kind.CALLER_RUNS_POOL)) {
            drain = DrainExecutors.Kind.SINGLE;
        }
        if ((without.contains("badExecutors") || !errors) && (drain == DrainExecutors.Kind.REJECTS_ONCE
                || drain == DrainExecutors.Kind.THROWS_ERROR)) {
            drain = DrainExecutors.Kind.POOL;
        }
        int drainFailsAt = 1 + random.nextInt(200);
        SinkKind sinkKind = without.contains("async") ? SinkKind.CHECKING : pick(random, SinkKind.values(), 5, 1);
        CheckingSink.Behaviour behaviour = pick(random, CheckingSink.Behaviour.values(), 3, 2, 2, 3);
        boolean slowSink = random.nextInt(6) == 0;
        boolean sinkThrows = errors && random.nextInt(10) == 0;
        CheckingSink.Failure sinkFailure = new CheckingSink.Failure(
                sinkThrows ? 1 + random.nextInt((int) Math.min(operations, 20_000)) : -1,
                pick(random, Faults.Kind.values(), 2, 1, 1, 1), random.nextBoolean(), errors && random.nextInt(6) == 0,
                errors && random.nextInt(6) == 0);
        int maxInFlight = 1 + random.nextInt(8);
        AsyncSinks.HookFailure hookFailure = errors && random.nextInt(6) == 0
                ? new AsyncSinks.HookFailure(random.nextInt(3) != 0, 1 + random.nextInt(2_000),
                        random.nextBoolean() ? Faults.Kind.RUNTIME : Faults.Kind.ERROR)
                : AsyncSinks.HookFailure.NONE;
        int asyncFailurePerMille = errors && random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
        long weigherThrowsAt = errors && random.nextInt(30) == 0 ? 1 + random.nextInt(20_000) : 0;
        Faults.Kind weigherKind = pick(random, Faults.Kind.values(), 0, 2, 1, 1);
        Producers producers = pick(random, Producers.values(), 3, 3, 1, 2);
        if (without.contains("pull") && (producers == Producers.PULL_CHURN || producers == Producers.MIXED_CHURN)) {
            producers = Producers.PUSH_CHURN;
        }
        int pushBurst = random.nextInt(3) == 0 ? 1 + random.nextInt(16) : 0;
        int pullWorkerPercent = random.nextInt(3) * 50;
        int producerThrowsAt = errors && random.nextInt(30) == 0 ? 1 + random.nextInt(20) : 0;
        Faults.Kind producerKind = pick(random, Faults.Kind.values(), 0, 2, 1, 1);
        ListenerMode listeners = without.contains("listeners") ? ListenerMode.NONE
                : pick(random, ListenerMode.values(), 2, 2, 2);
        int listenerSlowPerMille = new int[] {20, 100, 300}[random.nextInt(3)];
        long listenerErrorAt = errors && random.nextInt(10) == 0 ? 1 + random.nextInt(5_000) : 0;
        Faults.Kind listenerErrorKind = random.nextBoolean() ? Faults.Kind.ERROR : Faults.Kind.IO_ERROR;
        boolean registry = !without.contains("registry") && random.nextInt(3) == 0;
        if (registry && listeners == ListenerMode.NONE) {
            listeners = ListenerMode.RECORDING; // the registry's own stops are told apart by the listener's events
        }
        boolean holds = !without.contains("holds");
        int operators = holds && (registry || random.nextInt(3) == 0) ? 1 + random.nextInt(3) : 0;
        int holders = holds && random.nextInt(3) != 0 ? 1 + random.nextInt(2) : 0;
        Fault fault = pick(random, Fault.values(), 6, 2, 2, 1);
        Ending ending = pick(random, Ending.values(), 2, 1, 1);
        long high = HIGH_MARKS[random.nextInt(HIGH_MARKS.length)];
        long low = random.nextBoolean() ? high / 2 : 0;
        // rounds whose every write costs a hand-over between threads (tiny marks on an executor, pull producers asked
        // once per complete drain, a slow sink) get a smaller share of the budget, so that a run sees more rounds
        double share = 1;
        if (high <= 64 && !drain.callerRuns) {
            share *= 0.15;
        }
        else if (high <= 256 && !drain.callerRuns) {
            share *= 0.4;
        }
        if (producers == Producers.PULL_CHURN || producers == Producers.MIXED_CHURN) {
            share *= 0.07;
        }
        if (slowSink) {
            share *= 0.3;
        }
        if (sinkKind == SinkKind.ASYNC) {
            share *= 0.3;
        }
        return new Scenario(seed, Math.max(Math.min(operations, 2_000), (long) (operations * share)), writers, writerMode, drain, drainFailsAt, sinkKind, behaviour, slowSink,
                sinkFailure, maxInFlight, hookFailure, asyncFailurePerMille, weigherThrowsAt, weigherKind, producers,
                pushBurst, pullWorkerPercent, producerThrowsAt, producerKind, listeners, listenerSlowPerMille,
                listenerErrorAt,
                listenerErrorKind, registry, random.nextBoolean(), operators, holders, fault, ending, high, low);
    }

    private static <E> E pick(SplittableRandom random, E[] values, int... weights) {
        int total = 0;
        for (int weight : weights) {
            total += weight;
        }
        int dice = random.nextInt(total);
        for (int i = 0; i < values.length; i++) {
            dice -= weights[i];
            if (dice < 0) {
                return values[i];
            }
        }
        throw new AssertionError("weights do not cover the values");
    }

    /** Whether this writer stops on {@code false}. */
    boolean honoursFalse(int writer) {
        return switch (this.writerMode) {
            case HONOUR_FALSE -> true;
            case HONOUR_CALLBACK -> false;
            case MIXED -> writer % 2 == 0;
        };
    }

    /** Whether every writer honours {@code false}: then the memory bound is checked. */
    boolean bounded() {
        return this.writerMode == WriterMode.HONOUR_FALSE;
    }

    boolean pushChurn() {
        return this.producers == Producers.PUSH_CHURN || this.producers == Producers.MIXED_CHURN;
    }

    boolean pullChurn() {
        return this.producers == Producers.PULL_CHURN || this.producers == Producers.MIXED_CHURN;
    }

    /** A short description for reports: everything that differs from a plain round. */
    String brief() {
        StringBuilder text = new StringBuilder();
        text.append(this.writers).append(" writers ").append(this.writerMode).append(", drain ").append(this.drain);
        if (this.drain == DrainExecutors.Kind.REJECTS_ONCE || this.drain == DrainExecutors.Kind.THROWS_ERROR) {
            text.append(" at call ").append(this.drainFailsAt);
        }
        text.append(", sink ").append(this.sinkKind == SinkKind.ASYNC ? "AsyncSink(" + this.maxInFlight + ")"
                : this.behaviour.toString()).append(this.slowSink ? " slow" : "");
        if (this.sinkFailure.atOffer() > 0) {
            text.append(", sink throws ").append(this.sinkFailure.kind()).append(" at offer ")
                .append(this.sinkFailure.atOffer());
        }
        if (this.sinkKind == SinkKind.ASYNC && this.hookFailure.atCall() > 0) {
            text.append(", ").append(this.hookFailure.inSuccessHook() ? "onSuccess" : "skipIf").append(" throws ")
                .append(this.hookFailure.kind()).append(" at call ").append(this.hookFailure.atCall());
        }
        if (this.sinkKind == SinkKind.ASYNC && this.asyncFailurePerMille > 0) {
            text.append(", ").append(this.asyncFailurePerMille).append("‰ of calls fail");
        }
        if (this.weigherThrowsAt > 0) {
            text.append(", weigher throws ").append(this.weigherKind).append(" at ").append(this.weigherThrowsAt);
        }
        text.append(", ").append(this.producers);
        if (this.pushBurst > 0) {
            text.append(" burst ").append(this.pushBurst);
        }
        if (pullChurn()) {
            text.append(" pull-worker ").append(this.pullWorkerPercent).append('%');
        }
        if (this.producerThrowsAt > 0) {
            text.append(", producer #").append(this.producerThrowsAt).append(" throws ").append(this.producerKind);
        }
        text.append(", listeners ").append(this.listeners);
        if (this.listeners == ListenerMode.HOSTILE) {
            text.append(" slow ").append(this.listenerSlowPerMille).append('‰');
        }
        if (this.listenerErrorAt > 0 && this.listeners == ListenerMode.HOSTILE) {
            text.append(" (").append(this.listenerErrorKind).append(" at event ").append(this.listenerErrorAt)
                .append(')');
        }
        if (this.registry) {
            text.append(", registry").append(this.registryGroup ? " group" : "");
        }
        text.append(", ").append(this.operators).append(" operators, ").append(this.holders).append(" holders");
        if (this.fault != Fault.NONE) {
            text.append(", fault ").append(this.fault);
        }
        text.append(", ends ").append(this.ending).append(", marks ").append(this.high).append('/').append(this.low);
        return text.toString();
    }
}
