package dev.sluice.registry;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingPullProducer;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ProducerRegistryTest {

    private final ProducerRegistry registry = new ProducerRegistry();

    private final List<RegistryEvent> events = new ArrayList<>();

    private final RecordingSink<ByteBuffer> sink = RecordingSink.limited();

    private final BufferedConsumer<ByteBuffer> consumer = bytesConsumer("out", this.sink);

    private final StrictPushProducer producer = new StrictPushProducer();

    ProducerRegistryTest() {
        this.registry.addListener(this.events::add);
    }

    private static BufferedConsumer<ByteBuffer> bytesConsumer(String name, RecordingSink<ByteBuffer> sink) {
        return BufferedConsumer.builder(sink).name(name).weigher(Weigher.bytes()).waterMarks(new WaterMarks(4, 0))
            .build();
    }

    private void fill() {
        this.consumer.write(ByteBuffer.allocate(5));
    }

    private void drainAll() {
        this.sink.grant(Long.MAX_VALUE / 2);
        this.consumer.drain();
    }

    private ProducerSnapshot feed() {
        return this.registry.producer("feed").orElseThrow();
    }

    @Test
    void aNameIsTakenOnceAcrossProducersAndConsumersAndTheErrorNamesBoth() {
        this.registry.registerConsumer("orders", this.consumer);

        assertThatIllegalStateException().isThrownBy(() -> this.registry.registerProducer("orders", this.producer))
            .withMessageContaining("'orders'")
            .withMessageContaining(this.producer.toString());
        this.registry.registerProducer("feed", this.producer);
        assertThatIllegalStateException().isThrownBy(() -> this.registry.registerProducer("feed-2", this.producer))
            .withMessageContaining("already registered as producer 'feed'");
        assertThat(this.registry.producer("feed-2")).isEmpty();
        assertThat(this.registry.groupNames()).containsExactly("feed", "orders");
        assertThatIllegalArgumentException().isThrownBy(() -> this.registry.registerProducer(" ", this.producer))
            .withMessageContaining("blank");
    }

    @Test
    void producerStateIsReadFromItsConsumersLane() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);
        assertThat(feed().consumer()).isEqualTo("out");
        assertThat(feed().state()).isEqualTo(ProducerState.PRODUCING);

        fill();
        ProducerSnapshot paused = feed();
        assertThat(paused.state()).isEqualTo(ProducerState.PAUSED);
        assertThat(paused.pauseCount()).isEqualTo(1);
        assertThat(paused.currentPause()).isPositive();
        assertThat(this.registry.consumer("out").orElseThrow().producerPaused()).isTrue();

        drainAll();
        ProducerSnapshot resumed = feed();
        assertThat(resumed.state()).isEqualTo(ProducerState.PRODUCING);
        assertThat(resumed.pausedTime()).isPositive().isEqualTo(Duration.ofNanos(this.consumer.producerPausedNanos()));
        assertThat(resumed.currentPause()).isZero();
        assertThat(resumed.unitsWritten()).isEqualTo(5);
        assertThat(this.events).containsSubsequence(
                new RegistryEvent.StateChanged("feed", "out", ProducerState.PAUSED),
                new RegistryEvent.StateChanged("feed", "out", ProducerState.PRODUCING));
    }

    @Test
    void unregisteringFinishesAndLosingTheConnectionStops() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);
        fill();
        this.consumer.unregisterProducer();
        assertThat(feed().state()).isEqualTo(ProducerState.FINISHED);
        assertThat(feed().consumer()).isNull();
        assertThat(feed().currentPause()).isZero();
        assertThat(this.registry.consumer("out").orElseThrow().producer()).isNull();

        drainAll();
        this.consumer.registerProducer(this.producer, true);
        assertThat(feed().state()).isEqualTo(ProducerState.PRODUCING);
        this.consumer.connectionLost(null);
        assertThat(feed().state()).isEqualTo(ProducerState.STOPPED);
        assertThat(this.producer.events()).containsExactly("pause", "stop");
        assertThat(this.events).contains(new RegistryEvent.StateChanged("feed", "out", ProducerState.STOPPED));
    }

    @Test
    void figuresOfAConsumersEarlierProducersAreNotCountedForTheNextOne() {
        this.registry.registerConsumer("out", this.consumer);
        StrictPushProducer earlier = new StrictPushProducer();
        this.consumer.registerProducer(earlier, true);
        fill();
        drainAll();
        this.consumer.unregisterProducer();

        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);

        assertThat(feed().pauseCount()).isZero();
        assertThat(feed().pausedTime()).isZero();
        assertThat(feed().unitsWritten()).isZero();
        assertThat(this.registry.consumer("out").orElseThrow().pauseCount()).isEqualTo(1);
    }

    @Test
    void aProducerKeepsItsFiguresWhenItMovesToAnotherConsumer() {
        RecordingSink<ByteBuffer> otherSink = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> other = bytesConsumer("other", otherSink);
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerConsumer("other", other);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);
        fill();
        drainAll();
        this.consumer.unregisterProducer();

        other.registerProducer(this.producer, true);
        other.write(ByteBuffer.allocate(7));

        ProducerSnapshot moved = feed();
        assertThat(moved.consumer()).isEqualTo("other");
        assertThat(moved.state()).isEqualTo(ProducerState.PAUSED);
        assertThat(moved.pauseCount()).isEqualTo(2);
        assertThat(moved.unitsWritten()).isEqualTo(12);
    }

    @Test
    void aHeldPullProducerIsReportedPaused() {
        RecordingPullProducer pull = new RecordingPullProducer();
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", pull);
        this.registry.pause("feed");
        this.consumer.registerProducer(pull, false);

        assertThat(feed().state()).isEqualTo(ProducerState.PAUSED);
        assertThat(pull.events()).isEmpty();
        this.registry.resume("feed");
        assertThat(feed().state()).isEqualTo(ProducerState.PRODUCING);
        assertThat(pull.events()).containsExactly("resume");
    }

    @Test
    void operatorPauseComposesWithBackPressure() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);

        this.registry.pause("feed");
        assertThat(this.producer.events()).containsExactly("pause");
        assertThat(feed().heldByOperator()).isTrue();
        assertThat(this.consumer.isProducerHeld()).isTrue();
        fill(); // the buffer wants a pause too
        this.registry.resume("feed");
        assertThat(this.producer.events()).containsExactly("pause"); // the buffer still wants it paused
        assertThat(this.consumer.isProducerHeld()).isFalse();

        drainAll();
        assertThat(this.producer.events()).containsExactly("pause", "resume");
        this.registry.resume("feed"); // resuming twice is harmless
        this.registry.pause("feed");
        this.registry.pause("feed"); // and so is pausing twice
        this.registry.resume("feed");
        assertThat(this.producer.events()).containsExactly("pause", "resume", "pause", "resume");
    }

    @Test
    void operatorPauseIsAStandingOrderThatFollowsTheProducerFromConsumerToConsumer() {
        BufferedConsumer<ByteBuffer> other = bytesConsumer("other", RecordingSink.limited());
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerConsumer("other", other);
        this.registry.registerProducer("feed", this.producer);
        this.registry.pause("feed");
        assertThat(this.producer.events()).isEmpty();

        this.consumer.registerProducer(this.producer, true);
        assertThat(this.producer.events()).containsExactly("pause");

        this.consumer.unregisterProducer(); // leaving the consumer withdraws the hold there
        assertThat(this.consumer.isProducerHeld()).isFalse();
        StrictPushProducer next = new StrictPushProducer();
        this.consumer.registerProducer(next, true);
        assertThat(next.events()).isEmpty();

        StrictPushProducer moved = new StrictPushProducer();
        this.registry.registerProducer("moved", moved);
        this.registry.pause("moved");
        other.registerProducer(moved, true);
        assertThat(other.isProducerHeld()).isTrue();
        assertThat(moved.events()).containsExactly("pause");
    }

    @Test
    void stopByNameStopsThroughTheConsumerAndAStoppedProducerCannotBePausedOrResumed() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);

        ProducerSnapshot stopped = this.registry.stop("feed").orElseThrow();

        assertThat(stopped.state()).isEqualTo(ProducerState.STOPPED);
        assertThat(this.producer.events()).containsExactly("stop");
        assertThat(this.consumer.producer()).isNull();
        assertThatExceptionOfType(ProducerStoppedException.class).isThrownBy(() -> this.registry.resume("feed"))
            .withMessage("Cannot resume producer 'feed': it has been stopped");
        assertThatExceptionOfType(ProducerStoppedException.class).isThrownBy(() -> this.registry.pause("feed"));
        assertThat(this.registry.stop("feed").orElseThrow().state()).isEqualTo(ProducerState.STOPPED);
        assertThat(this.producer.events()).containsExactly("stop");
        assertThat(this.producer.violations()).isZero();
    }

    @Test
    void stopByNameOfAProducerWithNoFollowedConsumerCallsItDirectly() {
        this.registry.registerProducer("feed", this.producer);

        assertThat(this.registry.stop("feed").orElseThrow().state()).isEqualTo(ProducerState.STOPPED);
        assertThat(this.producer.events()).containsExactly("stop");
    }

    @Test
    void unknownNamesGiveNothing() {
        assertThat(this.registry.pause("nobody")).isEmpty();
        assertThat(this.registry.resume("nobody")).isEmpty();
        assertThat(this.registry.stop("nobody")).isEmpty();
        assertThat(this.registry.producer("nobody")).isEmpty();
        assertThat(this.registry.consumer("nobody")).isEmpty();
        assertThat(this.registry.group("nobody")).isEmpty();
        assertThat(this.registry.remove("nobody")).isFalse();
    }

    @Test
    void consumerSnapshotShowsTheBufferAndTheLanesFigures() {
        this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);
        fill();
        this.sink.grant(2);
        this.consumer.drain();

        ConsumerSnapshot out = this.registry.consumers().get(0);
        assertThat(out).extracting(ConsumerSnapshot::name, ConsumerSnapshot::group, ConsumerSnapshot::producer,
                ConsumerSnapshot::unit, ConsumerSnapshot::bufferedUnits, ConsumerSnapshot::highWaterMark,
                ConsumerSnapshot::lowWaterMark, ConsumerSnapshot::acceptedUnits, ConsumerSnapshot::sentUnits,
                ConsumerSnapshot::droppedUnits, ConsumerSnapshot::producerPaused, ConsumerSnapshot::producerHeld,
                ConsumerSnapshot::pauseCount)
            .containsExactly("out", "out", "feed", "bytes", 3L, 4L, 0L, 5L, 2L, 0L, true, false, 1L);
    }

    @Test
    @SuppressWarnings("try") // the registration is only closed, by try-with-resources
    void producersRegisteredAfterAttachingAreFoundAndRemovalWithdrawsTheirHold() {
        this.consumer.registerProducer(this.producer, true);
        this.registry.registerConsumer("out", this.consumer);
        try (ProducerRegistry.Registration registration = this.registry.registerProducer("feed", this.producer)) {
            assertThat(registration.name()).isEqualTo("feed");
            assertThat(registration.group()).isEqualTo("feed");
            assertThat(feed().consumer()).isEqualTo("out");
            this.registry.pause("feed");
            assertThat(this.producer.events()).containsExactly("pause");
        }
        assertThat(this.registry.producers()).isEmpty();
        assertThat(this.producer.events()).containsExactly("pause", "resume");
        assertThat(this.events).contains(new RegistryEvent.Removed("feed", "feed", true),
                new RegistryEvent.GroupRemoved("feed"));
    }

    @Test
    void closingARegistrationRemovesThatOneOnly() {
        ProducerRegistry.Registration first = this.registry.registerProducer("feed", this.producer);
        first.close();
        StrictPushProducer second = new StrictPushProducer();
        this.registry.registerProducer("feed", second);

        first.close();

        assertThat(this.registry.producer("feed")).isPresent();
    }

    @Test
    void removingAConsumerLetsGoOfItsProducerAndOfTheHoldOnIt() {
        ProducerRegistry.Registration out = this.registry.registerConsumer("out", this.consumer);
        this.registry.registerProducer("feed", this.producer);
        this.consumer.registerProducer(this.producer, true);
        this.registry.pause("feed");

        out.close();

        assertThat(this.consumer.isProducerHeld()).isFalse();
        assertThat(feed().consumer()).isNull();
        assertThat(feed().state()).isEqualTo(ProducerState.PRODUCING);
        assertThat(feed().heldByOperator()).isTrue(); // the order stands, for the next consumer it joins
        assertThat(this.producer.events()).containsExactly("pause", "resume");
    }
}
