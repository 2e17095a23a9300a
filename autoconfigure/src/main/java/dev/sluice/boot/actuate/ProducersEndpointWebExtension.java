package dev.sluice.boot.actuate;

import dev.sluice.boot.actuate.ProducersEndpoint.Outcome;
import dev.sluice.boot.actuate.ProducersEndpoint.Problem;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP side of {@link ProducersEndpoint}: status codes with a body that names the problem ({@link Problem}).
 *
 * <ul>
 *   <li>{@code GET /actuator/producers/{name}}: 200 with the producer, 404 for an unknown name;</li>
 *   <li>{@code POST /actuator/producers/{name}}: 200 with the producer after the order; 404 for an unknown name; 400
 *       for a missing or unknown action, listing the valid ones; 409 for a pause or resume of a stopped producer.</li>
 * </ul>
 */
@EndpointWebExtension(endpoint = ProducersEndpoint.class)
public class ProducersEndpointWebExtension {

    private final ProducersEndpoint endpoint;

    public ProducersEndpointWebExtension(ProducersEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** One producer, or 404 with a body naming the unknown name. */
    @ReadOperation
    public WebEndpointResponse<Object> producer(@Selector String name) {
        ProducersEndpoint.ProducerDescriptor producer = this.endpoint.producer(name);
        return (producer != null) ? new WebEndpointResponse<>(producer) : problem(Problem.notFound(name));
    }

    /**
     * An operator's order to one producer.
     *
     * @param name the producer
     * @param action {@code pause}, {@code resume} or {@code stop}; missing gives a 400 that lists them
     * @return the producer after the order, or the problem with its status
     */
    @WriteOperation
    public WebEndpointResponse<Object> act(@Selector String name, @Nullable String action) {
        Outcome outcome = this.endpoint.order(name, action);
        Problem problem = outcome.problem();
        return (problem != null) ? problem(problem) : new WebEndpointResponse<>(outcome.producer());
    }

    private static WebEndpointResponse<Object> problem(Problem problem) {
        return new WebEndpointResponse<>(problem, problem.status());
    }
}
