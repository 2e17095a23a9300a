package dev.sluice.review;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.GroupView;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import dev.sluice.testing.TestThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group membership churned from several threads: producers and consumers of one group come and go, while a reader
 * watches the group's live view. Invariants: a listed group's counters never go down; once the threads are quiet the
 * registry lists exactly the groups that have members, with the right member counts.
 */
class RegistryReviewMembershipStressTest {

    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(6);

    private final TestThreads threads = new TestThreads("registry-review-membership");

    @AfterEach
    void closeThreads() {
        this.threads.close();
    }

    @Test
    @SuppressWarnings("try") // the registrations are held for their scope only
    void groupsExistExactlyWhileTheyHaveMembersAndTheirCountersNeverGoDown() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        List<RegistryEvent> events = new ArrayList<>();
        registry.addMembershipListener(event -> {
            synchronized (events) {
                events.add(event);
            }
        });
        int workers = 3;
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> churn = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int me = w;
            churn.add(this.threads.submit(() -> {
                go.await();
                long n = 0;
                while (running.get()) {
                    n++;
                    if ((n + me) % 3 == 0) {
                        BufferedConsumer<String> c = BufferedConsumer.<String>builder(RecordingSink.accepting())
                                .name("c" + me).build();
                        try (ProducerRegistry.Registration r = registry.register("g", c)) {
                            StrictPushProducer p = new StrictPushProducer();
                            c.registerProducer(p, true); // brought in as <c>.producer
                            for (int i = 0; i < 3; i++) {
                                c.write("x");
                            }
                            c.unregisterProducer();
                        }
                    }
                    else {
                        try (ProducerRegistry.Registration r = registry.register("g", new StrictPushProducer())) {
                            assertThat(registry.groupView("g")).as("g while %s is in it", r.name()).isPresent();
                        }
                    }
                }
                return null;
            }));
        }
        Future<String> reader = this.threads.submit(() -> {
            go.await();
            GroupView seen = null;
            long accepted = 0;
            long sent = 0;
            while (running.get()) {
                GroupView view = registry.groupView("g").orElse(null);
                if (view == null) {
                    continue;
                }
                if (view != seen) {
                    seen = view;
                    accepted = 0;
                    sent = 0;
                }
                long a = view.acceptedUnits();
                long s = view.sentUnits();
                if (a < accepted || s < sent) {
                    return "counters of one group went down: accepted " + accepted + " -> " + a + ", sent " + sent
                            + " -> " + s;
                }
                accepted = a;
                sent = s;
            }
            return null;
        });
        go.countDown();
        long deadline = System.nanoTime() + BUDGET_NANOS;
        while (System.nanoTime() < deadline && !reader.isDone()) {
            Thread.onSpinWait();
            if (churn.stream().anyMatch(Future::isDone)) {
                break;
            }
        }
        running.set(false);
        for (Future<?> f : churn) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertThat(reader.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(registry.groupNames()).as("groups once every member has left").isEmpty();
        assertThat(registry.producers()).isEmpty();
        assertThat(registry.consumers()).isEmpty();

        try (ProducerRegistry.Registration last = registry.register("g", new StrictPushProducer())) {
            assertThat(registry.group("g").orElseThrow().producers()).isEqualTo(1);
        }
        assertThat(registry.groupNames()).isEmpty();
    }
}
