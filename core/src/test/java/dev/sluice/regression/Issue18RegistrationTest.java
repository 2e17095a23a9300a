package dev.sluice.regression;

import java.time.Duration;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.TracingPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18, defect 1: a registration that another thread's loop announces late must not lose the wake-up that a
 * {@code false} from {@code write} promised (DESIGN §4.3).
 */
class Issue18RegistrationTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    /**
     * Defect 1, lost wake-up at registration. Thread A owns the consumer's loop (blocked inside a callback); the test
     * registers push producer P, P writes past the high-water mark and gets {@code false}, the sink drains the
     * buffer empty, and only then does A's loop announce P. P must still get the resume (or a stop) its {@code false}
     * promised.
     *
     * <p>Fails on 65a6063: P got no callback at all ("P got no resumeProducing or stopProducing within PT5S ...; its
     * callbacks: []"): the lane recorded the pause reasons as answered when it announced P, after the drain, so P was
     * neither paused nor resumed, and a writer waiting for its resume (as {@code ConsumerOutputStream}) waits for ever.
     */
    @Test
    void defect1_aProducerRegisteredWhileTheLoopIsBusyGetsTheResumeItsFalsePromised() throws Exception {
        RecordingSink<Integer> sink = RecordingSink.limited(); // no room until granted; then the test drains
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(sink).name("defect1").weigher(Weigher.items())
            .waterMarks(new WaterMarks(2, 1)).build();
        TracingPushProducer producer = new TracingPushProducer("P");

        try (LoopBlocker blocker = LoopBlocker.block(consumer)) {
            consumer.registerProducer(producer, true);
            int mark = producer.mark();
            assertThat(consumer.write(0)).isTrue();
            assertThat(consumer.write(1)).isTrue();
            assertThat(consumer.write(2)).as("the write that takes the buffer above the high-water mark").isFalse();
            sink.grant(Long.MAX_VALUE);
            consumer.drain(); // the buffer empties before the loop has announced P

            blocker.release();

            producer.awaitResumeOrStopSince(mark, PROMPTLY, "defect 1 (registration announced after the drain)");
        }
        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(sink.items()).containsExactly(0, 1, 2));
    }
}
