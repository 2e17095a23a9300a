package dev.sluice.boot.actuate;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/** The stall rule: no data moved for the threshold; a slow consumer that is being served is not stalled. */
class SluiceHealthIndicatorTests {

    private static final Duration THRESHOLD = Duration.ofSeconds(30);

    private final ProducerRegistry registry = new ProducerRegistry();

    /** System.nanoTime() moved on by the test, so that the lanes' own pause figures stay comparable. */
    private final AtomicLong skipped = new AtomicLong();

    private final SluiceHealthIndicator health = new SluiceHealthIndicator(this.registry, THRESHOLD,
            Status.OUT_OF_SERVICE, () -> System.nanoTime() + this.skipped.get());

    private final RecordingSink<ByteBuffer> slowSink = RecordingSink.limited();

    private final BufferedConsumer<ByteBuffer> slow = consumer("slow", this.slowSink);

    private final StrictPushProducer slowProducer = new StrictPushProducer();

    private final BufferedConsumer<ByteBuffer> stuck = consumer("stuck", RecordingSink.limited());

    private final StrictPushProducer stuckProducer = new StrictPushProducer();

    SluiceHealthIndicatorTests() {
        this.registry.registerConsumer("slow", this.slow);
        this.registry.registerConsumer("stuck", this.stuck);
        this.slow.registerProducer(this.slowProducer, true);
        this.stuck.registerProducer(this.stuckProducer, true);
    }

    private static BufferedConsumer<ByteBuffer> consumer(String name, RecordingSink<ByteBuffer> sink) {
        return BufferedConsumer.builder(sink).name(name).weigher(Weigher.bytes())
            .waterMarks(new WaterMarks(1000, 500)).build();
    }

    private Health checkAfter(Duration elapsed) {
        this.skipped.addAndGet(elapsed.toNanos());
        return this.health.health(true);
    }

    @Test
    void aSlowConsumerThatKeepsSendingIsNotStalledThoughItsProducerStaysPausedAndAStuckOneIs() {
        this.slow.write(ByteBuffer.allocate(1001));
        this.stuck.write(ByteBuffer.allocate(1001));
        assertThat(this.slowProducer.isPaused()).isTrue();
        assertThat(checkAfter(Duration.ZERO).getStatus()).isEqualTo(Status.UP);

        for (int check = 1; check <= 6; check++) {
            this.slowSink.grant(10); // a trickle between checks: far from the low-water mark, so no resume
            this.slow.drain();
            Health report = checkAfter(Duration.ofSeconds(20));

            assertThat(this.slowProducer.isPaused()).isTrue(); // one long pause, two minutes by the end
            assertThat(stalled(report)).doesNotContainKey("slow");
            if (check == 1) {
                assertThat(report.getStatus()).isEqualTo(Status.UP); // 20 s < 30 s
            }
            else {
                assertThat(report.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                assertThat(stalled(report)).containsOnlyKeys("stuck");
                assertThat(report.getDetails()).containsEntry("stalledCount", 1);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> stuckDetails = (Map<String, Object>) stalled(checkAfter(Duration.ZERO)).get("stuck");
        assertThat(stuckDetails).containsEntry("bufferedUnits", 1001L).containsEntry("producerPaused", true);
        assertThat((String) stuckDetails.get("stalledFor")).startsWith("PT2M"); // and the milliseconds the test took
    }

    @Test
    void aStuckConsumerThatMovesAgainIsNoLongerStalled() {
        RecordingSink<ByteBuffer> sink = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> flaky = consumer("flaky", sink);
        this.registry.registerConsumer("flaky", flaky);
        flaky.write(ByteBuffer.allocate(10));
        checkAfter(Duration.ZERO);
        assertThat(stalled(checkAfter(Duration.ofSeconds(31)))).containsKey("flaky");

        sink.grant(1);
        flaky.drain();

        assertThat(stalled(checkAfter(Duration.ofSeconds(1)))).doesNotContainKey("flaky");
    }

    @Test
    void anIdleConsumerAndAnEmptyConsumerHeldByAnOperatorAreNotStalled() {
        StrictPushProducer held = new StrictPushProducer();
        BufferedConsumer<ByteBuffer> quiet = consumer("quiet", RecordingSink.limited());
        this.registry.registerConsumer("quiet", quiet);
        this.registry.registerProducer("held", held);
        quiet.registerProducer(held, true);
        this.registry.pause("held");
        assertThat(held.isPaused()).isTrue();

        checkAfter(Duration.ZERO);
        Health report = checkAfter(Duration.ofMinutes(5));

        assertThat(stalled(report)).doesNotContainKeys("quiet", "slow");
        assertThat(report.getDetails()).containsEntry("pausedProducers", 1L).containsEntry("consumers", 3);
    }

    @Test
    void thePayloadStaysBoundedWhateverTheTraffic() {
        for (int i = 0; i < 50; i++) {
            BufferedConsumer<ByteBuffer> download = consumer("download", RecordingSink.limited());
            this.registry.register("downloads", download);
            download.write(ByteBuffer.allocate(10));
        }
        checkAfter(Duration.ZERO);

        Health report = checkAfter(Duration.ofMinutes(1));

        assertThat(report.getDetails()).containsEntry("stalledCount", 50).containsEntry("consumers", 52)
            .containsEntry("groups", 3);
        assertThat(stalled(report)).hasSize(SluiceHealthIndicator.STALLED_LISTED);
    }

    /**
     * An executor that accepts the loop and never runs it (one shut down with {@code shutdownNow}): nothing is
     * buffered and no producer is paused, so only the loop's waiting time shows the stall (issue 18, item 3).
     */
    @Test
    void aConsumerWhoseExecutorNeverRunsItsLoopIsStalled() {
        ProducerRegistry registry = new ProducerRegistry();
        BufferedConsumer<ByteBuffer> orphaned = BufferedConsumer.builder(RecordingSink.<ByteBuffer>limited())
            .name("orphaned").weigher(Weigher.bytes()).drainOn(task -> { }).build();
        registry.registerConsumer("orphaned", orphaned);
        SluiceHealthIndicator quick = new SluiceHealthIndicator(registry, Duration.ofMillis(50), Status.DOWN);
        assertThat(quick.health(true).getStatus()).isEqualTo(Status.UP);

        orphaned.holdProducer(); // an operation for the loop, which its executor never runs

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Health report = quick.health(true);
            assertThat(report.getStatus()).isEqualTo(Status.DOWN);
            assertThat(stalled(report)).containsOnlyKeys("orphaned");
            assertThat(stalled(report).get("orphaned")).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsKey("loopWaitingForExecutor");
        });
        assertThat(orphaned.bufferedUnits()).isZero();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stalled(Health report) {
        return (Map<String, Object>) report.getDetails().get("stalled");
    }
}
