package dev.sluice.boot.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code sluice} health contributor. Lists every producer's state and current pause. A producer paused for longer
 * than the stall threshold is listed under {@code stalled}, and the contributor then reports the configured stall
 * status; ordinary back-pressure pauses are not an outage, so the default stall status is {@code UP}.
 */
public class SluiceHealthIndicator extends AbstractHealthIndicator {

    private final ProducerRegistry registry;

    private final Duration stallThreshold;

    private final Status stallStatus;

    public SluiceHealthIndicator(ProducerRegistry registry, Duration stallThreshold, Status stallStatus) {
        super("Sluice health check failed");
        this.registry = registry;
        this.stallThreshold = stallThreshold;
        this.stallStatus = stallStatus;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<String, Object> producers = new LinkedHashMap<>();
        List<String> stalled = new ArrayList<>();
        for (ProducerSnapshot producer : this.registry.producers()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("state", producer.state());
            if (producer.consumer() != null) {
                details.put("consumer", producer.consumer());
            }
            details.put("pauseCount", producer.pauseCount());
            if (producer.state() == ProducerState.PAUSED) {
                details.put("pausedFor", producer.currentPause().toString());
                if (producer.currentPause().compareTo(this.stallThreshold) > 0) {
                    stalled.add(producer.name());
                }
            }
            producers.put(producer.name(), details);
        }
        builder.status(stalled.isEmpty() ? Status.UP : this.stallStatus)
            .withDetail("producers", producers)
            .withDetail("stalled", stalled);
    }
}
