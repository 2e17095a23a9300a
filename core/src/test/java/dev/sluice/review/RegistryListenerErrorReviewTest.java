package dev.sluice.review;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import dev.sluice.BufferedConsumer;
import dev.sluice.PushProducer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.RegistryEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN §4.9: "every call into user code (sink, weigher, listener, ...) catches Throwable"; ProducerListener: "an
 * exception is logged and ignored". A registry listener that throws a plain Error (an AssertionError from a test
 * listener, an IOError from one that writes a log file) is let through by the registry (it catches RuntimeException
 * only): the registry's own bookkeeping after the event is skipped, and so are the other listeners.
 */
class RegistryListenerErrorReviewTest {

    static final class Quiet implements PushProducer {

        @Override
        public void pauseProducing() {
        }

        @Override
        public void resumeProducing() {
        }

        @Override
        public void stopProducing() {
        }
    }

    private static Supplier<Throwable> thrown(String kind) {
        return switch (kind) {
            case "runtime" -> () -> new IllegalStateException("listener bug");
            case "assertion" -> () -> new AssertionError("listener bug");
            default -> () -> new java.io.IOError(new java.io.IOException("event log full"));
        };
    }

    @ParameterizedTest
    @ValueSource(strings = { "runtime", "assertion", "ioerror" })
    void aFollowedProducerLeavesTheRegistryWithItsConsumerWhateverAListenerThrows(String kind) {
        Supplier<Throwable> failure = thrown(kind);
        ProducerRegistry registry = new ProducerRegistry();
        registry.addListener(event -> {
            if (event instanceof RegistryEvent.StateChanged) {
                sneakyThrow(failure.get());
            }
        });
        BufferedConsumer<String> consumer = BufferedConsumer.<String>builder(item -> true).name("req").build();
        registry.register("requests", consumer);
        consumer.registerProducer(new Quiet(), true);
        assertThat(registry.producers()).extracting(ProducerSnapshot::name).hasSize(1); // followed: "requests#1.producer"

        consumer.unregisterProducer();

        assertThat(registry.producers()).as("producers listed after the producer left its group consumer (%s)", kind)
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "runtime", "assertion", "ioerror" })
    void aThrowingRegistryListenerDoesNotStarveTheOthers(String kind) {
        Supplier<Throwable> failure = thrown(kind);
        ProducerRegistry registry = new ProducerRegistry();
        List<RegistryEvent> seen = new CopyOnWriteArrayList<>();
        registry.addListener(event -> sneakyThrow(failure.get()));
        registry.addListener(seen::add);
        BufferedConsumer<String> consumer = BufferedConsumer.<String>builder(item -> true).name("c").build();
        try {
            registry.registerConsumer("c", consumer);
        }
        catch (Throwable ex) {
            // the registration's caller should not get the listener's failure either; recorded below
            seen.add(new RegistryEvent.GroupAdded("caller got " + ex));
        }
        assertThat(seen).as("events the second listener saw (%s from the first)", kind)
                .contains(new RegistryEvent.ConsumerAdded("c", "c"))
                .noneMatch(event -> event instanceof RegistryEvent.GroupAdded added
                        && added.name().startsWith("caller got"));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable failure) throws E {
        throw (E) failure;
    }
}
