package dev.sluice.flow;

import java.util.concurrent.Flow;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;
import org.testng.annotations.Listeners;

/** The Reactive Streams TCK (whitebox) for {@link ConsumerSubscriber} feeding a {@link BufferedConsumer}. */
@Listeners(TckRulesThatApply.class)
public class ConsumerSubscriberTckTest extends FlowSubscriberWhiteboxVerification<Integer> {

    public ConsumerSubscriberTckTest() {
        super(new TestEnvironment(TckTimeouts.DEFAULT_MILLIS));
    }

    @Override
    public Flow.Subscriber<Integer> createFlowSubscriber(WhiteboxSubscriberProbe<Integer> probe) {
        BufferedConsumer<Integer> consumer = BufferedConsumer.builder(RecordingSink.<Integer>accepting())
            .name("tck")
            .weigher(Weigher.items())
            .build();
        ConsumerSubscriber<Integer> subscriber = ConsumerSubscriber.closing(consumer, 4);
        return new Flow.Subscriber<>() {

            private boolean subscribed;

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(subscription);
                if (!this.subscribed) {
                    this.subscribed = true;
                    probe.registerOnSubscribe(new SubscriberPuppet() {
                        @Override
                        public void triggerRequest(long elements) {
                            subscriber.request(elements);
                        }

                        @Override
                        public void signalCancel() {
                            subscriber.cancel();
                        }
                    });
                }
            }

            @Override
            public void onNext(Integer item) {
                subscriber.onNext(item);
                probe.registerOnNext(item);
            }

            @Override
            public void onError(Throwable failure) {
                subscriber.onError(failure);
                probe.registerOnError(failure);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
                probe.registerOnComplete();
            }
        };
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
