package dev.sluice.registry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Groups: instances made per request, listed while they live, summed per group. */
class ProducerRegistryGroupTest {

    private final ProducerRegistry registry = new ProducerRegistry();

    private final List<RegistryEvent> membership = new ArrayList<>();

    ProducerRegistryGroupTest() {
        this.registry.addMembershipListener(this.membership::add);
    }

    private static BufferedConsumer<ByteBuffer> download(RecordingSink<ByteBuffer> sink) {
        return BufferedConsumer.builder(sink).name("download").weigher(Weigher.bytes())
            .waterMarks(new WaterMarks(10, 0)).build();
    }

    @Test
    void instancesGetTheirOwnNamesAndAreListedWhileTheyLive() {
        ProducerRegistry.Registration first = this.registry.register("downloads", download(RecordingSink.limited()));
        ProducerRegistry.Registration second = this.registry.register("downloads", download(RecordingSink.limited()));

        assertThat(first.name()).startsWith("downloads#").isNotEqualTo(second.name());
        assertThat(first.group()).isEqualTo("downloads");
        assertThat(this.registry.consumers()).extracting(ConsumerSnapshot::name)
            .containsExactlyInAnyOrder(first.name(), second.name());
        assertThat(this.registry.consumers()).extracting(ConsumerSnapshot::group).containsOnly("downloads");
        assertThat(this.registry.group("downloads").orElseThrow().consumers()).isEqualTo(2);

        first.close();
        assertThat(this.registry.consumers()).extracting(ConsumerSnapshot::name).containsExactly(second.name());
        second.close();
        assertThat(this.registry.consumers()).isEmpty();
        assertThat(this.registry.group("downloads")).isEmpty();
        assertThat(this.membership).containsExactly(new RegistryEvent.GroupAdded("downloads"),
                new RegistryEvent.ConsumerAdded(first.name(), "downloads"),
                new RegistryEvent.ConsumerAdded(second.name(), "downloads"),
                new RegistryEvent.Removed(first.name(), "downloads", false),
                new RegistryEvent.GroupRemoved("downloads"),
                new RegistryEvent.Removed(second.name(), "downloads", false));
    }

    @Test
    void aGroupConsumerBringsInTheProducerRegisteredWithItForAsLongAsItStays() {
        BufferedConsumer<ByteBuffer> consumer = download(RecordingSink.limited());
        ProducerRegistry.Registration registration = this.registry.register("downloads", consumer);
        StrictPushProducer producer = new StrictPushProducer(); // made inside a library: nobody registers it

        consumer.registerProducer(producer, true);
        consumer.write(ByteBuffer.allocate(11));

        String producerName = registration.name() + ".producer";
        ProducerSnapshot followed = this.registry.producer(producerName).orElseThrow();
        assertThat(followed.group()).isEqualTo("downloads");
        assertThat(followed.consumer()).isEqualTo(registration.name());
        assertThat(followed.state()).isEqualTo(ProducerState.PAUSED);
        assertThat(this.registry.consumer(registration.name()).orElseThrow().producer()).isEqualTo(producerName);
        assertThat(this.registry.group("downloads").orElseThrow().producersPaused()).isEqualTo(1);

        consumer.connectionLost(null);

        assertThat(this.registry.producer(producerName)).isEmpty();
        GroupSnapshot group = this.registry.group("downloads").orElseThrow();
        assertThat(group.producers()).isZero();
        assertThat(group.pauseCount()).isEqualTo(1); // kept after the producer left
        assertThat(group.producersPaused()).isZero();
        registration.close();
        assertThat(this.registry.groups()).isEmpty();
    }

    @Test
    void aProducerAlreadyRegisteredWithAGroupConsumerIsBroughtInWhenTheConsumerJoins() {
        BufferedConsumer<ByteBuffer> consumer = download(RecordingSink.limited());
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);

        ProducerRegistry.Registration registration = this.registry.register("downloads", consumer);
        assertThat(this.registry.producer(registration.name() + ".producer")).isPresent();

