package dev.sluice.registry;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ProducerRegistryTest {

    private final AtomicLong clock = new AtomicLong();

    private final ProducerRegistry registry = new ProducerRegistry(this.clock::get);

    private final List<RegistryEvent> events = new ArrayList<>();

    private final RecordingSink<ByteBuffer> sink = RecordingSink.limited();

    private final BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(this.sink).name("out")
        .weigher(Weigher.bytes()).waterMarks(new WaterMarks(4, 0)).build();

    private final StrictPushProducer producer = new StrictPushProducer();

    ProducerRegistryTest() {
        this.registry.addListener(this.events::add);
    }

    private void fill() {
        this.consumer.write(ByteBuffer.allocate(5));
    }

    private void drainAll() {
        this.sink.grant(Long.MAX_VALUE / 2);
        this.consumer.drain();
    }

    @Test
    void aNameIsTakenOnceAcrossProducersAndConsumersAndTheErrorNamesBoth() {
        this.registry.registerConsumer("orders", this.consumer);

        assertThatIllegalStateException().isThrownBy(() -> this.registry.registerProducer("orders", this.producer))
            .withMessageContaining("'orders'")
            .withMessageContaining(this.producer.toString())
            .withMessageContaining(this.consumer.toString());
        this.registry.registerProducer("feed", this.producer);
        assertThatIllegalStateException().isThrownBy(() -> this.registry.registerProducer("feed-2", this.producer))
            .withMessageContaining("already registered as producer 'feed'");
        assertThat(this.registry.producer("feed-2")).isEmpty();
    }

    @Test
    void producerStateFollowsItsConsumersCallbacksWithPauseTimes() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);
        assertThat(this.registry.producer("feed").orElseThrow().consumer()).isEqualTo("out");

        this.clock.set(1_000);
        fill();
        this.clock.set(4_000);
        ProducerSnapshot paused = this.registry.producer("feed").orElseThrow();
        assertThat(paused.state()).isEqualTo(ProducerState.PAUSED);
        assertThat(paused.pauseCount()).isEqualTo(1);
        assertThat(paused.currentPause()).isEqualTo(Duration.ofNanos(3_000));

        this.clock.set(11_000);
        drainAll();
        ProducerSnapshot resumed = this.registry.producer("feed").orElseThrow();
        assertThat(resumed.state()).isEqualTo(ProducerState.PRODUCING);
        assertThat(resumed.pausedTime()).isEqualTo(Duration.ofNanos(10_000));
        assertThat(resumed.currentPause()).isZero();
        assertThat(resumed.unitsWritten()).isEqualTo(5);
        assertThat(this.events).contains(
                new RegistryEvent.StateChanged("feed", "out", ProducerState.PRODUCING, ProducerState.PAUSED,
                        Duration.ZERO),
                new RegistryEvent.StateChanged("feed", "out", ProducerState.PAUSED, ProducerState.PRODUCING,
                        Duration.ofNanos(10_000)));
    }

    @Test
    void unregisteringFinishesAndLosingTheConnectionStops() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);
        this.consumer.unregisterProducer();
        assertThat(this.registry.producer("feed").orElseThrow().state()).isEqualTo(ProducerState.FINISHED);
        assertThat(this.registry.consumer("out").orElseThrow().producer()).isNull();

        this.consumer.registerProducer(this.producer, true);
        assertThat(this.registry.producer("feed").orElseThrow().state()).isEqualTo(ProducerState.PRODUCING);
        this.consumer.connectionLost(null);
        assertThat(this.registry.producer("feed").orElseThrow().state()).isEqualTo(ProducerState.STOPPED);
        assertThat(this.producer.events()).containsExactly("stop");
    }

    @Test
    void operatorPauseComposesWithBackPressure() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);

        this.registry.pause("feed");
        assertThat(this.producer.events()).containsExactly("pause");
        assertThat(this.registry.producer("feed").orElseThrow().heldByOperator()).isTrue();
        fill(); // the buffer wants a pause too
        this.registry.resume("feed");
        assertThat(this.producer.events()).containsExactly("pause"); // the buffer still wants it paused

        drainAll();
        assertThat(this.producer.events()).containsExactly("pause", "resume");
        this.registry.resume("feed"); // resuming twice is harmless
        assertThat(this.producer.events()).containsExactly("pause", "resume");
    }

    @Test
    void operatorPauseIsAStandingOrderThatFollowsTheProducerToItsConsumer() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.registry.pause("feed");
        assertThat(this.producer.events()).isEmpty();

        this.consumer.registerProducer(this.producer, true);
        assertThat(this.producer.events()).containsExactly("pause");

        this.consumer.unregisterProducer(); // leaving the consumer releases its hold there
        StrictPushProducer other = new StrictPushProducer();
        this.consumer.registerProducer(other, true);
        assertThat(other.events()).isEmpty();
        assertThat(this.consumer.isProducerHeld()).isFalse();
    }

    @Test
    void stopByNameStopsThroughTheConsumer() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);

        ProducerSnapshot stopped = this.registry.stop("feed").orElseThrow();

        assertThat(stopped.state()).isEqualTo(ProducerState.STOPPED);
        assertThat(this.producer.events()).containsExactly("stop");
        assertThat(this.consumer.producer()).isNull();
    }

    @Test
    void unknownNamesGiveNothing() {
        assertThat(this.registry.pause("nobody")).isEmpty();
        assertThat(this.registry.resume("nobody")).isEmpty();
        assertThat(this.registry.stop("nobody")).isEmpty();
        assertThat(this.registry.producer("nobody")).isEmpty();
        assertThat(this.registry.consumer("nobody")).isEmpty();
        assertThat(this.registry.remove("nobody")).isFalse();
    }

    @Test
    void consumerSnapshotShowsTheBuffer() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);
        fill();
        this.sink.grant(2);
        this.consumer.drain();

        assertThat(this.registry.consumers()).containsExactly(
                new ConsumerSnapshot("out", "feed", "bytes", 3, 4, 0, 5, 2, 0));
    }

    @Test
    @SuppressWarnings("try") // the registration is only closed, by try-with-resources
    void producersRegisteredAfterAttachingAreFoundAndRemovalReleasesHolds() {
        this.consumer.registerProducer(this.producer, true);
        this.registry.registerConsumer("out", this.consumer);
        try (ProducerRegistry.Registration registration = this.registry.registerProducer("feed", this.producer)) {
            assertThat(this.registry.producer("feed").orElseThrow().consumer()).isEqualTo("out");
            this.registry.pause("feed");
            assertThat(this.producer.events()).containsExactly("pause");
        }
        assertThat(this.registry.producers()).isEmpty();
        assertThat(this.producer.events()).containsExactly("pause", "resume");
        assertThat(this.events).contains(new RegistryEvent.Removed("feed", true));
    }
}
