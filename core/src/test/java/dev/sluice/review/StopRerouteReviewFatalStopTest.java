package dev.sluice.review;

import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.registry.ProducerRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Review of fbc1537: C1's STOP_LEFT re-routes the operator's stop to C2 ({@code stopWhereRegistered} calls
 * {@code c2.stopProducer(producer)}). C2 has no executor, so its loop runs inline on C1's loop thread, delivers the
 * stop, and reports what stopProducing threw ({@code failed} on C2, the entry's error count). A
 * {@link VirtualMachineError} is then rethrown by C2's loop as it lets go, out of {@code stopProducer}, into
 * {@code stopLeft}'s catch, which reports the same fault again: a second {@code failed} event (from C1, which the
 * producer has left), a second error counted, a second log, and C1's loop fault.
 */
class StopRerouteReviewFatalStopTest {

    @Test
    void aFatalErrorFromTheReroutedStopIsReportedOnce() {
        ProducerRegistry registry = new ProducerRegistry();
        ManualExecutor tasks1 = new ManualExecutor();
        BufferedConsumer<String> c1 = BufferedConsumer.<String>builder(item -> true).name("c1").drainOn(tasks1).build();
        BufferedConsumer<String> c2 = BufferedConsumer.<String>builder(item -> true).name("c2").build(); // inline loop
        registry.registerConsumer("c1", c1);
        registry.registerConsumer("c2", c2);
        AtomicInteger failedEvents = new AtomicInteger();
        ProducerListener counting = new ProducerListener() {
            @Override
            public void failed(Producer producer, Throwable failure) {
                failedEvents.incrementAndGet();
            }
        };
        c1.addProducerListener(counting);
        c2.addProducerListener(counting);
        AtomicInteger stops = new AtomicInteger();
        OperatorStopReviewProducer producer = new OperatorStopReviewProducer("p") {
            @Override
            public void stopProducing() {
                stops.incrementAndGet();
                throw new OutOfMemoryError("review: stopProducing");
            }
        };
        registry.registerProducer("p", producer);
        producer.onResume = call -> {
            if (call == 1) { // C1's loop, inside C1's resumeProducing
                c1.unregisterProducer();
                registry.stop("p"); // STOP_LEFT queued to C1
                c2.registerProducer(producer, false); // C2's loop is idle: it runs inline here
            }
        };
        c1.registerProducer(producer, false);
        Throwable thrown = catchThrowable(tasks1::runAll);

        assertThat(thrown).as("the fatal error reaches a loop's caller").isInstanceOf(OutOfMemoryError.class);
        assertThat(stops).as("stopProducing calls").hasValue(1);
        assertThat(failedEvents).as("failed events for one fault").hasValue(1);
        assertThat(registry.producer("p").orElseThrow().errors()).as("errors counted for one fault").isEqualTo(1);
    }
}
