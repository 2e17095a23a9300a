package dev.sluice;

import java.util.ArrayList;
import java.util.List;

import dev.sluice.testing.RecordingPullProducer;
import dev.sluice.testing.RecordingPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link ConsumerSupport} on its own, as Twisted's {@code _ConsumerMixin} (seed 004; FD-1 to FD-5): a subclass that
 * only provides the three connection attributes and {@code startWriting}, as FileDescriptor does.
 */
class ConsumerSupportTest {

    /** The smallest consumer: writes go nowhere; the test sets the connection attributes by hand. */
    static final class BareConsumer extends ConsumerSupport<String> {

        boolean connected = true;

        boolean disconnecting;

        boolean disconnected;

        int startWritingCalls;

        boolean full;

        BareConsumer() {
            super("bare");
        }

        @Override
        public boolean write(String data) {
            return true;
        }

        @Override
        protected boolean isConnected() {
            return this.connected;
        }

        @Override
        protected boolean isDisconnecting() {
            return this.disconnecting;
        }

        @Override
        protected boolean isDisconnected() {
            return this.disconnected;
        }

        @Override
        protected void startWriting() {
            this.startWritingCalls++;
        }

        @Override
        protected boolean shouldPauseProducer() {
            return this.full;
        }

        void fill(boolean full) {
            this.full = full;
            producerStateChanged();
        }

        void more() {
            requestMore();
        }

        void pauseNow() {
            pauseWanted();
        }

        void lose() {
            this.connected = false;
            this.disconnected = true;
            stopProducer();
        }
    }

    private final BareConsumer consumer = new BareConsumer();

    @Test
    void fd1_secondRegistrationIsAnIllegalStateAndTheFirstStays() {
        RecordingPushProducer first = new RecordingPushProducer();
        this.consumer.registerProducer(first, true);

        assertThatIllegalStateException()
            .isThrownBy(() -> this.consumer.registerProducer(new RecordingPushProducer(), true))
            .withMessageContaining("consumer 'bare'");
        assertThat(this.consumer.producer()).isSameAs(first);
    }

    @Test
    void fd2_disconnectedConsumerStopsTheProducerAtOnceAndStoresNothing() {
        this.consumer.disconnected = true;
        RecordingPushProducer producer = new RecordingPushProducer();

        this.consumer.registerProducer(producer, true);

        assertThat(producer.events()).containsExactly("stop");
        assertThat(this.consumer.producer()).isNull();
        assertThat(this.consumer.isStreamingProducer()).isFalse();
    }

    @Test
    void fd3_storesTheProducerAndTheStreamingFlagAndResumesAPullProducer() {
        RecordingPullProducer pull = new RecordingPullProducer();

        this.consumer.registerProducer(pull, false);

        assertThat(this.consumer.producer()).isSameAs(pull);
        assertThat(this.consumer.isStreamingProducer()).isFalse();
        assertThat(pull.events()).containsExactly("resume");
        this.consumer.more();
        this.consumer.more();
        assertThat(pull.events()).containsExactly("resume", "resume", "resume");
    }

    @Test
    void fd3_fd9_pushProducerIsPausedAndResumedOnlyOnChangesOfTheSubclassAnswer() {
        RecordingPushProducer push = new RecordingPushProducer();
        this.consumer.registerProducer(push, true);
        assertThat(this.consumer.isStreamingProducer()).isTrue();

        this.consumer.fill(false);
        this.consumer.fill(true);
        this.consumer.fill(true);
        assertThat(this.consumer.isProducerPaused()).isTrue();
        this.consumer.fill(false);
        this.consumer.more(); // pull requests mean nothing to a push producer

        assertThat(push.events()).containsExactly("pause", "resume");
        assertThat(this.consumer.isProducerPaused()).isFalse();
    }

