package dev.sluice.review;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.BufferedConsumer;
import dev.sluice.PullProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consumer#write: "A false is a promise: resumeProducing or stopProducing follows for the producer registered now"
 * (an operator hold must be released for the resume to come).
 */
class PromiseEdgeReviewTest {

    @Test
    void aPullProducerThatGotFalseForAnEmptyChunkWhileHeldIsResumedOnRelease() {
        check(0);
    }

    @Test
    void controlWithANonEmptyChunkHoldsUp() {
        check(8);
    }

    private void check(int chunk) {
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.<ByteBuffer>builder(item -> true).name("pull").build();
        List<String> calls = new CopyOnWriteArrayList<>();
        boolean[] answer = new boolean[1];
        PullProducer producer = new PullProducer() {
            @Override
            public void resumeProducing() {
                calls.add("resume"); // starts an asynchronous read; its completion writes the chunk
            }

            @Override
            public void stopProducing() {
                calls.add("stop");
            }
        };
        consumer.registerProducer(producer, false);
        assertThat(calls).containsExactly("resume");
        consumer.holdProducer(); // an operator pauses it while its read is under way (inline: applied now)
        answer[0] = consumer.write(ByteBuffer.allocate(chunk)); // the read completes (empty)
        assertThat(answer[0]).as("write answered (held)").isFalse();
        consumer.releaseProducer();
        assertThat(calls).as("callbacks after the false and the release").hasSizeGreaterThan(1);
    }
}
