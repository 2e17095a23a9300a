package dev.sluice.torture;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The torture run of DESIGN §4's proof: rounds of random {@link Scenario}s against {@link dev.sluice.BufferedConsumer}
 * (1–16 writer threads; inline, single-thread, pooled and failing drain executors; sinks that accept, refuse, take part
 * of an item or throw; push and pull producers registered and unregistered by another thread; operator holds from
 * several threads; connection lost, aborted or closed from another thread), checking invariants 1–9 of the threading
 * contract throughout ({@link CheckingProducer}, {@link CheckingSink}) and at each round's quiet point and end
 * ({@link Round}).
 *
 * <p>System properties: {@code sluice.torture.operations} (default 10⁷; {@code -Ptorture} sets 10⁸),
 * {@code sluice.torture.seed} to replay a run, {@code sluice.torture.keepGoing=true} to run every round even after a
 * failure (to see every kind of failure at once), {@code sluice.torture.verbose=true} to print every round.
 */
class TortureTest {

    private static final long DEFAULT_OPERATIONS = 10_000_000L;

    @Test
    void bufferedConsumerKeepsTheThreadingContractUnderRandomConcurrentLoad() {
        long target = Long.getLong("sluice.torture.operations", DEFAULT_OPERATIONS);
        long seed = Long.getLong("sluice.torture.seed", System.nanoTime());
        boolean keepGoing = Boolean.getBoolean("sluice.torture.keepGoing");
        boolean verbose = Boolean.getBoolean("sluice.torture.verbose");
        SplittableRandom seeds = new SplittableRandom(seed);
        Violations violations = new Violations();
        Map<Scenario.DrainMode, Long> byDrain = new EnumMap<>(Scenario.DrainMode.class);
        long operations = 0;
        int rounds = 0;
        long started = System.nanoTime();
        while (operations < target) {
            long roundOperations = Math.min(target - operations, 20_000 + seeds.nextInt(60_000));
            Scenario scenario = Scenario.random(seeds.nextLong(), roundOperations);
            long roundStarted = System.nanoTime();
            long done = new Round(scenario, ++rounds, violations).run();
            if (verbose) {
                System.out.printf("round %d: %,d operations in %d ms, %s%n", rounds, done,
                        (System.nanoTime() - roundStarted) / 1_000_000, scenario);
            }
            operations += done;
            byDrain.merge(scenario.drain(), done, Long::sum);
            if (!violations.isEmpty() && !keepGoing) {
                break;
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("torture: %,d operations in %d rounds, %.1f s (%,.0f operations/s), JDK %s, seed %d;"
                + " by drain mode %s%n", operations, rounds, took.toMillis() / 1000.0,
                operations / Math.max(0.001, took.toMillis() / 1000.0), Runtime.version(), seed, byDrain);

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