    @Test
    void fd4_registrationStartsUnpaused() {
        RecordingPushProducer old = new RecordingPushProducer();
        this.consumer.registerProducer(old, true);
        this.consumer.fill(true);
        this.consumer.unregisterProducer();
        this.consumer.fill(false);

        RecordingPushProducer fresh = new RecordingPushProducer();
        this.consumer.registerProducer(fresh, true);

        assertThat(this.consumer.isProducerPaused()).isFalse();
        assertThat(fresh.events()).isEmpty();
        assertThat(old.events()).containsExactly("pause");
    }

    @Test
    void fd5_unregisterStartsWritingOnlyWhenConnectedAndDisconnecting() {
        this.consumer.registerProducer(new RecordingPushProducer(), true);
        this.consumer.unregisterProducer();
        assertThat(this.consumer.startWritingCalls).isZero();

        this.consumer.registerProducer(new RecordingPushProducer(), true);
        this.consumer.disconnecting = true;
        this.consumer.unregisterProducer();
        assertThat(this.consumer.startWritingCalls).isEqualTo(1);

        this.consumer.connected = false;
        this.consumer.unregisterProducer();
        assertThat(this.consumer.startWritingCalls).isEqualTo(1);
        assertThat(this.consumer.producer()).isNull();
    }

    @Test
    void fd16_stopProducerCallsStopOnceAndUnregisters() {
        RecordingPushProducer producer = new RecordingPushProducer();
        this.consumer.registerProducer(producer, true);

        this.consumer.lose();
        this.consumer.lose();

        assertThat(producer.events()).containsExactly("stop");
        assertThat(this.consumer.producer()).isNull();
    }

    @Test
    void listenersSeeRegistrationsAndEachCallbackInOrder() {
        List<String> seen = new ArrayList<>();
        this.consumer.addProducerListener(new ProducerListener() {
            @Override
            public void registered(Producer producer, boolean streaming) {
                seen.add("registered:" + streaming);
            }

            @Override
            public void unregistered(Producer producer) {
                seen.add("unregistered");
            }

            @Override
            public void paused(Producer producer) {
                seen.add("paused");
            }

            @Override
            public void resumed(Producer producer) {
                seen.add("resumed");
            }

            @Override
            public void stopped(Producer producer) {
                seen.add("stopped");
            }
        });
        this.consumer.registerProducer(new RecordingPushProducer(), true);
        this.consumer.fill(true);
        this.consumer.fill(false);
        this.consumer.unregisterProducer();
        this.consumer.registerProducer(new RecordingPushProducer(), true);
        this.consumer.lose();

        assertThat(seen).containsExactly("registered:true", "paused", "resumed", "unregistered", "registered:true",
                "stopped");
    }

    @Test
    void listenersSeeANestedPauseAfterTheResumeItIsNestedIn() {
        List<String> seen = new ArrayList<>();
        this.consumer.addProducerListener(new ProducerListener() {
            @Override
            public void paused(Producer producer) {
                seen.add("paused");
            }

            @Override
            public void resumed(Producer producer) {
                seen.add("resumed");
            }
        });
        dev.sluice.testing.StrictPushProducer producer = new dev.sluice.testing.StrictPushProducer() {
            @Override
            protected void onTransition(String event) {
                if (event.equals("resume")) {
                    ConsumerSupportTest.this.consumer.full = true; // a write from inside resume fills the buffer
                    ConsumerSupportTest.this.consumer.pauseNow();
                }
            }
        };
        this.consumer.registerProducer(producer, true);
        this.consumer.fill(true);
        this.consumer.fill(false);

        assertThat(producer.events()).containsExactly("pause", "resume", "pause");
        assertThat(seen).containsExactly("paused", "resumed", "paused");
    }

    @Test
    void aListenerThatThrowsIsIgnored() {
        this.consumer.addProducerListener(new ProducerListener() {
            @Override
            public void paused(Producer producer) {
                throw new IllegalStateException("listener bug");
            }
        });
        RecordingPushProducer producer = new RecordingPushProducer();
        this.consumer.registerProducer(producer, true);

        this.consumer.fill(true);
        this.consumer.fill(false);

        assertThat(producer.events()).containsExactly("pause", "resume");
    }
}
