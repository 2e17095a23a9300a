package dev.sluice.twisted.task;

import dev.sluice.PushProducer;
import dev.sluice.testing.RecordingConsumer;
import dev.sluice.twisted.task.testing.FakeScheduler;
import dev.sluice.twisted.task.testing.LogCapture;
import dev.sluice.twisted.task.testing.TestNonStreamingProducer;
import dev.sluice.twisted.task.testing.Units;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.sluice.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports of Twisted's {@code NonStreamingProducerTests} (twisted-spec §10.2) and PP rules with no upstream test. */
class PullToPushTest {

    private final FakeScheduler scheduler = new FakeScheduler();

    private final Cooperator cooperator = Cooperator.builder().scheduler(this.scheduler)
            .terminationPredicate(Units.perTick(1)).build();

    private final RecordingConsumer<String> consumer = new RecordingConsumer<>();

    private final TestNonStreamingProducer producer = new TestNonStreamingProducer(this.consumer);

    private final PullToPush streaming = new PullToPush(this.producer, this.consumer, this.cooperator);

    private final LogCapture logs = LogCapture.of(PullToPush.class);

    @AfterEach
    void tearDown() {
        this.logs.close();
    }

    /** The consumer's side of PP-2: register the adapter as streaming, stop streaming on unregister, start. */
    private void streamWithCooperatingConsumer() {
        this.consumer.registerProducer(this.streaming, true);
        this.consumer.onUnregister(old -> this.streaming.stopStreaming());
        this.streaming.startStreaming();
    }

    @Test
    void pp1_isAPushProducerAndTheConstructorHasNoSideEffects() {
        assertThat(this.streaming).isInstanceOf(PushProducer.class);
        assertThat(this.streaming.coopTask()).isNull();
        assertThat(this.scheduler.pending()).isZero();
        assertThat(this.producer.resumes()).isZero();
        assertThat(this.consumer.events()).isEmpty();
    }

    @Test
    void pp3_writesUntilTheProducerUnregistersItself() {
        streamWithCooperatingConsumer();
        assertThat(this.producer.resumes()).isZero(); // nothing inside startStreaming

        this.scheduler.pumpUntilIdle(50);

        assertThat(this.producer.result()).isDone();
        assertThat(this.consumer.text()).isEqualTo("0123456789");
        assertThat(this.consumer.producer()).isNull();
        assertThat(this.streaming.isFinished()).isTrue();
        assertThat(this.producer.resumes()).isEqualTo(10);
    }

    @Test
    void pp4_whilePausedThePullProducerIsNotAsked() {
        this.consumer.onWrite((consumer, data) -> {
            if (consumer.written().size() == 3) {
                this.streaming.pauseProducing();
            }
        });
        streamWithCooperatingConsumer();

        this.scheduler.pumpUntilIdle(50);

        assertThat(this.consumer.text()).isEqualTo("012");
        assertThat(this.streaming.coopTask().pauseCount()).isEqualTo(1);
        assertThat(this.producer.result()).isNotDone();
    }

    @Test
    void pp4_aPauseFollowedByAResumeStreamsToTheEnd() {
        this.consumer.onWrite((consumer, data) -> {
            if (consumer.written().size() == 3) {
                this.streaming.pauseProducing();
                this.streaming.resumeProducing();
            }
        });
        streamWithCooperatingConsumer();

        this.scheduler.pumpUntilIdle(50);

        assertThat(this.consumer.text()).isEqualTo("0123456789");
        assertThat(this.producer.result()).isDone();
    }

    @Test
    void pp6_stopProducingStopsTheStreamAndThePullProducer() {
        this.consumer.onWrite((consumer, data) -> {
            if (consumer.written().size() == 3) {
                this.streaming.stopProducing();
            }
        });
        streamWithCooperatingConsumer();

        this.scheduler.pumpUntilIdle(50);

        assertThat(this.consumer.text()).isEqualTo("012");
        assertThat(this.producer.stops()).isEqualTo(1);
        assertThat(this.streaming.isFinished()).isTrue();
        assertThat(failureOf(this.streaming.coopTask().whenDone())).isInstanceOf(TaskStoppedException.class);

        this.streaming.stopProducing(); // only the stream's stop is idempotent
        assertThat(this.producer.stops()).isEqualTo(2);
    }

    @Test
    void pp7_aFailingResumeIsLoggedOnceAndTheProducerIsUnregisteredWithNoFurtherCalls() {
        this.producer.failOnCall(3, new ArithmeticException("/ by zero"));
        streamWithCooperatingConsumer();

        this.scheduler.pumpUntilIdle(50);

        assertThat(this.consumer.text()).isEqualTo("01");
        assertThat(this.logs.errors()).singleElement().asString()
                .startsWith("Unhandled error while calling resumeProducing on " + this.producer);
        assertThat(this.logs.errorCauses()).containsExactly(ArithmeticException.class.getName());
        assertThat(this.consumer.producer()).isNull();
        assertThat(this.streaming.isFinished()).isTrue();
        assertThat(failureOf(this.streaming.coopTask().whenDone())).isInstanceOf(TaskStoppedException.class);
        assertThat(this.producer.resumes()).isEqualTo(3);
        assertThat(this.scheduler.pending()).isZero();
    }

