package dev.sluice.regression;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A weigher is user code wherever the consumer asks it: after a sink took part of an item, the consumer weighs what is
 * left, and a weigher that throws there fails the consumer as one that throws at write does (found by the torture on
 * c89da23: the failure was swallowed, unlogged, and {@code whenClosed()} later completed normally).
 */
class WeigherAfterPartialTakeTest {

    @Test
    void aWeigherThatThrowsWhenAskedWhatIsLeftFailsTheConsumer() {
        IllegalStateException fault = new IllegalStateException("weigher fault for the test");
        AtomicInteger weighs = new AtomicInteger();
        Weigher<ByteBuffer> secondCallThrows = new Weigher<>() {
            @Override
            public long weigh(ByteBuffer item) {
                if (weighs.incrementAndGet() == 2) {
                    throw fault;
                }
                return item.remaining();
            }

            @Override
            public String unit() {
                return "bytes";
            }
        };
        Sink<ByteBuffer> takesHalf = item -> {
            item.position(item.position() + item.remaining() / 2);
            return false;
        };
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(takesHalf).name("partial")
            .weigher(secondCallThrows).waterMarks(new WaterMarks(1024, 0)).build();
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);

        consumer.write(ByteBuffer.allocate(100)); // weighed at write, half taken, then weighed again: throws

        CompletableFuture<Void> closed = consumer.whenClosed();
        assertThat(closed).isCompletedExceptionally();
        assertThat(closed).failsWithin(java.time.Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .havingCause().isSameAs(fault);
        assertThat(producer.events()).containsExactly("stop");
        assertThat(consumer.bufferedUnits()).isZero();
        // the sink's half is not known to the consumer: the item counts as not sent, and is dropped
        assertThat(consumer.acceptedUnits()).isEqualTo(consumer.sentUnits() + consumer.droppedUnits());
    }
}
