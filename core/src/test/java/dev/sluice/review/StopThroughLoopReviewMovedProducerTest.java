package dev.sluice.review;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.sluice.BufferedConsumer;
import dev.sluice.ConsumerSupport;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.review.StopThroughLoopReviewProducer.Tasks;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.RepeatedTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator's {@code ProducerRegistry.stop(name)} of a producer that has moved from consumer C1 to consumer C2 from
 * inside C1's callback: at the time of the stop the producer is <em>registered with C2</em> (followed by the
 * registry, registration not announced yet), and C1's loop is still inside its {@code resumeProducing}.
 *
 * <p>{@code claimingConsumer} takes the first followed consumer whose {@code stopThroughLoop} says yes. When C1 comes
 * first, C1 says yes because {@code calling == producer} and queues STOP_LEFT: the producer gets its
 * {@code stopProducing} from C1, but its registration with C2 is never taken out, so C2 announces it and calls
 * {@code resumeProducing} after the stop, the registry re-attaches it (PRODUCING after it reported STOPPED) and a
 * second operator stop does nothing (the stop is claimed). The test makes C1 the consumer the registry looks at first
 * (the iteration order of its consumer map is read by reflection, nothing is changed), so it is deterministic. Both
 * consumers drain on manual executors; C1's loop runs on its own thread, C2's on the test thread afterwards.
 */
class StopThroughLoopReviewMovedProducerTest {

    @RepeatedTest(10)
    void operatorStopClaimedByTheLoopStillCallingLeavesTheProducerRegisteredWithTheNextConsumer() throws Exception {
        Scenario s = run();
        assertThat(s.afterStop.state()).isEqualTo(ProducerState.STOPPED);
        assertThat(s.producer.events()).as("callbacks of the operator-stopped producer (stop must be the last)")
            .endsWith("stop");
    }

    /** Same scenario: what the registry and C2 say afterwards, and whether the operator can still stop it. */
    @RepeatedTest(10)
    void producerReportedStoppedIsAttachedAndProducingAgainAndCannotBeStopped() throws Exception {
        Scenario s = run();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(s.afterStop.state()).as("state returned by stop").isEqualTo(ProducerState.STOPPED);
        soft.assertThat(s.c2.producer()).as("C2's registered producer after the operator's stop").isNull();
        soft.assertThat(s.registry.producer("p").orElseThrow().state()).as("registry state once quiet")
            .isEqualTo(ProducerState.STOPPED);
        s.registry.stop("p"); // a second operator stop: the first one is claimed, so nothing more happens
        s.tasks2.runAll();
        soft.assertThat(s.producer.events()).as("callbacks after a second operator stop").endsWith("stop");
        soft.assertAll();
    }

    private record Scenario(ProducerRegistry registry, StopThroughLoopReviewProducer producer,
            BufferedConsumer<String> c2, Tasks tasks2, ProducerSnapshot afterStop) {
    }

    private static Scenario run() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        Tasks tasksX = new Tasks();
        Tasks tasksY = new Tasks();
        BufferedConsumer<String> x = BufferedConsumer.<String>builder(item -> true).name("x").drainOn(tasksX::add)
            .build();
        BufferedConsumer<String> y = BufferedConsumer.<String>builder(item -> true).name("y").drainOn(tasksY::add)
            .build();
        registry.registerConsumer("x", x);
        registry.registerConsumer("y", y);
        // C1: the consumer the registry's stop asks first; C2: the other one
        List<ConsumerSupport<?>> order = followedOrder(registry);
        BufferedConsumer<String> c1 = (order.get(0) == x) ? x : y;
        BufferedConsumer<String> c2 = (c1 == x) ? y : x;
        Tasks tasks1 = (c1 == x) ? tasksX : tasksY;
        Tasks tasks2 = (c1 == x) ? tasksY : tasksX;

        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch stopReturned = new CountDownLatch(1);
        StopThroughLoopReviewProducer[] self = new StopThroughLoopReviewProducer[1];
        StopThroughLoopReviewProducer producer = new StopThroughLoopReviewProducer(call -> {
            if (call == 1) {
                // moves to C2 inside C1's first resumeProducing, and stays in the callback a while
                c1.unregisterProducer();
                c2.registerProducer(self[0], false);
                inCallback.countDown();
                StopThroughLoopReviewProducer.await(stopReturned);
            }
        });
        self[0] = producer;
        registry.registerProducer("p", producer);
        c1.registerProducer(producer, false);

        Thread loop1 = new Thread(tasks1::runAll, "c1-loop");
        loop1.start();
        StopThroughLoopReviewProducer.await(inCallback);
        // the operator, while C1's loop is inside resumeProducing and the producer is registered with C2
        assertThat(c2.producer()).isSameAs(producer);
        ProducerSnapshot afterStop = registry.stop("p").orElseThrow();
        stopReturned.countDown();
        loop1.join(10_000);
        assertThat(loop1.isAlive()).isFalse();
        tasks2.runAll();
        tasks1.runAll();
        return new Scenario(registry, producer, c2, tasks2, afterStop);
    }

    /** The followed consumers in the order ProducerRegistry.claimingConsumer visits them (read, not changed). */
    static List<ConsumerSupport<?>> followedOrder(ProducerRegistry registry) throws ReflectiveOperationException {
        Field byObject = ProducerRegistry.class.getDeclaredField("consumersByObject");
        byObject.setAccessible(true);
        List<ConsumerSupport<?>> order = new ArrayList<>();
        for (Object entry : ((Map<?, ?>) byObject.get(registry)).values()) {
            Field consumer = entry.getClass().getDeclaredField("consumer");
            consumer.setAccessible(true);
            order.add((ConsumerSupport<?>) consumer.get(entry));
        }
        return order;
    }
}
