package dev.sluice.twisted.task;

import dev.sluice.twisted.task.testing.FakeScheduler;
import dev.sluice.twisted.task.testing.LogCapture;
import dev.sluice.testing.RecordingConsumer;
import dev.sluice.twisted.task.testing.TestNonStreamingProducer;
import dev.sluice.twisted.task.testing.Units;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11, Twisted-parity item (b) (PP-8): when the pull producer's {@code resumeProducing} throws and the consumer's
 * {@code unregisterProducer} throws as well, Twisted's task is done at once, within that work unit. v1 only marked it
 * ended and finished it on a later unit, so a {@code pauseProducing} in between succeeded and left {@code whenDone}
 * pending.
 */
class PullToPushBothFailTest {

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

    @Test
    void whenResumeAndUnregisterBothThrow_theTaskIsDoneInThatUnit_andAPauseThenFails() {
        this.producer.failOnCall(3, new ArithmeticException("/ by zero"));
        this.consumer.failUnregister(new IllegalStateException("unregister failed"));
        this.consumer.registerProducer(this.streaming, true);
        this.streaming.startStreaming();

        this.scheduler.pump(); // unit 1
        this.scheduler.pump(); // unit 2
        this.scheduler.pump(); // unit 3: resumeProducing throws, then unregisterProducer throws

        assertThat(this.logs.errorCauses()).containsExactly(ArithmeticException.class.getName(),
                IllegalStateException.class.getName());
        assertThat(this.streaming.isFinished()).isTrue();
        assertThat(this.streaming.coopTask().whenDone()).as("whenDone right after the unit that failed twice (PP-8)")
            .isCompleted();
        assertThatThrownBy(this.streaming::pauseProducing).as("a pause after the task is done")
            .isInstanceOf(TaskFinishedException.class);
        assertThat(this.streaming.coopTask().whenDone()).isCompleted();
        assertThat(this.producer.resumes()).isEqualTo(3);
    }
}
