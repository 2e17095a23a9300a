package dev.sluice.flow;

import java.io.IOException;
import java.util.concurrent.Flow;

import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.Listeners;

/** The Reactive Streams TCK for {@link ProducerPublisher} over a pull producer (one item per request). */
@Listeners(TckRulesThatApply.class)
public class ProducerPublisherPullTckTest extends FlowPublisherVerification<Long> {

    public ProducerPublisherPullTckTest() {
        super(new TestEnvironment(TckTimeouts.DEFAULT_MILLIS), TckTimeouts.GC_MILLIS);
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        return ProducerPublisher.of(consumer -> consumer.registerProducer(new CountingSource(consumer, elements), false));
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        return ProducerPublisher.of(consumer -> {
            throw new IOException("the source cannot start");
        });
    }
}
