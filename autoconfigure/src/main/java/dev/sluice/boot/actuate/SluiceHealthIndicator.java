package dev.sluice.boot.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.ProducerRegistry;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code sluice} health contributor. <strong>Stalled</strong> means no data moved (DESIGN §5): a consumer that
 * has data buffered, or whose producer is paused, and has sent nothing to its sink for the stall threshold. A slow
 * client that is being served is not stalled, however long its producer stays paused; a producer held only by an
 * operator's pause, with nothing buffered, is not stalled either (nothing is waiting to move). A consumer whose loop
 * has waited for its executor for the stall threshold is stalled whatever its figures say: its executor accepted the
 * loop and never ran it (an executor shut down with {@code shutdownNow}, a pool whose threads are all blocked).
 *
 * <p>The registry keeps no clock of when data last moved, so the contributor samples each consumer's units sent at
 * every check and remembers when the figure last changed, or when the consumer last had nothing waiting. A stall is
 * therefore seen from the first check that finds the consumer waiting; with checks further apart than the threshold
 * a stall may be reported up to one check interval early. A paused producer's stall is never counted from before its
 * pause began.
 *
 * <p>The payload is bounded whatever the traffic: counts of groups, producers, consumers and paused producers, the
 * number of stalled consumers, and at most {@value #STALLED_LISTED} of them by name (the longest stalled first). While
 * any consumer is stalled the contributor reports the configured stall status; ordinary back-pressure is not an
 * outage, so the default stall status is {@code UP}.
 */
public class SluiceHealthIndicator extends AbstractHealthIndicator {

    /** The most stalled consumers the payload names. */
    public static final int STALLED_LISTED = 10;

    private final ProducerRegistry registry;

    private final long stallThresholdNanos;

    private final Status stallStatus;

    private final LongSupplier nanoClock;

    /** What each consumer had sent at the last check, and since when it has been waiting; guarded by this. */
    private final Map<String, Progress> progress = new HashMap<>();

    public SluiceHealthIndicator(ProducerRegistry registry, Duration stallThreshold, Status stallStatus) {
        this(registry, stallThreshold, stallStatus, System::nanoTime);
    }

    /**
     * A contributor that reads time from {@code nanoClock}, a monotonic clock in nanoseconds.
     *
     * @param registry the registry
     * @param stallThreshold how long a consumer may wait with nothing sent before it is stalled
     * @param stallStatus the status to report while a consumer is stalled
     * @param nanoClock the clock
     */
    public SluiceHealthIndicator(ProducerRegistry registry, Duration stallThreshold, Status stallStatus,
            LongSupplier nanoClock) {
        super("Sluice health check failed");
        this.registry = registry;
        this.stallThresholdNanos = stallThreshold.toNanos();
        this.stallStatus = stallStatus;
        this.nanoClock = nanoClock;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        List<ConsumerSnapshot> consumers = this.registry.consumers();
        List<Stall> stalls = stalls(consumers);
        long pausedProducers = consumers.stream().filter(ConsumerSnapshot::producerPaused).count();
        Map<String, Object> stalled = new LinkedHashMap<>();
        stalls.stream().limit(STALLED_LISTED).forEach(stall -> stalled.put(stall.consumer.name(), stall.details()));
        builder.status(stalls.isEmpty() ? Status.UP : this.stallStatus)
            .withDetail("groups", this.registry.groupNames().size())
            .withDetail("producers", this.registry.producers().size())
            .withDetail("consumers", consumers.size())
            .withDetail("pausedProducers", pausedProducers)
            .withDetail("stallThreshold", Duration.ofNanos(this.stallThresholdNanos).toString())
            .withDetail("stalledCount", stalls.size())
            .withDetail("stalled", stalled);
    }

    private synchronized List<Stall> stalls(List<ConsumerSnapshot> consumers) {
        long now = this.nanoClock.getAsLong();
        Map<String, Progress> seen = new HashMap<>();
        List<Stall> stalls = new ArrayList<>();
        for (ConsumerSnapshot consumer : consumers) {
            boolean waiting = consumer.bufferedUnits() > 0 || (consumer.producerPaused() && !consumer.producerHeld());
            Progress last = this.progress.get(consumer.name());
            boolean moved = last == null || consumer.sentUnits() != last.sent
                    || consumer.acceptedUnits() < last.accepted; // a new consumer under an old name
            long waitingSince = (!waiting || moved) ? now : last.waitingSince;
            if (waiting && consumer.producerPaused() && consumer.bufferedUnits() == 0) {
                waitingSince = Math.max(waitingSince, now - consumer.currentPause().toNanos());
            }
            seen.put(consumer.name(), new Progress(consumer.sentUnits(), consumer.acceptedUnits(), waitingSince));
            long loopWaiting = consumer.loopWaiting().toNanos();
            if (loopWaiting >= this.stallThresholdNanos) {
                // an executor that took the loop and never ran it: whatever else the figures say, nothing can move
                waiting = true;
                waitingSince = Math.min(waitingSince, now - loopWaiting);
            }
            long stalledFor = now - waitingSince;
            if (waiting && stalledFor >= this.stallThresholdNanos) {
                stalls.add(new Stall(consumer, stalledFor));
            }
        }
        this.progress.clear();
        this.progress.putAll(seen);
        stalls.sort(Comparator.comparingLong(Stall::stalledForNanos).reversed());
        return stalls;
    }

    private record Progress(long sent, long accepted, long waitingSince) {
    }

    private record Stall(ConsumerSnapshot consumer, long stalledForNanos) {

        Map<String, Object> details() {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("group", this.consumer.group());
            if (this.consumer.producer() != null) {
                details.put("producer", this.consumer.producer());
            }
            details.put("bufferedUnits", this.consumer.bufferedUnits());
            details.put("unit", this.consumer.unit());
            details.put("producerPaused", this.consumer.producerPaused());
            if (!this.consumer.loopWaiting().isZero()) {
                details.put("loopWaitingForExecutor", Duration.ofMillis(this.consumer.loopWaiting().toMillis()).toString());
            }
            details.put("stalledFor", Duration.ofMillis(this.stalledForNanos / 1_000_000).toString());
            return details;
        }
    }
}
