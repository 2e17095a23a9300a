package dev.sluice.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.kafka.KafkaTestSupport.Events;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.event.ContainerStoppedEvent;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A resume that comes while the container still holds the rest of a batch it was paused in. */
class KafkaSourceResumeTest {

    /** Takes every record; answers {@code false} once, to the record at {@code pauseAt}. */
    private static final class OnePause implements Consumer<KafkaRecord<String, String>> {

        final List<Long> offsets = new CopyOnWriteArrayList<>();

        final CountDownLatch answeredFalse = new CountDownLatch(1);

        private final long pauseAt;

        OnePause(long pauseAt) {
            this.pauseAt = pauseAt;
        }

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
        }

        @Override
        public void unregisterProducer() {
        }

        @Override
        public boolean write(KafkaRecord<String, String> record) {
            this.offsets.add(record.offset());
            record.acknowledge();
            if (record.offset() == this.pauseAt) {
                this.answeredFalse.countDown();
                return false;
            }
            return true;
        }
    }

    /**
     * The consumer thread reaches the top of its loop, where it pauses its Kafka consumer, only after
     * {@code idleBetweenPolls} (6 s, longer than the 5 s after which the source used to resume anyway). A resume before
     * that would let the next poll return records while the rest of the batch is still held: an emergency stop.
     */
    @Test
    void aResumeWaitsForTheConsumerToPauseHoweverLongThatTakes() throws InterruptedException {
        KafkaTestSupport.fill("late-pause", 1, 60); // the first poll takes 50
        Events events = new Events();
        ConcurrentMessageListenerContainer<String, String> container = KafkaTestSupport.container("late-pause",
                "late-pause", "late-pause-group", 50, events);
        container.getContainerProperties().setIdleBetweenPolls(6_000);
        OnePause consumer = new OnePause(10);
        KafkaSource<String, String> source = KafkaSource.attach(container, consumer);
        container.start();
        try {
            consumer.answeredFalse.await();
            source.resumeProducing(); // the consumer wants more at once, before the container has paused its consumer

            // the held records come once the consumer has paused; an emergency stop would have stopped the container
            // (synchronously, on the consumer thread) in the poll before they come
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.offsets.size() >= 50 || !container.isRunning());
            assertThat(container.isRunning()).as("container running (no emergency stop)").isTrue();
            assertThat(events.count(ContainerStoppedEvent.class)).isZero();
            assertThat(consumer.offsets.subList(0, 50)).containsExactlyElementsOf(
                    KafkaTestSupport.range(50).stream().map(Long::valueOf).toList());
        }
        finally {
            container.stop();
        }
    }
}
