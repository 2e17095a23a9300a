package dev.sluice.review;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review: a push producer that got {@code false} and waits, as the contract tells it, for {@code resumeProducing} or
 * {@code stopProducing}, is left waiting for ever when the consumer's owner — not the producer — unregisters it
 * ({@code stopConsuming()}, FD-17). {@code Consumer#write} promises resume or stop "unless it unregistered itself";
 * this producer did not. Inline drain, deterministic.
 */
class RegistrationMarkReviewStopConsumingPromiseTest {

    @Test
    void falseIsAnsweredWhenTheConsumerUnregistersTheProducer() {
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

        consumer.stopConsuming(); // the consumer's owner, not the producer
        sink.grant(Long.MAX_VALUE);
        consumer.drain();
        assertThat(consumer.whenClosed()).isDone();

        assertThat(producer.events()).as("calls to the producer that got false, after stopConsuming and a full drain")
            .containsAnyOf("resume", "stop");
    }
}