        registration.close(); // the consumer takes the producer it brought in along
        assertThat(this.registry.producers()).isEmpty();
        assertThat(this.registry.groups()).isEmpty();
    }

    @Test
    void groupTotalsAddUpTheMembersAndKeepWhatLeftMembersReached() {
        RecordingSink<ByteBuffer> sink = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> first = download(sink);
        BufferedConsumer<ByteBuffer> second = download(RecordingSink.limited());
        ProducerRegistry.Registration gone = this.registry.register("downloads", first);
        this.registry.register("downloads", second);
        first.write(ByteBuffer.allocate(3));
        second.write(ByteBuffer.allocate(4));
        sink.grant(2);
        first.drain();

        GroupSnapshot both = this.registry.group("downloads").orElseThrow();
        assertThat(both.bufferedUnits()).isEqualTo(5);
        assertThat(both.highWaterMark()).isEqualTo(20);
        assertThat(both.acceptedUnits()).isEqualTo(7);
        assertThat(both.sentUnits()).isEqualTo(2);
        assertThat(both.unit()).isEqualTo("bytes");

        gone.close();
        GroupSnapshot one = this.registry.group("downloads").orElseThrow();
        assertThat(one.consumers()).isEqualTo(1);
        assertThat(one.bufferedUnits()).isEqualTo(4); // a gauge: members of the moment
        assertThat(one.acceptedUnits()).isEqualTo(7); // counters: never down
        assertThat(one.sentUnits()).isEqualTo(2);
    }

    @Test
    void groupAndSingletonNamesDoNotMix() {
        this.registry.registerProducer("feed", new StrictPushProducer());
        this.registry.register("downloads", new StrictPushProducer());

        assertThatIllegalStateException().isThrownBy(() -> this.registry.register("feed", new StrictPushProducer()))
            .withMessageContaining("'feed'").withMessageContaining("already taken by producer 'feed'")
            .withMessageContaining("on its own");
        assertThatIllegalStateException()
            .isThrownBy(() -> this.registry.registerProducer("downloads", new StrictPushProducer()))
            .withMessageContaining("a group of that name");
        assertThat(this.registry.groupNames()).containsExactly("downloads", "feed");
    }

    @Test
    void aGroupCountsOneUnit() {
        this.registry.register("downloads", download(RecordingSink.limited()));
        BufferedConsumer<Object> items = BufferedConsumer.builder(RecordingSink.limited()).name("items")
            .weigher(Weigher.items()).build();

        assertThatIllegalArgumentException().isThrownBy(() -> this.registry.register("downloads", items))
            .withMessageContaining("group 'downloads'").withMessageContaining("items")
            .withMessageContaining("bytes");
        assertThat(this.registry.group("downloads").orElseThrow().consumers()).isEqualTo(1);
        assertThat(this.registry.contains(items)).isFalse();
    }

    @Test
    void anInstanceCannotBeRegisteredTwice() {
        StrictPushProducer producer = new StrictPushProducer();
        this.registry.register("downloads", producer);

        assertThatIllegalStateException().isThrownBy(() -> this.registry.register("uploads", producer))
            .withMessageContaining("already registered");
        assertThat(this.registry.group("uploads")).isEmpty();
    }

    @Test
    void aThousandShortLivedInstancesLeaveNothingBehind() {
        for (int i = 0; i < 1000; i++) {
            BufferedConsumer<ByteBuffer> consumer = download(RecordingSink.accepting());
            try (ProducerRegistry.Registration registration = this.registry.register("downloads", consumer)) {
                StrictPushProducer producer = new StrictPushProducer();
                consumer.registerProducer(producer, true);
                consumer.write(ByteBuffer.allocate(100));
                consumer.unregisterProducer();
                assertThat(registration.name()).isNotEmpty();
            }
        }
        assertThat(this.registry.producers()).isEmpty();
        assertThat(this.registry.consumers()).isEmpty();
        assertThat(this.registry.groups()).isEmpty();
        assertThat(this.membership.stream().filter(RegistryEvent.GroupAdded.class::isInstance)).hasSize(1000);
        assertThat(this.membership.stream().filter(RegistryEvent.GroupRemoved.class::isInstance)).hasSize(1000);
    }
}
