package dev.sluice;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

import dev.sluice.testing.CountingPullProducer;
import dev.sluice.testing.RecordingPullProducer;
import dev.sluice.testing.RecordingPushProducer;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The FileDescriptor write-path rules (twisted-spec §4, FD-1 to FD-17, TCP-1/2, §10.3 and §11 items 1-6) as kept by
 * {@link BufferedConsumer}, with the decisions of DESIGN §3. Sinks here take only what a test grants, so a
 * {@code grant(n); drain()} pair plays the part of one Twisted {@code doWrite}.
 */
class BufferedConsumerRulesTest {

    private final RecordingSink<ByteBuffer> sink = RecordingSink.limited();

    private BufferedConsumer<ByteBuffer> consumer(WaterMarks marks) {
        return BufferedConsumer.builder(this.sink).name("test").weigher(Weigher.bytes()).waterMarks(marks).build();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void if1_fd1_secondRegistrationThrowsAndKeepsTheFirst() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        RecordingPushProducer first = new RecordingPushProducer();
        RecordingPushProducer second = new RecordingPushProducer();
        consumer.registerProducer(first, true);

        assertThatIllegalStateException().isThrownBy(() -> consumer.registerProducer(second, true))
            .withMessageContaining(second.toString())
            .withMessageContaining(first.toString())
            .withMessageContaining("never unregistered");
        assertThat(consumer.producer()).isSameAs(first);
        assertThat(first.events()).isEmpty();
        assertThat(second.events()).isEmpty();
    }

    @Test
    void if1_fd1_doubleRegistrationIsCheckedBeforeDisconnection() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        CountingPullProducer<ByteBuffer> pull = CountingPullProducer.tenDigits(consumer);
        consumer.registerProducer(pull, false);
        assertThat(pull.counter()).isEqualTo(1); // test_doubleProducer: ["resume"]
        RecordingPushProducer second = new RecordingPushProducer();

