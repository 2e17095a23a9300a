package dev.sluice.torture;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The torture run of DESIGN §4's proof, in the hostile world of issue 18 ("a check confirms only the world it
 * models"): rounds of random {@link Scenario}s against {@link dev.sluice.BufferedConsumer} whose writers
 * <em>wait</em> for {@code resumeProducing} or {@code stopProducing} after {@code false} and after a pause, as real
 * producers do (a wait past the patience is a lost wake-up), never polling {@code isWritable()}; with push and pull
 * producers coming and going, listeners that are slow and throw, the registry with operators holding, releasing,
 * stopping and reading from several threads, keyed holds raced by their releases, sinks, weighers, producer
 * callbacks, executors and {@code AsyncSink} hooks that throw exceptions and {@code Error}s, and drain executors of
 * every kind (inline, a thread, a pool, {@code Runnable::run}, {@code CallerRunsPolicy}, late, virtual threads when the
 * JDK has them, rejecting, throwing an {@code Error}). {@link Checks}, {@link CheckingProducer},
 * {@link CheckingSink} and the {@link Listeners} check the contract as it runs; {@link Round} checks the quiet point
 * and the end of each round.
 *
 * <p>System properties: {@code sluice.torture.operations} (default 10⁷; {@code -Ptorture} sets 10⁸),
 * {@code sluice.torture.seed} to replay a run's sequence of scenarios, {@code sluice.torture.scenario} to run one
 * scenario (by the seed a report names) over and over, {@code sluice.torture.without} (comma-separated, of
 * {@link Scenario#FEATURES}) to leave parts of the hostile world out, {@code sluice.torture.patienceSeconds} (default
 * 10) for how long a producer may wait for what it is owed, {@code sluice.torture.keepGoing=true} to run every round
 * even after a failure, {@code sluice.torture.verbose=true} to print every round.
 */
class TortureTest {

    private static final long DEFAULT_OPERATIONS = 10_000_000L;

    @Test
    void bufferedConsumerKeepsTheThreadingContractInAHostileWorld() {
        long target = Long.getLong("sluice.torture.operations", DEFAULT_OPERATIONS);
        long seed = Long.getLong("sluice.torture.seed", System.nanoTime());
        Long onlyScenario = Long.getLong("sluice.torture.scenario");
        Set<String> without = Arrays.stream(System.getProperty("sluice.torture.without", "").split(","))
            .map(String::trim)
            .filter(feature -> !feature.isEmpty())
            .collect(Collectors.toSet());
        assertThat(Scenario.FEATURES).as("features that sluice.torture.without names").containsAll(without);
        long patience = TimeUnit.SECONDS.toNanos(Long.getLong("sluice.torture.patienceSeconds", 10));
        boolean keepGoing = Boolean.getBoolean("sluice.torture.keepGoing");
        boolean verbose = Boolean.getBoolean("sluice.torture.verbose");
        SplittableRandom seeds = new SplittableRandom(seed);
        Violations violations = new Violations();
        Map<DrainExecutors.Kind, Long> byDrain = new EnumMap<>(DrainExecutors.Kind.class);
        long operations = 0;
        int rounds = 0;
        int failedRounds = 0;
        String hung = null;
        long started = System.nanoTime();
        try (LogCapture log = LogCapture.install()) {
            while (operations < target) {
                long roundOperations = Math.min(target - operations, 20_000 + seeds.nextInt(60_000));
                long scenarioSeed = (onlyScenario != null) ? onlyScenario : seeds.nextLong();
                Scenario scenario = Scenario.random(scenarioSeed, roundOperations, without);
                long roundStarted = System.nanoTime();
                long before = violations.total();
                long done;
                try {
                    done = new Round(scenario, ++rounds, violations, patience, log).countingLogs(log.counts()).run();
                }
                catch (Round.RoundHung stuck) {
                    hung = stuck.getMessage();
                    break;
                }
                finally {
                    log.round(null);
                }
                if (violations.total() != before) {
                    failedRounds++;
                }
                if (verbose || violations.total() != before && keepGoing) {
                    System.out.printf("round %d: %,d operations in %d ms%s, scenario %d: %s%n", rounds, done,
                            (System.nanoTime() - roundStarted) / 1_000_000,
                            violations.total() != before ? ", " + (violations.total() - before) + " violations" : "",
                            scenarioSeed, scenario.brief());
                }
                operations += done;
                byDrain.merge(scenario.drain(), done, Long::sum);
                if (!violations.isEmpty() && !keepGoing) {
                    break;
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("torture: %,d operations in %d rounds, %.1f s (%,.0f operations/s), JDK %s, seed %d;"
                + " %d rounds with violations; overshoot above high seen by writers honouring false %,d units,"
                + " honouring the callback only %,d units; by drain %s%n", operations, rounds,
                took.toMillis() / 1000.0, operations / Math.max(0.001, took.toMillis() / 1000.0), Runtime.version(),
                seed, failedRounds, Round.MAX_OVERSHOOT_HONOURING_FALSE.get(),
                Round.MAX_OVERSHOOT_HONOURING_CALLBACK.get(), byDrain);
        if (!violations.isEmpty()) {
            System.out.println(violations.summary());
        }

        assertThat(hung).as("a round whose thread never returned (seed %d):%n%s", seed, violations.summary())
            .isNull();
        assertThat(violations.isEmpty()).as("torture run (seed %d, %,d operations):%n%s", seed, operations,
                violations.summary()).isTrue();
        assertThat(operations).as("operations run").isGreaterThanOrEqualTo(target);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(tortureThreads())
                .as("threads left running after every consumer closed and every executor shut down").isEmpty());
    }

    private static List<String> tortureThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.isAlive() && thread.getName().startsWith(Round.THREAD_PREFIX))
            .map(Thread::getName)
            .collect(Collectors.toList());
    }
}
