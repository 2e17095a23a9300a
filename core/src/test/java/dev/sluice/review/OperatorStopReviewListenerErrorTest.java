package dev.sluice.review;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.RegistryEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator's stop of a followed producer ({@code <consumer>.producer}, brought in by a group consumer) while a
 * registry listener throws a {@link VirtualMachineError} on the {@code StateChanged} of that stop.
 * {@code ConsumerEntry.left} publishes the event before it removes the followed entry, and {@code publish} rethrows the
 * error, so the removal is skipped: the producer, stopped and gone from its consumer, stays listed for good (its
 * group never empties). DESIGN §4.9 asks that the fault be handled and the error rethrown <em>after</em> that; the
 * registry's own javadoc: a {@link VirtualMachineError} from a listener is rethrown "after every listener has heard"
 * and "a removal is done". A RuntimeException or a plain Error is covered by RegistryListenerErrorReviewTest and
 * passes. Deterministic, one thread (inline drain).
 */
class OperatorStopReviewListenerErrorTest {

    @Test
    void aFollowedProducerStoppedByTheOperatorLeavesTheListingWhenAListenerThrowsAVirtualMachineError() {
        ProducerRegistry registry = new ProducerRegistry();
        AtomicBoolean armed = new AtomicBoolean();
        registry.addListener(event -> {
            if (armed.get() && event instanceof RegistryEvent.StateChanged) {
                throw new StackOverflowError("listener recursed");
            }
        });
        BufferedConsumer<String> consumer = BufferedConsumer.<String>builder(item -> true).name("req").build();
        registry.register("requests", consumer);
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p");
        consumer.registerProducer(producer, false);
        assertThat(registry.producers()).extracting(ProducerSnapshot::name).containsExactly("requests#1.producer");

        armed.set(true);
        Throwable thrown = null;
        try {
            registry.stop("requests#1.producer");
        }
        catch (Throwable ex) {
            thrown = ex; // rethrown after the loop let go: expected
        }

        assertThat(thrown).isInstanceOf(StackOverflowError.class);
        assertThat(producer.stops()).isEqualTo(1);
        assertThat(consumer.producer()).isNull();
        assertThat(registry.producers()).as("producers listed after the followed producer was stopped and left")
            .extracting(ProducerSnapshot::name).isEmpty();
    }
}
