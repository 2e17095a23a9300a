package dev.sluice.review;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Probe (passes on f7a56fd): an operator's stop of a pull producer that unregistered itself inside its own
 * resumeProducing (STOP_LEFT), whose stopProducing throws: called once, counted once, entry STOPPED, the consumer it
 * left is not failed and takes the next producer.
 */
class OperatorStopReviewStopLeftFailureProbeTest {

    @Test
    void stopAfterTheCallbackThatThrowsIsCountedOnceAndLeavesTheConsumerWorking() {
        ProducerRegistry registry = new ProducerRegistry();
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(item -> true).name("c").build();
        registry.registerConsumer("c", c);
        int[] stops = new int[1];
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p") {
            @Override
            public void stopProducing() {
                stops[0]++;
                throw new IllegalStateException("stop failed");
            }
        };
        registry.registerProducer("p", producer);
        ProducerSnapshot[] during = new ProducerSnapshot[1];
        producer.onResume = call -> {
            if (call == 1) {
                c.unregisterProducer();
                during[0] = registry.stop("p").orElseThrow(); // on the loop thread: queued after this callback
            }
        };
        c.registerProducer(producer, false);

        assertThat(stops[0]).isEqualTo(1);
        ProducerSnapshot after = registry.producer("p").orElseThrow();
        assertThat(after.state()).isEqualTo(ProducerState.STOPPED);
        assertThat(after.errors()).isEqualTo(1);
        assertThat(c.whenClosed()).isNotDone();
        OperatorStopReviewProducer next = new OperatorStopReviewProducer("next");
        c.registerProducer(next, false);
        assertThat(next.events()).contains("resume");
    }
}
