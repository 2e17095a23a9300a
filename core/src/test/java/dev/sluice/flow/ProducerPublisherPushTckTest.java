package dev.sluice.flow;

import java.util.concurrent.Flow;

import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.Listeners;

/**
 * The Reactive Streams TCK for {@link ProducerPublisher} over a synchronous push producer, paused when demand runs
 * out and resumed by {@code request}; a failure is a producer whose {@code resumeProducing} throws.
 */
@Listeners(TckRulesThatApply.class)
public class ProducerPublisherPushTckTest extends FlowPublisherVerification<Long> {

    public ProducerPublisherPushTckTest() {
        super(new TestEnvironment(TckTimeouts.DEFAULT_MILLIS), TckTimeouts.GC_MILLIS);
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        return ProducerPublisher.of(consumer -> new CountingPushProducer(consumer, elements).start());
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        return ProducerPublisher.of(consumer -> consumer.connectionLost(new IllegalStateException("the source failed")));
    }
}
