package dev.sluice.review;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of fbc1537 ({@code stopAfterCallback(producer, stopWhereRegistered)}, STOP_LEFT): the operator's stop of a
 * pull producer that left C1 inside C1's resumeProducing is queued to C1's loop. Inside that callback, after the
 * operator's stop, the producer registers again (with C1, or with C2) and that consumer stops it (it has gone:
 * {@code stopProducer()}), so that consumer's loop owes it its one {@code stopProducing}. Once the callback has
 * returned, {@code stopLeft} finds no registration (C1's slot is empty, C2's {@code stopProducer(producer)} declines:
 * the stop is already on its way there) and calls {@code stopProducing} itself; the consumer's queued STOP calls it
 * again. {@code stopWhereRegistered} asks {@code stopProducer}, not {@code stopThroughLoop}: a stop already on its way
 * is not seen.
 */
class StopRerouteReviewStoppedMeanwhileTest {

    @Test
    void reRegisteredWithTheSameConsumerWhichStopsItGetsOneStop() {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks1 = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(item -> true).name("c1").drainOn(tasks1).build();
        registry.registerConsumer("c1", c1);
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p");
        registry.registerProducer("p", producer);
        producer.onResume = call -> {
            if (call == 1) { // on C1's loop, inside C1's resumeProducing
                c1.unregisterProducer();
                registry.stop("p"); // registered nowhere, C1 is calling it: STOP_LEFT queued to C1
                c1.registerProducer(producer, false);
                c1.stopProducer(); // C1 has gone: the new registration's stop is queued to C1's loop
            }
        };
        c1.registerProducer(producer, false);
        tasks1.runAll();

        assertThat(producer.stops()).as("stopProducing calls (events %s)", producer.events()).isEqualTo(1);
        assertThat(registry.producer("p").orElseThrow().state()).isEqualTo(ProducerState.STOPPED);
    }

    @Test
    void movedToAnotherFollowedConsumerWhichStopsItGetsOneStopFromThatLoop() {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks1 = new ManualExecutor();
        ManualExecutor tasks2 = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(item -> true).name("c1").drainOn(tasks1).build();
        BufferedConsumer<String> c2 = BufferedConsumer.<String>builder(item -> true).name("c2").drainOn(tasks2).build();
        registry.registerConsumer("c1", c1);
        registry.registerConsumer("c2", c2);
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p");
        registry.registerProducer("p", producer);
        producer.onResume = call -> {
            if (call == 1) { // on C1's loop
                c1.unregisterProducer();
                registry.stop("p"); // STOP_LEFT queued to C1
                c2.registerProducer(producer, false);
                c2.stopProducer(); // C2 has gone: its loop owes the producer its stop (C2's loop has not run)
            }
        };
        c1.registerProducer(producer, false);
        tasks1.runAll(); // C1's STOP_LEFT: C2 still owes its stop, only C2's loop may call the producer
        long stopsBeforeC2Ran = producer.stops();
        tasks2.runAll();

        assertThat(producer.stops()).as("stopProducing calls (events %s)", producer.events()).isEqualTo(1);
        assertThat(stopsBeforeC2Ran).as("stops made by C1's loop beside C2's queued stop").isZero();
    }
}
