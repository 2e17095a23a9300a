package dev.sluice.review;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import dev.sluice.testing.TestThreads;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which consumer a producer's entry is attached to, when registrations race removals and moves. Each interleaving is
 * forced: a membership listener that blocks the registering thread at one point, or a drain executor that runs a
 * consumer's loop only when the test says (a loop whose executor has not got to it yet).
 */
class RegistryReviewAttachTest {

    private final TestThreads threads = new TestThreads("registry-review-attach");

    @AfterEach
    void closeThreads() {
        this.threads.close();
    }

    private static BufferedConsumer<String> consumer(String name) {
        return BufferedConsumer.<String>builder(RecordingSink.accepting()).name(name).build();
    }

    /**
     * Thread A registers consumer c, whose producer p is in the registry; thread B removes c between the ConsumerAdded
     * event and A's attach of p. A attaches p to c all the same: p's entry stays attached to a consumer that is no
     * longer followed, and an operator's pause of p later holds whatever producer c has then.
     */
    @Test
    void aConsumerRemovedWhileItRegistersLeavesNoAttachmentAndNoHoldBehind() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        BufferedConsumer<String> c = consumer("c");
        StrictPushProducer p = new StrictPushProducer();
        c.registerProducer(p, true);
        registry.registerProducer("p", p);
        CountDownLatch added = new CountDownLatch(1);
        CountDownLatch removed = new CountDownLatch(1);
        registry.addMembershipListener(event -> {
            if (event instanceof RegistryEvent.ConsumerAdded consumerAdded && consumerAdded.name().equals("c")) {
                added.countDown();
                try {
                    removed.await(10, TimeUnit.SECONDS); // thread B removes c here
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Future<?> registering = this.threads.submit(() -> registry.registerConsumer("c", c));
        assertThat(added.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.remove("c")).isTrue();
        removed.countDown();
        registering.get(10, TimeUnit.SECONDS);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(registry.consumer("c")).as("c was removed").isEmpty();
        soft.assertThat(registry.producer("p").map(ProducerSnapshot::consumer).orElse(null))
                .as("p's consumer once c has left the registry (a removed consumer is no longer followed)").isNull();

        // p moves on; c gets another producer q; then the operator pauses p
        c.unregisterProducer();
        StrictPushProducer q = new StrictPushProducer();
        c.registerProducer(q, true);
        registry.pause("p");
        soft.assertThat(c.isProducerHeld()).as("c held by the operator's pause of p, a producer c no longer has")
                .isFalse();
        soft.assertThat(q.events()).as("callbacks to q, which no operator paused").isEmpty();
        soft.assertAll();
    }

    /**
     * A producer p that group consumer c1 brought in moves to group consumer c2 of the same registry: c1 unregisters it,
     * c2 registers it and announces it at once; c1's loop, whose executor runs later, then tells of the
     * unregistration. c1's late event removes p's entry, although p is registered with c2, a followed group consumer:
     * p vanishes from the registry while it lives, and c2's snapshot shows no producer.
     */
    @Test
    void aFollowedProducerThatMovesToAnotherGroupConsumerStaysListed() {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor firstLoop = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(RecordingSink.accepting()).name("c1")
                .drainOn(firstLoop).build();
        BufferedConsumer<String> c2 = consumer("c2");
        String c2Name = registry.register("g", c2).name();
        registry.register("g", c1);
        StrictPushProducer p = new StrictPushProducer();
        c1.registerProducer(p, true);
        firstLoop.runAll();
        assertThat(registry.producers()).hasSize(1);

        c1.unregisterProducer(); // told by c1's loop, which its executor has not run yet
        c2.registerProducer(p, true); // announced at once: c2's loop is inline
        assertThat(registry.producers()).extracting(ProducerSnapshot::consumer).containsExactly(c2Name);
        firstLoop.runAll(); // c1's late unregistration

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(registry.producers()).as("producers listed while p is registered with group consumer "
                + c2Name).extracting(ProducerSnapshot::consumer).containsExactly(c2Name);
        soft.assertThat(registry.consumer(c2Name).orElseThrow().producer()).as("the producer of " + c2Name)
                .isNotNull();
        soft.assertThat(registry.group("g").orElseThrow().producers()).as("producers of group g").isEqualTo(1);
        soft.assertAll();
    }

    /**
     * p leaves consumer c and q registers with c and writes 100 items before c's loop (on an executor that has not run
     * yet) tells of either change. The 100 units were accepted while p was not registered with c, and while q was;
     * the registry gives them to p, for good, and none to q.
     */
    @Test
    void unitsWrittenAfterAProducerLeftAreNotCountedForIt() {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor loop = new ManualExecutor();
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(RecordingSink.accepting()).name("c")
                .drainOn(loop).build();
        registry.registerConsumer("c", c);
        StrictPushProducer p = new StrictPushProducer();
        StrictPushProducer q = new StrictPushProducer();
        registry.registerProducer("p", p);
        registry.registerProducer("q", q);
        c.registerProducer(p, true);
        loop.runAll();
        for (int i = 0; i < 10; i++) {
            c.write("p");
        }
        loop.runAll();
        assertThat(registry.producer("p").orElseThrow().unitsWritten()).isEqualTo(10);

        c.unregisterProducer();
        c.registerProducer(q, true);
        for (int i = 0; i < 100; i++) {
            c.write("q"); // q writes at once, as a producer may once registerProducer has returned
        }
        loop.runAll();

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(c.acceptedUnits()).isEqualTo(110);
        soft.assertThat(registry.producer("p").orElseThrow().unitsWritten()).as("units written by p").isEqualTo(10);
        soft.assertThat(registry.producer("q").orElseThrow().unitsWritten()).as("units written by q").isEqualTo(100);
        soft.assertAll();
    }
}
