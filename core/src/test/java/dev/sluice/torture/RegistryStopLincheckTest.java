package dev.sluice.torture;

import java.util.List;

import dev.sluice.registry.ProducerRegistry;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of {@link ProducerRegistry#stop(String)} racing registrations, unregistrations, writes,
 * other stops and the consumer's own stop (issue 18 item 6, defect 7): the operations and checks of
 * {@link PromiseScenario}, with the consumer in a registry, each new producer listed there under its name before it
 * registers with the consumer, and an operator's stop of the newest producer by name. The registry stops a producer
 * through the consumer it is attached to or claimed by, or calls its {@code stopProducing} itself when no consumer
 * has it; the checks say that a producer is stopped once, is called no more after that, is not kept by the
 * consumer, and that no call to it overlaps another.
 *
 * <p>{@link #modelCheck()} explores random scenarios and the race the issue names (a registry stop racing the
 * announcement of a registration, while a write makes a pause due); on 9d79c31 it fails at once, with one of the
 * scenarios below or another of the same kind (an operator's stop racing {@code connectionLost}, whose
 * {@code stopProducer()} has withdrawn the claim and queued the stop). The other tests are the scenarios in which
 * Lincheck found a producer stopped twice on 9d79c31, each explored on its own so that each shows; see their javadoc.
 * They share one cause: {@code stop} decides between "through the consumer" and "directly" from the consumer's claim
 * and the entry's attachment and fate, and none of these shows a stop (or unregistration) that a consumer has taken
 * on and its loop has not delivered yet — or one the loop delivered for a registration it announced after the claim
 * was already gone (the entry never attached, so it never learns of that stop).
 *
 * <p>Not modelled: a stop of a producer between its own check "am I stopped?" and its {@code registerProducer}
 * call. The registry then finds no consumer and stops it directly, and the consumer then keeps a stopped producer (and
 * pauses or stops it again); no consumer can see that race, which the producer has to close itself. So a producer
 * becomes a stop's target ({@code newest}) only once its {@code registerProducer} has returned.
 */
public final class RegistryStopLincheckTest extends PromiseScenario {

    private final ProducerRegistry registry = new ProducerRegistry();

    public RegistryStopLincheckTest() {
        this.registry.registerConsumer("consumer", this.consumer);
        registerNew(true);
    }

    @Override
    void listing(Scripted producer) {
        this.registry.registerProducer(producer.name, producer);
    }

    /** An operator stops the newest producer by name. */
    @Operation
    public void stop() {
        this.referee.begin();
        this.registry.stop(this.newest.name);
    }

    @Test
    void modelCheck() {
        options(iterations(3), 100, List.of(
                // defect 7: a registry stop racing a registration's announcement, while a write makes a pause due
                scenario(List.of(op("unregister"), op("write", 0), op("write", 0)),
                        List.of(List.of(op("registerPush")), List.of(op("stop")),
                                List.of(op("write", 2), op("drain"))))))
            .check(getClass());
    }

    /**
     * Found on 9d79c31, one thread: a producer registers with a consumer that has gone, whose loop stops it (FD-2);
     * then an operator's stop by name stops it again. The loop announced the registration after
     * {@code registerProducer} had withdrawn its claim, so the registry's entry did not attach ({@code attach} checks
     * the claim) and ignored the {@code stopped} event ({@code detach} finds no attachment): its fate stays PRODUCING,
     * and {@code stop} calls {@code stopProducing} directly.
     */
    @Test
    void aProducerTheConsumerStoppedAtRegistrationIsNotStoppedAgain() {
        only(scenario(List.of(op("connectionLost")), List.of(List.of(op("registerPush"), op("stop")))));
    }

    /**
     * Found on 9d79c31: two operators stop the same attached producer. The first withdraws the claim and queues the stop
     * on the loop; the second, before the loop has delivered it and told the entry, finds the entry still attached but
     * no claim ({@code stopProducer(expected)} answers false), reads the fate PRODUCING and calls
     * {@code stopProducing} itself, from the operator's thread: a second stop, which may also overlap a callback of
     * the loop.
     */
    @Test
    void twoOperatorStopsStopAProducerOnce() {
        only(scenario(List.of(), List.of(List.of(op("stop")), List.of(op("stop")))));
    }

    /**
     * Found on 9d79c31: the producer has unregistered itself (fate FINISHED, attached nowhere), and two operators stop
     * it: both read a fate other than STOPPED and both call {@code stopProducing} directly, at the same time.
     */
    @Test
    void twoOperatorStopsOfAnUnregisteredProducerStopItOnce() {
        only(scenario(List.of(op("unregister")), List.of(List.of(op("stop")), List.of(op("stop")))));
    }

    /**
     * Found on 9d79c31, three threads, the consumer gone: one thread runs the loop (a registration's FD-2 stop);
     * another registers a pull producer, whose {@code registerProducer} withdraws its claim and queues its stop behind
     * the running loop; an operator's stop of that producer finds neither claim nor attachment and stops it directly;
     * then the loop stops it again.
     */
    @Test
    void anOperatorStopRacingAStopAtRegistrationStopsOnce() {
        only(scenario(List.of(op("connectionLost")),
                List.of(List.of(op("registerPush")), List.of(op("stop")), List.of(op("registerPull")))));
    }

    private void only(ExecutionScenario scenario) {
        options(0, 100, List.of(scenario)).check(getClass());
    }

    private static Actor op(String operation, Object... arguments) {
        return actor(RegistryStopLincheckTest.class, operation, arguments);
    }
}