    @Test
    void pp8_whenUnregisterAlsoFailsBothAreLoggedInOrderAndTheStreamEnds() {
        this.producer.failOnCall(3, new ArithmeticException("/ by zero"));
        this.consumer.failUnregister(new IllegalStateException("unregister failed"));
        streamWithCooperatingConsumer();

        this.scheduler.pumpUntilIdle(50);

        assertThat(this.logs.errorCauses()).containsExactly(ArithmeticException.class.getName(),
                IllegalStateException.class.getName());
        assertThat(this.logs.errors().get(1)).startsWith("Unhandled error while calling unregisterProducer on ");
        assertThat(this.streaming.isFinished()).isTrue();
        assertThat(this.streaming.coopTask().whenDone()).isCompleted(); // TaskDone: whenDone succeeds
        this.streaming.stopStreaming(); // a no-op now
        assertThat(this.producer.resumes()).isEqualTo(3);
    }

    @Test
    void pp8_theStreamEndsInTheUnitThatFailed_soALaterPauseCannotLeaveWhenDonePending() {
        this.producer.failOnCall(3, new ArithmeticException("/ by zero"));
        this.consumer.failUnregister(new IllegalStateException("unregister failed"));
        streamWithCooperatingConsumer();

        for (int unit = 0; unit < 3; unit++) {
            this.scheduler.pump(); // one unit per tick
        }

        assertThat(this.producer.resumes()).isEqualTo(3);
        assertThat(this.streaming.isFinished()).isTrue();
        assertThat(this.streaming.coopTask().whenDone()).as("TaskDone in the failing unit").isCompleted();
        assertThat(this.scheduler.pending()).as("ticks left").isZero();
        // a consumer that still holds the adapter pauses it: the task is done, as in Twisted (CO-8)
        assertThatThrownBy(this.streaming::pauseProducing).isInstanceOf(TaskDoneException.class);
        this.streaming.stopStreaming(); // a no-op
        assertThat(this.streaming.coopTask().whenDone()).isCompleted();
        assertThat(this.producer.resumes()).isEqualTo(3);
    }

    @Test
    void pp7_aConsumerThatDoesNotStopStreamingKeepsGettingResumesAfterAnError() {
        this.producer.failOnCall(3, new ArithmeticException("/ by zero"));
        this.consumer.registerProducer(this.streaming, true); // no stopStreaming on unregister
        this.streaming.startStreaming();

        for (int i = 0; i < 6; i++) {
            this.scheduler.pump();
        }

        assertThat(this.producer.resumes()).isEqualTo(6);
        assertThat(this.streaming.isFinished()).isFalse();
        assertThat(this.consumer.producer()).isNull(); // unregistered, yet still pulled: PP-7 relies on stopStreaming
        assertThat(this.consumer.text()).isEqualTo("01234");
        assertThat(this.logs.errors()).hasSize(1);
    }

    @Test
    void pp5_stopStreamingTwiceIsSafe() {
        streamWithCooperatingConsumer();
        this.scheduler.pump();

        this.streaming.stopStreaming();
        this.streaming.stopStreaming();

        assertThat(this.streaming.isFinished()).isTrue();
        this.scheduler.pumpUntilIdle(5);
        assertThat(this.producer.resumes()).isEqualTo(1);
    }

    @Test
    void pp4_misuseBeforeStartStreamingThrowsIllegalStateAndChangesNothing() {
        assertThatThrownBy(this.streaming::pauseProducing).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(this.streaming::resumeProducing).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(this.streaming::stopStreaming).isInstanceOf(IllegalStateException.class);
        assertThat(this.streaming.isFinished()).isFalse();

        streamWithCooperatingConsumer();
        assertThatThrownBy(this.streaming::startStreaming).isInstanceOf(IllegalStateException.class);
        this.scheduler.pumpUntilIdle(50);
        assertThat(this.consumer.text()).isEqualTo("0123456789");
    }

    @Test
    void pp4_taskRulesCarryOver_resumeWithoutPauseTwoPausesAndPauseAfterStop() {
        streamWithCooperatingConsumer();
        assertThatThrownBy(this.streaming::resumeProducing).isInstanceOf(NotPausedException.class);

        this.streaming.pauseProducing();
        this.streaming.pauseProducing();
        this.streaming.resumeProducing();
        this.scheduler.pumpUntilIdle(5);
        assertThat(this.producer.resumes()).isZero();
        this.streaming.resumeProducing();
        this.scheduler.pump();
        assertThat(this.producer.resumes()).isEqualTo(1);

        this.streaming.stopStreaming();
        assertThatThrownBy(this.streaming::pauseProducing).isInstanceOf(TaskStoppedException.class);
    }

    @Test
    void pp6_stopProducingBeforeStartStopsTheProducerAndForbidsAStart() {
        this.streaming.stopProducing();

        assertThat(this.producer.stops()).isEqualTo(1);
        assertThat(this.streaming.isFinished()).isTrue();
        assertThatThrownBy(this.streaming::startStreaming).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pp2_registerWrapsRegistersAsStreamingAndStarts() {
        PullToPush adapter = PullToPush.register(this.producer, this.consumer, this.cooperator);
        this.consumer.onUnregister(old -> adapter.stopStreaming());

        assertThat(this.consumer.producer()).isSameAs(adapter);
        assertThat(this.consumer.isStreaming()).isTrue();
        this.scheduler.pumpUntilIdle(50);
        assertThat(this.consumer.text()).isEqualTo("0123456789");
        assertThat(adapter.isFinished()).isTrue();
    }
}
