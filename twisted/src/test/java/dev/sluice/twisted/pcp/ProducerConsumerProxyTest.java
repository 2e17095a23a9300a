package dev.sluice.twisted.pcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;
import dev.sluice.testing.RecordingPushProducer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Ports of Twisted's {@code test_pcp} (twisted-spec §10.7); the interface tests run against both proxy classes. */
class ProducerConsumerProxyTest {

    /** Makes a registered proxy of one of the two classes over a consumer, push or pull. */
    interface Kind extends BiFunction<Consumer<String>, Boolean, BasicProducerConsumerProxy<String>> {
    }

    static Stream<Kind> bothClasses() {
        return Stream.of(
                named((consumer, streaming) -> BasicProducerConsumerProxy.create(consumer, ChunkType.strings(),
                        streaming), "BasicProducerConsumerProxy"),
                named((consumer, streaming) -> ProducerConsumerProxy.create(consumer, ChunkType.strings(), streaming,
                        ProducerConsumerProxy.DEFAULT_BUFFER_SIZE), "ProducerConsumerProxy"));
    }

    private static Kind named(Kind kind, String name) {
        return new Kind() {
            @Override
            public BasicProducerConsumerProxy<String> apply(Consumer<String> consumer, Boolean streaming) {
                return kind.apply(consumer, streaming);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** A pull producer that records its calls. */
    static final class RecordingPullProducer implements PullProducer {

        final List<String> events = new ArrayList<>();

        @Override
        public void resumeProducing() {
            this.events.add("resume");
        }

        @Override
        public void stopProducing() {
            this.events.add("stop");
        }
    }

    private final FinishRecordingConsumer<String> below = new FinishRecordingConsumer<>();

    // --- TransportInterfaceTests, ConsumerInterfaceTest, ProducerInterfaceTest (both classes, push proxy) ---

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB5_aWriteWhileProducingIsPassedDown(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        proxy.write("some bytes");
        assertThat(this.below.written()).containsExactly("some bytes");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB7_registeringAPushProducerDoesNotResumeIt(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        RecordingPushProducer above = new RecordingPushProducer();
        proxy.registerProducer(above, true);
        assertThat(above.events()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB8_afterUnregisterAResumeDoesNotReachTheOldProducer(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        RecordingPullProducer above = new RecordingPullProducer();
        proxy.registerProducer(above, false);
        above.events.clear(); // ProducerConsumerProxy pulls at registration (PCP-4)

        proxy.unregisterProducer();
        proxy.resumeProducing();

        assertThat(above.events).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB6_afterFinishAResumeDoesNotReachTheOldProducer(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        RecordingPullProducer above = new RecordingPullProducer();
        proxy.registerProducer(above, false);
        above.events.clear();

        proxy.finish();
        proxy.resumeProducing();

        assertThat(above.events).isEmpty();
        assertThat(this.below.events()).containsSubsequence("finish", "unregister");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB1_theProxyRegistersItselfWithItsConsumer(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        assertThat(this.below.producer()).isSameAs(proxy);
        assertThat(this.below.isStreaming()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB5_aWriteWhilePausedIsNotSent(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        proxy.pauseProducing();
        proxy.write("yakkity yak");
        assertThat(this.below.written()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB3_afterPauseAndResumeAWriteIsSent(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        proxy.pauseProducing();
        proxy.resumeProducing();
        proxy.write("yakkity yak");
        assertThat(this.below.written()).containsExactly("yakkity yak");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB3_resumingWithAnEmptyBufferMakesNoEmptyWrite(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        proxy.pauseProducing();
        proxy.resumeProducing();
        assertThat(this.below.written()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB3_resumeFlushesTheBuffer(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        proxy.pauseProducing();
        proxy.write("buffer this");
        proxy.resumeProducing();
        assertThat(this.below.written()).containsExactly("buffer this");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB4_afterStopWritesAreDropped(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, true);
        proxy.stopProducing();
        proxy.write("yakkity yak");
        proxy.resumeProducing();
        assertThat(this.below.written()).isEmpty();
    }

    // --- PullProducerTest (both classes, pull proxy) ---

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB5_aPullProxyHoldsWritesUntilItIsPulled(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, false);
        assertThat(this.below.isStreaming()).isFalse();
        proxy.write("hello");
        assertThat(this.below.written()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB3_aPullSendsWhatWasWritten(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, false);
        proxy.write("hello");
        proxy.resumeProducing();
        assertThat(this.below.written()).containsExactly("hello");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB3_twoWritesAndOnePullGiveOneMergedWrite(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, false);
        proxy.write("hello ");
        proxy.write("sunshine");
        proxy.resumeProducing();
        assertThat(this.below.written()).containsExactly("hello sunshine");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void pcpB5_aPullBeforeAnyDataIsAnsweredByTheNextWrite(Kind kind) {
        BasicProducerConsumerProxy<String> proxy = kind.apply(this.below, false);
        proxy.resumeProducing();
        proxy.write("data");
        assertThat(this.below.written()).containsExactly("data");
        proxy.write("more");
        assertThat(this.below.written()).containsExactly("data"); // one answer per pull
    }

    // --- ProducerProxyTests and ConsumerProxyTests (the basic proxy) ---

    @Nested
    class BasicProxy {

        @Test
        void pcpB4_stopIsRelayedUpstream() {
            BasicProducerConsumerProxy<String> proxy = BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
            RecordingPushProducer above = new RecordingPushProducer();
            proxy.registerProducer(above, true);
            proxy.stopProducing();
            assertThat(above.events()).containsExactly("stop");
        }

        @Test
        void pcpB2_pauseAndResumeAreRelayedUpstream() {
            BasicProducerConsumerProxy<String> proxy = BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
            RecordingPushProducer above = new RecordingPushProducer();
            proxy.registerProducer(above, true);
            proxy.pauseProducing();
            proxy.resumeProducing();
            assertThat(above.events()).containsExactly("pause", "resume");
        }

        @Test
        void pcpB6_finishCallsTheConsumersFinish() {
            BasicProducerConsumerProxy<String> proxy = BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
            proxy.finish();
            assertThat(below.events()).containsExactly("register push", "finish", "unregister");
        }

        @Test
        void pcpB8_unregisterCallsTheConsumersUnregisterEvenWithNoProducer() {
            BasicProducerConsumerProxy<String> proxy = BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
            proxy.unregisterProducer();
            assertThat(below.events()).containsExactly("register push", "unregister");
            assertThat(below.producer()).isNull();
        }
    }

    // --- BufferedConsumerTests and BufferedPullTests (the bounded proxy) ---

    @Nested
    class BoundedProxy {

        private final ProducerConsumerProxy<String> proxy =
                ProducerConsumerProxy.create(below, ChunkType.strings(), true, 100);

        private final RecordingPushProducer above = new RecordingPushProducer();

        @Test
        void pcp4_aPullProducerIsResumedOnRegistration() {
            RecordingPullProducer pull = new RecordingPullProducer();
            this.proxy.registerProducer(pull, false);
            assertThat(pull.events).containsExactly("resume");
        }

        @Test
        void pcp1_thePauseOfTheProxyIsNotRelayed() {
            this.proxy.registerProducer(this.above, true);
            this.proxy.pauseProducing();
            assertThat(this.above.events()).isEmpty();
        }

        @Test
        void pcp2_resumingTheProxyDoesNotResumeAnUnpausedProducer() {
            this.proxy.registerProducer(this.above, true);
            this.proxy.pauseProducing();
            this.proxy.resumeProducing();
            assertThat(this.above.events()).isEmpty();
        }

        @Test
        void pcp3_reachingTheBufferSizePausesTheProducerOnceGreaterOrEqual() {
            this.proxy.registerProducer(this.above, true);
            this.proxy.pauseProducing();
            this.proxy.write("x".repeat(51));
            assertThat(this.above.events()).isEmpty();
            this.proxy.write("x".repeat(49));
            assertThat(this.above.events()).containsExactly("pause"); // exactly 100: >= bufferSize
            this.proxy.write("x".repeat(2));
            assertThat(this.above.events()).containsExactly("pause"); // edge-triggered: no second pause
            assertThat(this.proxy.producerPaused).isTrue();
        }

        @Test
        void pcp2_aResumeThatEmptiesTheBufferResumesThePausedProducer() {
            this.proxy.registerProducer(this.above, true);
            this.proxy.pauseProducing();
            this.proxy.write("x".repeat(102));
            assertThat(this.above.events()).containsExactly("pause");

            this.proxy.resumeProducing();

            assertThat(below.text()).isEqualTo("x".repeat(102));
            assertThat(this.proxy.bufferedUnits()).isZero();
            assertThat(this.above.events()).containsExactly("pause", "resume");
            assertThat(this.proxy.producerPaused).isFalse();
        }

        @Test
        void pcp6_unregisterWaitsForTheBufferToDrain() {
            this.proxy.registerProducer(this.above, true);
            this.proxy.pauseProducing();
            this.proxy.write("pending");
            this.proxy.unregisterProducer();
            assertThat(below.events()).doesNotContain("unregister");

            this.proxy.resumeProducing();

            assertThat(below.written()).containsExactly("pending");
            assertThat(below.events()).endsWith("write", "unregister");
        }
    }

    @Nested
    class BoundedPullProxyWithPartialWrites {

        /** A pull proxy whose consumer takes at most 100 chars per write (BufferedPullTests). */
        private final ProducerConsumerProxy<String> proxy =
                new ProducerConsumerProxy<>(below, ChunkType.strings(), false, 65536) {
                    @Override
                    protected long writeSomeData(String data) {
                        String part = data.substring(0, Math.min(100, data.length()));
                        return super.writeSomeData(part);
                    }
                };

        @Test
        void pcp2_aResumeWithAnEmptyBufferPullsUpstream() {
            this.proxy.registerWithConsumer();
            RecordingPullProducer pull = new RecordingPullProducer();
            this.proxy.registerProducer(pull, false);
            pull.events.clear();

            this.proxy.resumeProducing();

            assertThat(pull.events).containsExactly("resume");
        }

        @Test
        void pcp2_aPausedProducerIsResumedOnlyOnceTheUnsentTailIsBelowTheBufferSize() {
            ProducerConsumerProxy<String> twoAtATime = new ProducerConsumerProxy<>(below, ChunkType.strings(), false, 100) {
                @Override
                protected long writeSomeData(String data) {
                    return super.writeSomeData(data.substring(0, Math.min(2, data.length())));
                }
            };
            RecordingPushProducer above = new RecordingPushProducer();
            twoAtATime.registerProducer(above, true);
            twoAtATime.write("x".repeat(102)); // not pulled yet: buffered, 102 >= 100
            assertThat(above.events()).containsExactly("pause");

            twoAtATime.resumeProducing(); // sends 2: 100 left, still >= bufferSize
            assertThat(twoAtATime.bufferedUnits()).isEqualTo(100);
            assertThat(above.events()).containsExactly("pause");

            twoAtATime.resumeProducing(); // sends 2: 98 left, below bufferSize
            assertThat(twoAtATime.bufferedUnits()).isEqualTo(98);
            assertThat(above.events()).containsExactly("pause", "resume");
            assertThat(twoAtATime.write("y")).as("write's answer below the bound").isTrue();
        }

        @Test
        void pcp3_aLatePartialWriteBuffersTheRemainder() {
            this.proxy.registerWithConsumer();
            this.proxy.resumeProducing();
            this.proxy.write("datum".repeat(21));

            assertThat(below.written()).containsExactly("datum".repeat(20));
            assertThat(this.proxy.buffer).containsExactly("datum");
        }
    }

    @Test
    void pcp7_byteBufferChunksAreMergedByConcatenation() {
        FinishRecordingConsumer<ByteBuffer> bytesBelow = new FinishRecordingConsumer<>();
        BasicProducerConsumerProxy<ByteBuffer> proxy = BasicProducerConsumerProxy.create(bytesBelow,
                ChunkType.byteBuffers(), false);
        proxy.write(ascii("hello "));
        proxy.write(ascii("sunshine"));
        proxy.resumeProducing();

        assertThat(bytesBelow.written()).hasSize(1);
        assertThat(StandardCharsets.US_ASCII.decode(bytesBelow.written().get(0)).toString())
                .isEqualTo("hello sunshine");
    }

    @Test
    void pcp7_byteBufferPartialWritesKeepTheUnsentTail() {
        FinishRecordingConsumer<ByteBuffer> bytesBelow = new FinishRecordingConsumer<>();
        ProducerConsumerProxy<ByteBuffer> proxy = new ProducerConsumerProxy<>(bytesBelow, ChunkType.byteBuffers(),
                true, 1024) {
            @Override
            protected long writeSomeData(ByteBuffer data) {
                ByteBuffer part = data.duplicate();
                part.limit(part.position() + Math.min(4, part.remaining()));
                return super.writeSomeData(part);
            }
        };
        proxy.registerWithConsumer();
        proxy.write(ascii("abcdefgh"));
        proxy.resumeProducing();

        assertThat(bytesBelow.written()).extracting(b -> StandardCharsets.US_ASCII.decode(b.duplicate()).toString())
                .containsExactly("abcd", "efgh");
        assertThat(proxy.bufferedUnits()).isZero();
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
