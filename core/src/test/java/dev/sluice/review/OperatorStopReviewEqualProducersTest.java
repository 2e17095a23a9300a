package dev.sluice.review;

import java.util.Objects;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of f7a56fd: {@code ConsumerSupport.stopsOnTheirWay} is a set of producers compared with {@code equals}, where
 * the registry (and every other check in the stop path: {@code stopProducer(expected)}, {@code calling}) compares by
 * identity. Two distinct producer objects that are equal (a {@code record}, a Lombok {@code @Value}, a Kotlin data
 * class, or a producer keyed by its topic) are two producers to the registry, which lists both; but when one of them
 * has a stop on its way at consumer C (queued to C's loop, here on a drain executor that has not run yet), the
 * operator's stop of the other, which is registered with no consumer, finds {@code C.stopThroughLoop(other)} true
 * ("its stop is already on its way") and does nothing: the registry reports it STOPPED and it never gets
 * {@code stopProducing}. Deterministic (manual executor, one thread).
 */
class OperatorStopReviewEqualProducersTest {

    /** A producer equal to any other for the same topic: ordinary value equality. */
    static final class TopicProducer extends OperatorStopReviewProducer {

        private final String topic;

        TopicProducer(String label, String topic) {
            super(label);
            this.topic = topic;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TopicProducer that && that.topic.equals(this.topic);
        }

        @Override
        public int hashCode() {
            return Objects.hash(this.topic);
        }
    }

    @Test
    void operatorStopOfAnIdleProducerEqualToOneWhoseStopIsQueuedElsewhereIsLost() {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks = new ManualExecutor();
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(item -> true).name("c").drainOn(tasks).build();
        registry.registerConsumer("c", c);
        TopicProducer first = new TopicProducer("first", "orders");
        TopicProducer second = new TopicProducer("second", "orders");
        registry.registerProducer("first", first);
        registry.registerProducer("second", second); // the registry keys by identity: two producers
        c.registerProducer(first, false);
        tasks.runAll(); // announced, asked for its first chunk

        registry.stop("first"); // through c's loop: queued, the drain executor has not run it yet
        registry.stop("second"); // registered with no consumer: must be stopped directly (ProducerRegistry#stop)

        assertThat(registry.producer("second").orElseThrow().state()).isEqualTo(ProducerState.STOPPED);
        assertThat(second.stops()).as("stopProducing calls to 'second', which the registry reports STOPPED")
            .isEqualTo(1);
    }

    @Test
    void operatorStopOfAnIdleProducerEqualToOneWhoseStopIsQueuedIsLostEvenAfterTheLoopRuns() {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks = new ManualExecutor();
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(item -> true).name("c").drainOn(tasks).build();
        registry.registerConsumer("c", c);
        TopicProducer first = new TopicProducer("first", "orders");
        TopicProducer second = new TopicProducer("second", "orders");
        registry.registerProducer("first", first);
        registry.registerProducer("second", second);
        c.registerProducer(first, false);
        tasks.runAll();

        registry.stop("first");
        registry.stop("second");
        tasks.runAll(); // c's loop delivers what it owes: first's stop only

        assertThat(first.stops()).isEqualTo(1);
        assertThat(second.stops()).as("stopProducing calls to 'second' once every loop is quiet").isEqualTo(1);
        registry.stop("second"); // a second order does nothing: the stop is claimed
        assertThat(second.stops()).as("after the operator tries again").isEqualTo(1);
    }
}
