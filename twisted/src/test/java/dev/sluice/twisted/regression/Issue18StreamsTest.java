package dev.sluice.twisted.regression;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.PullProducer;
import dev.sluice.Weigher;
import dev.sluice.testing.Latches;
import dev.sluice.testing.TracingPushProducer;
import dev.sluice.twisted.task.Cooperator;
import dev.sluice.twisted.task.PullToPush;
import dev.sluice.twisted.task.testing.FakeScheduler;
import dev.sluice.twisted.task.testing.Units;
import dev.sluice.twisted.web2.ProducerToStream;
import dev.sluice.twisted.web2.StreamToConsumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18, defects 11 (the streams) and 14: a finished {@link ProducerToStream} keeps the promise of its
 * {@code false} by stopping its producer (DESIGN §4.3), also when that producer is a {@link PullToPush}; and a stopped
 * {@link StreamToConsumer} leaves alone a producer registered after it.
 */
class Issue18StreamsTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    /**
     * Defect 11, a {@link ProducerToStream} finished while a read is pending: its producer's next write returns
     * {@code false}, and a resume or a stop must follow (v3: a finished {@code ProducerToStream} stops its producer),
     * or a {@link StreamToConsumer} writing into it, which stops on {@code false}, stalls for good.
     *
     * <p>Fails on 65a6063: "P got no resumeProducing or stopProducing within PT5S after write returned false; its
     * callbacks: []".
     */
    @Test
    void defect11_aProducerToStreamFinishedWhileAReadIsPendingStopsItsProducer() {
        ProducerToStream stream = new ProducerToStream();
        TracingPushProducer producer = new TracingPushProducer("P");
        stream.registerProducer(producer, true);
        CompletionStage<@Nullable ByteBuffer> pending = stream.read();
        assertThat(pending.toCompletableFuture()).as("a read of the empty stream").isNotDone();

        int mark = producer.mark(); // before finish(): a finished stream may stop its producer at once
        stream.finish();
        boolean writable = stream.write(ByteBuffer.wrap(new byte[] {1}));

        assertThat(pending.toCompletableFuture()).as("the pending read, after finish()").isCompletedWithValue(null);
        assertThat(writable).as("a write into a finished stream").isFalse();
        producer.awaitResumeOrStopSince(mark, PROMPTLY, "defect 11 (stream finished while a read was pending)");
    }

    /**
     * Defect 11, {@link PullToPush} writing into a {@link ProducerToStream} that is then finished: the adapter pulls
     * only while the stream {@linkplain ProducerToStream#isWritable() is writable}, which a finished stream never is
     * again. The pull producer must be stopped, and the cooperator must stop ticking for it. Driven by a fake
     * scheduler, one work unit per tick.
     *
     * <p>Fails on 65a6063: "the pull producer's stop, 100 ticks after finish() (pulls since: 0, ticks still scheduled:
     * 1)" is false: the cooperator ticks on, pulling nothing; the pull producer is never asked again, never stopped.
     */
    @Test
    void defect11_pullToPushStopsItsPullProducerWhenTheProducerToStreamIsFinished() {
        FakeScheduler scheduler = new FakeScheduler();
        Cooperator cooperator = Cooperator.builder().scheduler(scheduler).terminationPredicate(Units.perTick(1))
            .build();
        ProducerToStream stream = new ProducerToStream();
        ByteWriter producer = new ByteWriter(stream);
        PullToPush.register(producer, stream, cooperator);
        for (int tick = 0; tick < 3; tick++) {
            scheduler.pump();
        }
        assertThat(producer.pulls.get()).as("pulls before finish()").isEqualTo(3);

        stream.finish();
        int pullsAtFinish = producer.pulls.get();
        int ticks = scheduler.pumpUntilIdle(100);

        assertThat(producer.stopped.get()).as("the pull producer's stop, %d ticks after finish() (pulls since: %d, "
                + "ticks still scheduled: %d)", ticks, producer.pulls.get() - pullsAtFinish, scheduler.pending())
            .isTrue();
        assertThat(scheduler.pending()).as("ticks still scheduled").isZero();
    }

    /**
     * Defect 14: a {@link StreamToConsumer} stopped by its consumer must not unregister a producer that registered
     * with that consumer after it. The consumer's loop is busy (a listener takes a moment over a hold's pause) when
     * the operator stops the stream producer; producer P2 registers as soon as the registration is free. Once the
     * stream producer has ended, P2 is still registered.
     *
     * <p>Fails on 65a6063: "the consumer's producer once the stopped stream producer has ended" is {@code null}, not
     * P2: the stream producer's {@code stopProducing} called {@code unregisterProducer()} unconditionally and so
     * unregistered P2, which is then never paused again and not waited for by {@code loseConnection()}.
     */
    @Test
    void defect14_aStoppedStreamToConsumerLeavesAloneTheProducerRegisteredAfterIt() throws Exception {
        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.<ByteBuffer>builder(item -> true).name("defect14")
            .weigher(Weigher.bytes()).build();
        StreamToConsumer streamProducer = new StreamToConsumer(new ProducerToStream());
        CompletableFuture<Void> ended = streamProducer.beginProducing(consumer);
        TracingPushProducer next = new TracingPushProducer("P2");
        CountDownLatch inPause = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        AtomicBoolean nextRegistered = new AtomicBoolean();
        consumer.addProducerListener(new ProducerListener() {
            @Override
            public void paused(Producer producer) {
                if (producer == streamProducer) {
                    inPause.countDown();
                    Latches.awaitAtMost(goOn, PROMPTLY); // a listener that takes a moment: the loop is busy meanwhile
                }
            }

            @Override
            public void stopped(Producer producer) {
                // v3 announces the stop right before stopProducing, with the registration free: P2 registers there
                if (producer == streamProducer && nextRegistered.compareAndSet(false, true)) {
                    consumer.registerProducer(next, true);
                }
            }
        });
        Thread operator = new Thread(consumer::holdProducer, "operator");
        operator.setDaemon(true);
        operator.start();
        assertThat(Latches.awaitAtMost(inPause, PROMPTLY)).as("the loop is in the listener").isTrue();

        consumer.stopProducer(); // an operator's stop, while the loop is busy
        if (consumer.producer() == null && nextRegistered.compareAndSet(false, true)) {
            consumer.registerProducer(next, true); // the registration is free at once (v2): P2 registers now
        }
        goOn.countDown();
        operator.join(PROMPTLY.toMillis());

        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(ended).as("the stream producer ended").isDone());
        consumer.releaseProducer();
        assertThat(nextRegistered.get()).as("P2 registered").isTrue();
        assertThat(consumer.producer()).as("the consumer's producer once the stopped stream producer has ended")
            .isSameAs(next);
        assertThat(next.names()).as("P2's callbacks").doesNotContain("stop");
    }

    /** A pull producer that writes one byte per pull and records its stop. */
    private static final class ByteWriter implements PullProducer {

        final AtomicInteger pulls = new AtomicInteger();

        final AtomicBoolean stopped = new AtomicBoolean();

        private final ProducerToStream stream;

        ByteWriter(ProducerToStream stream) {
            this.stream = stream;
        }

        @Override
        public void resumeProducing() {
            this.stream.write(ByteBuffer.wrap(new byte[] {(byte) this.pulls.incrementAndGet()}));
        }

        @Override
        public void stopProducing() {
            this.stopped.set(true);
        }
    }

}
