package dev.sluice.boot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.GroupSnapshot;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.registry.ProducerStoppedException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code producers} endpoint: the groups, producers and consumers of the {@link ProducerRegistry} (instances of a
 * group listed one by one while they live), one producer by name, and an operator's {@code pause}, {@code resume} or
 * {@code stop} of a producer.
 *
 * <ul>
 *   <li>{@code GET /actuator/producers}: every group, producer and consumer;</li>
 *   <li>{@code GET /actuator/producers/{name}}: one producer;</li>
 *   <li>{@code POST /actuator/producers/{name}} with {@code {"action": "pause" | "resume" | "stop"}}: an operator's
 *       order. Write access is off by default: set {@code management.endpoint.producers.access=unrestricted}.</li>
 * </ul>
 *
 * <p>Over HTTP, {@link ProducersEndpointWebExtension} answers a problem with a status and a body that names it: 404
 * for an unknown name, 400 for a missing or unknown action (listing the valid ones), 409 for a pause or resume of a
 * stopped producer. Over other technologies (JMX) an unknown name reads as no result, and a refused order throws.
 */
@Endpoint(id = "producers", defaultAccess = Access.READ_ONLY)
public class ProducersEndpoint {

    /** The actions {@link #act} understands, in the order the problem descriptions list them. */
    public static final List<String> ACTIONS = List.of("pause", "resume", "stop");

    private final ProducerRegistry registry;

    public ProducersEndpoint(ProducerRegistry registry) {
        this.registry = registry;
    }

    /** Every group, producer and consumer, by name. */
    @ReadOperation
    public RegistryDescriptor producers() {
        return new RegistryDescriptor(this.registry.groups().stream().map(GroupDescriptor::of).toList(),
                this.registry.producers().stream().map(ProducerDescriptor::of).toList(),
                this.registry.consumers().stream().map(ConsumerDescriptor::of).toList());
    }

    /** One producer; {@code null} (no result) when there is none of that name. */
    @ReadOperation
    public @Nullable ProducerDescriptor producer(@Selector String name) {
        return this.registry.producer(name).map(ProducerDescriptor::of).orElse(null);
    }

    /**
     * An operator's order to one producer.
     *
     * @param name the producer
     * @param action {@code pause}, {@code resume} or {@code stop}
     * @return the producer after the order
     * @throws InvalidEndpointRequestException for an unknown name, a missing or unknown action, or a pause or resume
     *         of a stopped producer; the message names the problem
     */
    @WriteOperation
    public ProducerDescriptor act(@Selector String name, String action) {
        Outcome outcome = order(name, action);
        if (outcome.problem() != null) {
            throw new InvalidEndpointRequestException(outcome.problem().message(), outcome.problem().error());
        }
        return outcome.producer();
    }

    /**
     * Carries out an order, and says how it went: the producer after it, or the problem.
     *
     * @param name the producer
     * @param action the action asked for, or {@code null} when none was given
     * @return the outcome
     */
    Outcome order(String name, @Nullable String action) {
        String verb = (action != null) ? action.trim().toLowerCase(Locale.ROOT) : "";
        if (!ACTIONS.contains(verb)) {
            String message = (action == null || action.isBlank())
                    ? "No action given for producer '" + name + "'"
                    : "Unknown action '" + action + "' for producer '" + name + "'";
            return Outcome.of(Problem.badRequest(name, message + "; valid actions are " + String.join(", ", ACTIONS)));
        }
        try {
            Optional<ProducerSnapshot> after = switch (verb) {
                case "pause" -> this.registry.pause(name);
                case "resume" -> this.registry.resume(name);
                default -> this.registry.stop(name);
            };
            return after.map(producer -> new Outcome(ProducerDescriptor.of(producer), null))
                .orElseGet(() -> Outcome.of(Problem.notFound(name)));
        }
        catch (ProducerStoppedException ex) {
            return Outcome.of(Problem.conflict(name, ex.getMessage() + "; a stopped producer can only be stopped"));
        }
    }

    /** How an order went: the producer after it, or the problem. */
    record Outcome(@Nullable ProducerDescriptor producer, @Nullable Problem problem) {

        static Outcome of(Problem problem) {
            return new Outcome(null, problem);
        }
    }

    /**
     * What the endpoint answers with a refused request, over HTTP.
     *
     * @param status the HTTP status
     * @param error the status's reason phrase
     * @param message what went wrong, naming the producer and the action
     * @param producer the producer named in the request
     * @param validActions the actions the endpoint understands
     */
    public record Problem(int status, String error, String message, String producer, List<String> validActions)
            implements OperationResponseBody {

        static final int CONFLICT = 409;

        static Problem badRequest(String producer, String message) {
            return new Problem(400, "Bad Request", message, producer, ACTIONS);
        }

        static Problem notFound(String producer) {
            return new Problem(404, "Not Found", "No producer named '" + producer + "'", producer, ACTIONS);
        }

        static Problem conflict(String producer, String message) {
            return new Problem(CONFLICT, "Conflict", message, producer, ACTIONS);
        }
    }