        assertThatIllegalStateException().isThrownBy(() -> consumer.registerProducer(second, true));
        assertThat(second.events()).isEmpty();
    }

    @Test
    void if1_streamingRegistrationNeedsAPushProducer() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        PullProducer pull = new RecordingPullProducer();

        assertThatIllegalArgumentException().isThrownBy(() -> consumer.registerProducer(pull, true))
            .withMessageContaining("not a PushProducer");
        assertThat(consumer.producer()).isNull();
    }

    @Test
    void fd2_registeringOnADisconnectedConsumerStopsTheProducerAndKeepsNothing() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        consumer.connectionLost(null);
        RecordingPushProducer producer = new RecordingPushProducer();

        consumer.registerProducer(producer, true);

        assertThat(producer.events()).containsExactly("stop");
        assertThat(consumer.producer()).isNull();
        RecordingPushProducer later = new RecordingPushProducer();
        consumer.registerProducer(later, true); // does not throw: nothing was stored
        assertThat(later.events()).containsExactly("stop");
    }

    @Test
    void fd3_pullProducerIsResumedInsideRegistrationAndItsWriteSeesTheRegistration() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        List<Producer> seenDuringResume = new ArrayList<>();
        PullProducer producer = new RecordingPullProducer(call -> {
            seenDuringResume.add(consumer.producer());
            consumer.write(bytes("x"));
        });

        consumer.registerProducer(producer, false);

        assertThat(seenDuringResume).containsExactly(producer);
        assertThat(consumer.bufferedUnits()).isEqualTo(1);
    }

    @Test
    void fd3_pushProducerIsNeitherPausedNorResumedAtRegistration() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        StrictPushProducer producer = new StrictPushProducer();

        consumer.registerProducer(producer, true);

        assertThat(producer.events()).isEmpty();
        assertThat(consumer.isStreamingProducer()).isTrue();
    }

    @Test
    void fd3_decision_pushProducerRegisteredOnAFullBufferIsPausedAtOnce() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        consumer.write(bytes("1234"));
        StrictPushProducer producer = new StrictPushProducer();

        consumer.registerProducer(producer, true);

        assertThat(producer.events()).containsExactly("pause");
        this.sink.grant(4);
        consumer.drain();
        assertThat(producer.events()).containsExactly("pause", "resume");
    }

    @Test
    void fd4_decision_newRegistrationStartsUnpausedSoNoUnbalancedResume() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        RecordingPushProducer old = new RecordingPushProducer();
        consumer.registerProducer(old, true);
        consumer.write(bytes("1234"));
        assertThat(old.events()).containsExactly("pause");
        consumer.unregisterProducer();
        this.sink.grant(4);
        consumer.drain(); // empties the buffer while nobody is registered

        StrictPushProducer fresh = new StrictPushProducer();
        consumer.registerProducer(fresh, true);
        consumer.write(bytes("1"));
        this.sink.grant(1);
        consumer.drain();

        assertThat(fresh.events()).isEmpty(); // Twisted would resume it without a pause (FD-4)
        assertThat(fresh.violations()).isZero();
        assertThat(old.events()).containsExactly("pause");
        assertThat(consumer.isProducerPaused()).isFalse();
    }

    @Test
    void fd5_unregisterWithoutAProducerNeverThrowsAndCallsNoProducerMethod() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        consumer.unregisterProducer();
        RecordingPushProducer producer = new RecordingPushProducer();
        consumer.registerProducer(producer, true);

        consumer.unregisterProducer();
        consumer.unregisterProducer();

        assertThat(producer.events()).isEmpty();
        assertThat(consumer.producer()).isNull();
    }

    @Test
    void fd5_fd15_unregisterWhileDisconnectingLetsThePendingCloseComplete() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        CountingPullProducer<ByteBuffer> pull = new CountingPullProducer<>(consumer, 100,
                i -> bytes(Integer.toString(i)));
        consumer.registerProducer(pull, false);
        consumer.loseConnection();
        this.sink.grant(1);
        consumer.drain();

        // FD-15: the drain resumed the pull producer and did not close
        assertThat(pull.counter()).isEqualTo(2);
        assertThat(this.sink.isClosed()).isFalse();
        assertThat(consumer.whenClosed()).isNotDone();

        consumer.unregisterProducer();
        this.sink.grant(Long.MAX_VALUE / 2);
        consumer.drain();

        assertThat(this.sink.text()).isEqualTo("01");
        assertThat(this.sink.isClosed()).isTrue();
        assertThat(consumer.whenClosed()).isCompleted();
        assertThat(pull.isStopped()).isFalse();
    }

    @Test
    void fd5_unregisterAfterDisconnectDoesNotStartWriting() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        RecordingPushProducer producer = new RecordingPushProducer();
        consumer.registerProducer(producer, true);
        consumer.connectionLost(null);
        int offers = this.sink.offers();

        consumer.unregisterProducer();

        assertThat(this.sink.offers()).isEqualTo(offers);
        assertThat(producer.events()).containsExactly("stop");
    }

    @Test
    void fd6_nullDataIsRejected() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        assertThatExceptionOfType(NullPointerException.class).isThrownBy(() -> consumer.write(null));
    }

    @Test
    void fd6_writesAfterDisconnectionAreDroppedAndCounted() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        consumer.connectionLost(null);

        consumer.write(bytes("lost"));

        this.sink.grant(100);
        consumer.drain();
        assertThat(this.sink.bytes()).isEmpty();
        assertThat(consumer.bufferedUnits()).isZero();
        assertThat(consumer.droppedUnits()).isEqualTo(4);
        assertThat(consumer.acceptedUnits()).as("accepted = sent + dropped + buffered").isEqualTo(4);
    }

    @Test
    void fd6_emptyWriteIsANoOp() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(0, 0));
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);

        consumer.write(ByteBuffer.allocate(0));

        assertThat(producer.events()).isEmpty();
        assertThat(this.sink.offers()).isZero();
        assertThat(consumer.acceptedUnits()).isZero();
    }

    @Test
    void fd8_theBufferIsFullOnlyStrictlyAboveTheHighWaterMark() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);

        consumer.write(bytes("123"));
        assertThat(producer.events()).isEmpty();
        consumer.write(bytes("4"));
        assertThat(producer.events()).containsExactly("pause");
    }

    @Test
    void fd8_decision_onlyUnsentUnitsCount() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(4, 0));
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        consumer.write(bytes("1234"));
        this.sink.grant(2);
        consumer.drain();

        consumer.write(bytes("5")); // Twisted counts the sent prefix too: 4 + 1 > 4 would pause

        assertThat(consumer.bufferedUnits()).isEqualTo(3);
        assertThat(producer.events()).isEmpty();
    }

    @Test
    void fd9_pullProducersAreNeverPaused() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        RecordingPullProducer producer = new RecordingPullProducer();
        consumer.registerProducer(producer, false);

        consumer.write(bytes("1234"));

        assertThat(producer.events()).containsExactly("resume");
        assertThat(consumer.isProducerPaused()).isFalse();
    }

    @Test
    void fd10_decision_pauseIsEdgeTriggeredNotRepeatedPerWrite() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);

        consumer.write(bytes("1234"));
        consumer.write(bytes("5"));
        consumer.write(bytes("67"));

        assertThat(producer.events()).containsExactly("pause"); // Twisted: pause, pause, pause
        assertThat(producer.violations()).isZero();
    }

    @Test
    void fd11_noProducerCallWhileThePartlyDrainedBufferIsAboveTheLowMark() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        consumer.write(bytes("12345"));
        assertThat(producer.events()).containsExactly("pause");

        this.sink.grant(2);
        consumer.drain();
        this.sink.grant(2);
        consumer.drain();
        assertThat(producer.events()).containsExactly("pause");

        this.sink.grant(2);
        consumer.drain();
        assertThat(producer.events()).containsExactly("pause", "resume");
        assertThat(this.sink.text()).isEqualTo("12345");
    }

    @Test
    void fd11_waterMarks_resumeComesAtTheLowMarkNotOnlyWhenEmpty() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(10, 4));
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        consumer.write(bytes("0123456789A"));
        assertThat(producer.events()).containsExactly("pause");

        this.sink.grant(6);
        consumer.drain(); // 5 left: above the low mark
        assertThat(producer.events()).containsExactly("pause");
        this.sink.grant(1);
        consumer.drain(); // 4 left: at the low mark
        assertThat(producer.events()).containsExactly("pause", "resume");
        assertThat(consumer.bufferedUnits()).isEqualTo(4);
    }

    @Test
    void fd12_reentrantStreamingProducerIsPausedFromInsideItsOwnResume() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        StrictPushProducer producer = new StrictPushProducer() {
            @Override
            protected void onTransition(String event) {
                if (event.equals("resume")) {
                    consumer.write(bytes("spam"));
                }
            }
        };
        consumer.registerProducer(producer, true);
        consumer.write(bytes("spam"));
        assertThat(producer.events()).containsExactly("pause");

        this.sink.grant(4);
        consumer.drain();
        assertThat(producer.events()).containsExactly("pause", "resume", "pause");

        this.sink.grant(4);
        consumer.drain();
        assertThat(producer.events()).containsExactly("pause", "resume", "pause", "resume", "pause");
        assertThat(producer.violations()).isZero();
        assertThat(producer.overlaps()).isZero();
        assertThat(this.sink.text()).isEqualTo("spamspam");
    }

    @Test
    void fd13_pullProducerIsResumedAtRegistrationAndOncePerCompleteDrain() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        CountingPullProducer<ByteBuffer> producer = CountingPullProducer.tenDigits(consumer);
        consumer.registerProducer(producer, false);
        assertThat(producer.counter()).isEqualTo(1);

        this.sink.grant(1);
        consumer.drain();
        assertThat(producer.counter()).isEqualTo(2);
        consumer.drain(); // the sink has no credit: no complete drain, no request
        assertThat(producer.counter()).isEqualTo(2);
        this.sink.grant(1);
        consumer.drain();
        assertThat(producer.counter()).isEqualTo(3);
        assertThat(this.sink.text()).isEqualTo("01");
    }

    @Test
    void fd13_pullProducerThatWritesNothingIsAskedAgainByTheNextDrainOfTheEmptyBuffer() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        RecordingPullProducer silent = new RecordingPullProducer();
        consumer.registerProducer(silent, false);
        assertThat(silent.events()).containsExactly("resume");

        // nothing else happens until a drain: Twisted's descriptor has stopped writing (FD-13)
        assertThat(silent.events()).containsExactly("resume");
        this.sink.grant(100);
        consumer.drain(); // doWrite on an empty buffer resumes a pull producer (FD-11a)
        assertThat(silent.events()).containsExactly("resume", "resume");

        consumer.write(bytes("other"));

        assertThat(silent.events()).containsExactly("resume", "resume", "resume");
    }

    @Test
    void fd15_loseConnectionAsksASilentPullProducerAgainSoItCanUnregister() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        java.util.List<String> calls = new java.util.ArrayList<>();
        consumer.registerProducer(new PullProducer() {
            @Override
            public void resumeProducing() {
                calls.add("resume");
                if (calls.size() == 2) {
                    consumer.unregisterProducer(); // the last call: nothing more to write
                }
            }

            @Override
            public void stopProducing() {
                calls.add("stop");
            }
        }, false);
        assertThat(calls).containsExactly("resume"); // wrote nothing

        consumer.loseConnection();

        assertThat(calls).containsExactly("resume", "resume");
        assertThat(consumer.whenClosed()).isCompleted();
    }

    @Test
    void fd13_tenChunkPullProducerRunsToItsEndThroughAnInlineDrain() {
        RecordingSink<ByteBuffer> open = RecordingSink.accepting();
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(open).weigher(Weigher.bytes()).build();
        CountingPullProducer<ByteBuffer> producer = CountingPullProducer.tenDigits(consumer);

        consumer.registerProducer(producer, false);

        assertThat(open.text()).isEqualTo("0123456789");
        assertThat(producer.result()).isCompleted();
        assertThat(consumer.producer()).isNull();
    }

    @Test
    void fd14_loseConnectionClosesOnceTheBufferHasDrained() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        consumer.write(bytes("bye"));
        consumer.loseConnection();
        consumer.loseConnection();
        assertThat(this.sink.isClosed()).isFalse();
        consumer.write(bytes("!")); // still connected while disconnecting

        this.sink.grant(10);
        consumer.drain();

        assertThat(this.sink.text()).isEqualTo("bye!");
        assertThat(this.sink.isClosed()).isTrue();
        assertThat(consumer.whenClosed()).isCompleted();
        consumer.write(bytes("late"));
        assertThat(consumer.droppedUnits()).isEqualTo(4);
    }

    @Test
    void fd13_fd14_aPullProducersLastChunkWrittenAsItUnregistersIsSentBeforeTheClose() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        CountingPullProducer<ByteBuffer> producer = CountingPullProducer.tenDigits(consumer);
        consumer.registerProducer(producer, false);
        consumer.loseConnection();

        this.sink.grant(100);
        consumer.drain(); // each drain asks for the next digit; "9" comes with the unregistration

        assertThat(this.sink.text()).isEqualTo("0123456789");
        assertThat(this.sink.isClosed()).isTrue();
        assertThat(consumer.whenClosed()).isCompleted();
        assertThat(consumer.droppedUnits()).isZero();
    }

    @Test
    void fd15_decision_loseConnectionWaitsForAnUnpausedPushProducerToo() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        consumer.write(bytes("data"));
        consumer.loseConnection();
        this.sink.grant(10);
        consumer.drain();
        assertThat(this.sink.isClosed()).isFalse(); // Twisted would close here (FD-15 [Q])

        consumer.write(bytes("more"));
        consumer.unregisterProducer();

        assertThat(this.sink.text()).isEqualTo("datamore");
        assertThat(this.sink.isClosed()).isTrue();
        assertThat(producer.events()).isEmpty();
    }

    @Test
    void fd15_pausedPushProducerIsResumedNotClosedWhileDisconnecting() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        consumer.write(bytes("1234"));
        consumer.loseConnection();

        this.sink.grant(4);
        consumer.drain();

        assertThat(producer.events()).containsExactly("pause", "resume");
        assertThat(this.sink.isClosed()).isFalse();
    }

    @Test
    void fd16_connectionLostStopsTheProducerAndDropsTheBuffer() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        consumer.write(bytes("unsent"));
        IllegalStateException reason = new IllegalStateException("peer reset");

        consumer.connectionLost(reason);

        assertThat(producer.events()).containsExactly("stop");
        assertThat(consumer.producer()).isNull();
        assertThat(consumer.bufferedUnits()).isZero();
        assertThat(consumer.droppedUnits()).isEqualTo(6);
        assertThat(consumer.whenClosed()).isCompletedExceptionally();
        assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> consumer.whenClosed().join())
            .withCause(reason);
        assertThat(this.sink.isClosed()).isFalse();
        assertThat(this.sink.isAborted()).isFalse();
    }

    @Test
    void fd17_stopConsumingUnregistersWithoutStopping() {
        RecordingSink<ByteBuffer> open = RecordingSink.accepting();
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(open).weigher(Weigher.bytes()).build();
        RecordingPullProducer producer = new RecordingPullProducer(call -> {
            if (call == 1) {
                consumer.write(bytes("x"));
            }
        });
        consumer.registerProducer(producer, false);

        consumer.stopConsuming();

        assertThat(producer.events()).containsExactly("resume", "resume");
        assertThat(open.isClosed()).isTrue();
    }

    @Test
    void tcp1_abortDropsTheBufferStopsTheProducerAfterItsCallbackAndAbortsTheSink() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        List<String> events = new ArrayList<>();
        PullProducer producer = new PullProducer() {
            @Override
            public void resumeProducing() {
                events.add("resume:start");
                consumer.write(bytes("abc"));
                consumer.abortConnection();
                consumer.write(bytes("after"));
                events.add("resume:end");
            }

            @Override
            public void stopProducing() {
                events.add("stop");
            }
        };

        consumer.registerProducer(producer, false);

        assertThat(events).containsExactly("resume:start", "resume:end", "stop");
        assertThat(this.sink.bytes()).isEmpty();
        assertThat(this.sink.isAborted()).isTrue();
        assertThat(this.sink.isClosed()).isFalse();
        assertThat(consumer.droppedUnits()).isEqualTo(8);
        assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> consumer.whenClosed().join())
            .withCauseInstanceOf(CancellationException.class);
        consumer.abortConnection(); // a second abort does nothing
        assertThat(events).containsExactly("resume:start", "resume:end", "stop");
    }

    @Test
    void tcp2_producerThatThrowsLosesTheConnectionWithItsException() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        ArithmeticException boom = new ArithmeticException("/ by zero");
        RecordingPullProducer producer = new RecordingPullProducer(call -> {
            throw boom;
        });
        List<Throwable> failures = new ArrayList<>();
        consumer.addProducerListener(new ProducerListener() {
            @Override
            public void failed(Producer failed, Throwable failure) {
                failures.add(failure);
            }
        });

        consumer.registerProducer(producer, false);

        assertThat(producer.events()).containsExactly("resume", "stop");
        assertThat(failures).containsExactly(boom);
        assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> consumer.whenClosed().join())
            .withCause(boom);
    }

    @Test
    void aProducerWritingInALoopInsideItsResumeIsPausedWhenTheSinkFailsUnderIt() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        this.sink.grant(Long.MAX_VALUE / 2);
        this.sink.failNextOffer(new java.io.IOException("reset"));
        int[] writes = new int[1];
        StrictPushProducer loop = new StrictPushProducer() {
            @Override
            protected void onTransition(String event) {
                if (event.equals("resume")) {
                    while (!isPaused() && writes[0] < 1_000_000) { // a synchronous producer: writes until paused
                        consumer.write(bytes("x"));
                        writes[0]++;
                    }
                }
            }
        };
        consumer.registerProducer(loop, true);
        consumer.holdProducer();
        consumer.releaseProducer(); // pause, then resume: the loop starts, and the first write breaks the sink

        assertThat(writes[0]).isEqualTo(1); // the write that broke the sink paused it, from inside that write
        assertThat(loop.events()).containsExactly("pause", "resume", "pause", "stop");
        assertThat(loop.violations()).isZero();
    }

    @Test
    void aProducerWritingInALoopInsideItsResumeIsPausedByItsFirstWriteAfterTheConnectionWasLostElsewhere() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        this.sink.grant(Long.MAX_VALUE / 2);
        int[] writes = new int[1];
        StrictPushProducer loop = new StrictPushProducer() {
            @Override
            protected void onTransition(String event) {
                if (event.equals("resume")) {
                    while (!isPaused() && writes[0] < 1_000_000) {
                        consumer.write(bytes("x"));
                        if (++writes[0] == 3) {
                            Thread other = new Thread(() -> consumer.connectionLost(null));
                            other.start();
                            try {
                                other.join();
                            }
                            catch (InterruptedException ex) {
                                throw new IllegalStateException(ex);
                            }
                        }
                    }
                }
            }
        };
        consumer.registerProducer(loop, true);
        consumer.holdProducer();
        consumer.releaseProducer();

        assertThat(writes[0]).isEqualTo(4); // three sent, one dropped that paused it
        assertThat(loop.events()).containsExactly("pause", "resume", "pause", "stop");
        assertThat(this.sink.text()).isEqualTo("xxx");
        assertThat(consumer.droppedUnits()).isEqualTo(1);
    }

    @Test
    void sinkFailureLosesTheConnectionAndStopsTheProducer() {
        BufferedConsumer<ByteBuffer> consumer = consumer(WaterMarks.DEFAULT);
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);
        java.io.IOException broken = new java.io.IOException("broken pipe");
        this.sink.failNextOffer(broken);

        consumer.write(bytes("data"));

        assertThat(producer.events()).containsExactly("stop");
        assertThat(consumer.droppedUnits()).isEqualTo(4);
        assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> consumer.whenClosed().join())
            .withCause(broken);
    }

    @Test
    void operatorHoldComposesWithBufferPauses() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(3, 0));
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);

        consumer.holdProducer();
        assertThat(producer.events()).containsExactly("pause");
        consumer.write(bytes("1234")); // the buffer now wants a pause too: still one pause
        consumer.releaseProducer();
        assertThat(producer.events()).containsExactly("pause"); // the buffer is still full

        this.sink.grant(4);
        consumer.drain();
        assertThat(producer.events()).containsExactly("pause", "resume");
        assertThatIllegalStateException().isThrownBy(consumer::releaseProducer)
            .withMessageContaining("'test'");
    }

    @Test
    void heldPullProducerIsNotAskedForMoreUntilReleased() {
        RecordingSink<ByteBuffer> open = RecordingSink.accepting();
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(open).weigher(Weigher.bytes()).build();
        consumer.holdProducer();
        CountingPullProducer<ByteBuffer> producer = CountingPullProducer.tenDigits(consumer);

        consumer.registerProducer(producer, false);
        assertThat(producer.counter()).isZero();

        consumer.releaseProducer();
        assertThat(open.text()).isEqualTo("0123456789");
    }

    @Test
    void bufferViewReportsDepthMarksAndTotals() {
        BufferedConsumer<ByteBuffer> consumer = consumer(new WaterMarks(10, 5));
        consumer.write(bytes("hello"));
        consumer.write(bytes("world!"));
        this.sink.grant(3);
        consumer.drain();

        assertThat(consumer.bufferedUnits()).isEqualTo(8);
        assertThat(consumer.acceptedUnits()).isEqualTo(11);
        assertThat(consumer.sentUnits()).isEqualTo(3);
        assertThat(consumer.highWaterMark()).isEqualTo(10);
        assertThat(consumer.lowWaterMark()).isEqualTo(5);
        assertThat(consumer.unit()).isEqualTo("bytes");
        assertThat(consumer.isBufferFull()).isTrue();
    }

    @Test
    void waterMarksRejectBadValuesNamingThem() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WaterMarks(10, 11))
            .withMessageContaining("low-water mark (11)").withMessageContaining("high-water mark (10)");
        assertThatIllegalArgumentException().isThrownBy(() -> new WaterMarks(-1, 0))
            .withMessageContaining("high-water mark must not be negative");
        assertThatIllegalArgumentException().isThrownBy(() -> new WaterMarks(1, -1))
            .withMessageContaining("low-water mark must not be negative");
        assertThat(WaterMarks.DEFAULT).isEqualTo(new WaterMarks(65536, 32768));
        assertThat(WaterMarks.twisted(65536).low()).isZero();
        assertThat(WaterMarks.ofHigh(100).low()).isEqualTo(50);
    }

    @Test
    void itemsAreWeighedOneEachWithTheItemsWeigher() {
        RecordingSink<String> strings = RecordingSink.limited();
        BufferedConsumer<String> consumer = BufferedConsumer.builder(strings).weigher(Weigher.items())
            .waterMarks(new WaterMarks(2, 1)).build();
        StrictPushProducer producer = new StrictPushProducer();
        consumer.registerProducer(producer, true);

        consumer.write("a");
        consumer.write("b");
        consumer.write("c");
        assertThat(producer.events()).containsExactly("pause");
        strings.grant(2);
        consumer.drain();

        assertThat(strings.items()).containsExactly("a", "b");
        assertThat(producer.events()).containsExactly("pause", "resume");
        assertThat(consumer.unit()).isEqualTo("items");
    }
}
