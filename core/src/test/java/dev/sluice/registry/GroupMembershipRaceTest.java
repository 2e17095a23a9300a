package dev.sluice.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group made, joined and emptied by several threads at once: the first member and later ones race the last one to
 * leave. A group must exist exactly while it has members (found by CI: an empty group left behind when the creator's
 * member count was taken after the group was listed, so a member that came and went in between removed it and the
 * creator listed it again).
 */
class GroupMembershipRaceTest {

    private static final int THREADS = 4;

    private static final int ROUNDS = 100_000;

    @Test
    void aGroupIsListedExactlyWhileItHasMembers() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        CyclicBarrier together = new CyclicBarrier(THREADS);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<String>>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(threads.submit(() -> {
                    List<String> problems = new ArrayList<>();
                    for (int round = 0; round < ROUNDS; round++) {
                        if (round % 64 == 0) {
                            together.await(10, TimeUnit.SECONDS);
                        }
                        try (ProducerRegistry.Registration registration = registry.register("g",
                                new StrictPushProducer())) {
                            if (registry.group("g").isEmpty()) {
                                problems.add("group missing while " + registration.name() + " is in it");
                            }
                        }
                    }
                    return problems;
                }));
            }
            List<String> problems = new ArrayList<>();
            for (Future<List<String>> worker : workers) {
                problems.addAll(worker.get(2, TimeUnit.MINUTES));
            }
            assertThat(problems).isEmpty();
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(registry.groups()).isEmpty();
        assertThat(registry.producers()).isEmpty();
    }
}
