package dev.sluice.review;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review: a push producer that got {@code false} waits, as the contract tells it, for {@code resumeProducing} or
 * {@code stopProducing}; {@code stopConsuming()} (FD-17) unregisters it without a stop. The review found that the
 * javadoc excused only a producer that "unregistered itself". Decided as a javadoc defect: {@code stopConsuming} is the
 * producer's own call when its source has gone (Twisted calls it when a producer has lost its connection; FD-17 and
 * test_tcp's {@code test_nonStreamingProducer} expect no stop), so it is the producer unregistering itself, and
 * {@code Consumer#write} and {@code BufferedConsumer#stopConsuming} now say that nothing is owed to it afterwards. This
 * test pins that documented behaviour: no resume and no stop follow, and the consumer closes. Inline drain.
 */
class RegistrationMarkReviewStopConsumingPromiseTest {

    @Test
    void stopConsumingIsTheProducerUnregisteringItselfAndOwesItNothing() {
        RecordingSink<String> sink = RecordingSink.limited();
        BufferedConsumer<String> consumer = BufferedConsumer.builder(sink)
            .weigher(Weigher.items())
            .waterMarks(new WaterMarks(2, 0))
            .build();
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);

        boolean writable = true;
        for (int i = 0; writable && i < 10; i++) {
            writable = consumer.write("x" + i);
        }
        assertThat(writable).isFalse(); // the producer now waits for resumeProducing or stopProducing

        consumer.stopConsuming(); // the producer's call: its source has gone
        sink.grant(Long.MAX_VALUE);
        consumer.drain();
        assertThat(consumer.whenClosed()).isDone();

        assertThat(producer.events()).as("calls to the producer after stopConsuming and a full drain (FD-17)")
            .containsExactly("pause");
    }
}
