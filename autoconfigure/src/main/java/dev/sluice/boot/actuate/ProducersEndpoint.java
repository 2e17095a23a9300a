package dev.sluice.boot.actuate;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code producers} endpoint: every producer and consumer of the {@link ProducerRegistry}, one producer by name,
 * and an operator's {@code pause}, {@code resume} or {@code stop} of a producer.
 *
 * <ul>
 *   <li>{@code GET /actuator/producers}: all producers and consumers;</li>
 *   <li>{@code GET /actuator/producers/{name}}: one producer, 404 if there is none of that name;</li>
 *   <li>{@code POST /actuator/producers/{name}} with {@code {"action": "pause" | "resume" | "stop"}}: 404 for an
 *       unknown name, 400 for another action. Write access is off by default: set
 *       {@code management.endpoint.producers.access=unrestricted}.</li>
 * </ul>
 */
@Endpoint(id = "producers", defaultAccess = Access.READ_ONLY)
public class ProducersEndpoint {

    private final ProducerRegistry registry;

    public ProducersEndpoint(ProducerRegistry registry) {
        this.registry = registry;
    }

    /** Every producer and consumer. */
    @ReadOperation
    public Registry producers() {
        return new Registry(this.registry.producers(), this.registry.consumers());
    }

    /** One producer; {@code null} (404 over HTTP) when there is none of that name. */
    @ReadOperation
    public @Nullable ProducerSnapshot producer(@Selector String name) {
        return this.registry.producer(name).orElse(null);
    }

    /**
     * An operator's order to one producer.
     *
     * @param name the producer
     * @param action {@code pause}, {@code resume} or {@code stop}
     * @return the producer after the order; 404 when there is none of that name
     * @throws InvalidEndpointRequestException (400) for any other action
     */
    @WriteOperation
    public WebEndpointResponse<ProducerSnapshot> act(@Selector String name, String action) {
        Optional<ProducerSnapshot> result = switch (action.toLowerCase(Locale.ROOT)) {
            case "pause" -> this.registry.pause(name);
            case "resume" -> this.registry.resume(name);
            case "stop" -> this.registry.stop(name);
            default -> throw new InvalidEndpointRequestException("Unknown action '" + action
                    + "': expected pause, resume or stop", "Unknown action");
        };
        return result.map(WebEndpointResponse::new)
            .orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
    }

    /**
     * The whole registry.
     *
     * @param producers every producer, by name
     * @param consumers every consumer, by name
     */
    public record Registry(List<ProducerSnapshot> producers, List<ConsumerSnapshot> consumers) {
    }
}