    /**
     * The whole registry.
     *
     * @param groups every group, by name
     * @param producers every producer, by name, instances of groups included
     * @param consumers every consumer, by name, instances of groups included
     */
    public record RegistryDescriptor(List<GroupDescriptor> groups, List<ProducerDescriptor> producers,
            List<ConsumerDescriptor> consumers) implements OperationResponseBody {
    }

    /**
     * A group: see {@link GroupSnapshot}.
     *
     * @param name its name
     * @param producers how many producers are members now
     * @param consumers how many consumers are members now
     * @param producersPaused how many of its producers are paused now
     * @param pauseCount pauses of its producers
     * @param pausedTime time its producers have spent paused
     * @param longestCurrentPause the longest pause in progress
     * @param errors callbacks of its producers that threw
     * @param unit the unit of the buffer figures
     * @param bufferedUnits units buffered by its consumers now
     * @param highWaterMark the sum of its consumers' high-water marks
     * @param acceptedUnits units its consumers accepted
     * @param sentUnits units its consumers sent
     * @param droppedUnits units its consumers dropped
     */
    public record GroupDescriptor(String name, int producers, int consumers, int producersPaused, long pauseCount,
            Duration pausedTime, Duration longestCurrentPause, long errors, String unit, long bufferedUnits,
            long highWaterMark, long acceptedUnits, long sentUnits, long droppedUnits) {

        static GroupDescriptor of(GroupSnapshot group) {
            return new GroupDescriptor(group.name(), group.producers(), group.consumers(), group.producersPaused(),
                    group.pauseCount(), group.pausedTime(), group.longestCurrentPause(), group.errors(), group.unit(),
                    group.bufferedUnits(), group.highWaterMark(), group.acceptedUnits(), group.sentUnits(),
                    group.droppedUnits());
        }
    }

    /**
     * A producer: see {@link ProducerSnapshot}.
     *
     * @param name its registry name
     * @param group its group
     * @param state what it is doing
     * @param consumer the consumer it is registered with, or {@code null}
     * @param streaming whether it is a push producer
     * @param heldByOperator whether an operator's pause is in force
     * @param pauseCount how many times it has been paused
     * @param pausedTime the total time it has spent paused
     * @param currentPause how long the current pause has lasted
     * @param unitsWritten units its consumers accepted from it
     * @param errors callbacks that threw
     */
    public record ProducerDescriptor(String name, String group, ProducerState state, @Nullable String consumer,
            boolean streaming, boolean heldByOperator, long pauseCount, Duration pausedTime, Duration currentPause,
            long unitsWritten, long errors) implements OperationResponseBody {

        static ProducerDescriptor of(ProducerSnapshot producer) {
            return new ProducerDescriptor(producer.name(), producer.group(), producer.state(), producer.consumer(),
                    producer.streaming(), producer.heldByOperator(), producer.pauseCount(), producer.pausedTime(),
                    producer.currentPause(), producer.unitsWritten(), producer.errors());
        }
    }

    /**
     * A consumer: see {@link ConsumerSnapshot}.
     *
     * @param name its registry name
     * @param group its group
     * @param producer its producer's registry name, or {@code null}
     * @param unit the unit of the figures
     * @param bufferedUnits units buffered now
     * @param highWaterMark the high-water mark
     * @param lowWaterMark the low-water mark
     * @param acceptedUnits units accepted
     * @param sentUnits units sent
     * @param droppedUnits units dropped
     * @param producerPaused whether its producer is paused now
     * @param producerHeld whether an operator hold is in force
     * @param pauseCount how many times its producers have been paused
     * @param pausedTime the total time its producers have spent paused
     * @param currentPause how long the current pause has lasted
     */
    public record ConsumerDescriptor(String name, String group, @Nullable String producer, String unit,
            long bufferedUnits, long highWaterMark, long lowWaterMark, long acceptedUnits, long sentUnits,
            long droppedUnits, boolean producerPaused, boolean producerHeld, long pauseCount, Duration pausedTime,
            Duration currentPause) {

        static ConsumerDescriptor of(ConsumerSnapshot consumer) {
            return new ConsumerDescriptor(consumer.name(), consumer.group(), consumer.producer(), consumer.unit(),
                    consumer.bufferedUnits(), consumer.highWaterMark(), consumer.lowWaterMark(),
                    consumer.acceptedUnits(), consumer.sentUnits(), consumer.droppedUnits(), consumer.producerPaused(),
                    consumer.producerHeld(), consumer.pauseCount(), consumer.pausedTime(), consumer.currentPause());
        }
    }
}
