package dev.sluice.review;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.BufferedConsumer;
import dev.sluice.PullProducer;
import dev.sluice.WaterMarks;
import dev.sluice.registry.ProducerRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN §4 / docs: "ProducerRegistry.stop stops a producer through the consumer it is registered with, announced or
 * not" and "nothing after stop".
 */
class RegistryStopReviewTest {

    /** A pull producer that records every callback it gets, with the thread. */
    static final class RecordingPull implements PullProducer {

        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void resumeProducing() {
            this.calls.add("resume");
        }

        @Override
        public void stopProducing() {
            this.calls.add("stop");
        }
    }

    @Test
    void registryStopOfAProducerThatMovedToAnotherFollowedConsumerGoesThroughThatConsumer() {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor first = new ManualExecutor();
        ManualExecutor second = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(item -> true).name("c1")
                .waterMarks(new WaterMarks(4, 2)).drainOn(first).build();
        BufferedConsumer<String> c2 = BufferedConsumer.<String>builder(item -> true).name("c2")
                .waterMarks(new WaterMarks(4, 2)).drainOn(second).build();
        registry.registerConsumer("c1", c1);
        registry.registerConsumer("c2", c2);
        RecordingPull producer = new RecordingPull();
        registry.registerProducer("p", producer);

        c1.registerProducer(producer, false);
        first.runAll(); // announced on c1: the registry attaches p to c1; p is asked for a chunk
        assertThat(producer.calls).containsExactly("resume");

        // p moves to c2: both operations are queued on the consumers' loops, which have not run yet
        c1.unregisterProducer();
        c2.registerProducer(producer, false);

        registry.stop("p"); // p is registered with c2, a consumer the registry follows

        first.runAll();
        second.runAll();

        // expected: the stop goes through c2's loop (queued behind the registration), so p gets no call after stop
        assertThat(producer.calls).as("callbacks p received; 'stop' must be the last one").endsWith("stop");
        assertThat(producer.calls).containsOnlyOnce("stop");
    }
}
