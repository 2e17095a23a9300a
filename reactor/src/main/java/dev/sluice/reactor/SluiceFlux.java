package dev.sluice.reactor;

import java.util.Objects;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.flow.ConsumerSubscriber;
import dev.sluice.flow.ProducerPublisher;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Project Reactor on both sides of Sluice, with back-pressure preserved: a producer read as a {@link Flux}, and a
 * {@link Publisher} (a {@code Flux}) written into a consumer. Both go through the Reactive Streams bridges of
 * {@code dev.sluice.flow} ({@link ProducerPublisher}, {@link ConsumerSubscriber}), which pass the TCK.
 *
 * <pre>{@code
 * Flux<ByteBuffer> bytes = SluiceFlux.fromProducer(consumer -> ReadingProducer.of(in, consumer, 16 * 1024).start());
 * Mono<Void> done = SluiceFlux.writeTo(bytes, socketConsumer, 16);
 * }</pre>
 */
public final class SluiceFlux {

    private SluiceFlux() {
    }

    /**
     * A {@code Flux} of what a producer writes: each subscription calls {@code source} with a fresh consumer, whose
     * producer is paused while the subscriber's demand is exhausted and the consumer's buffer is above
     * {@link ProducerPublisher#DEFAULT_WATER_MARKS}, resumed by {@code request}, and stopped by {@code cancel}. The
     * flux completes when the producer unregisters and fails with what the producer or the source throws.
     *
     * @param source registers a producer with the consumer it is given (see {@link ProducerPublisher.Source})
     * @param <T> the type of item
     * @return a cold flux: one producer per subscription
     */
    public static <T> Flux<T> fromProducer(ProducerPublisher.Source<T> source) {
        Objects.requireNonNull(source, "source");
        return Flux.defer(() -> JdkFlowAdapter.flowPublisherToFlux(ProducerPublisher.of(source)));
    }

    /**
     * Like {@link #fromProducer(ProducerPublisher.Source)}, with a weigher and water marks for the consumer of each
     * subscription, for instance {@link Weigher#bytes()} to bound a flux of {@code ByteBuffer}s in bytes.
     */
    public static <T> Flux<T> fromProducer(ProducerPublisher.Source<T> source, Weigher<? super T> weigher,
            WaterMarks waterMarks) {
        Objects.requireNonNull(source, "source");
        return Flux.defer(() -> JdkFlowAdapter.flowPublisherToFlux(
                ProducerPublisher.of(source, "flux", weigher, waterMarks)));
    }

    /**
     * Writes {@code publisher}'s items into {@code consumer} when the returned {@code Mono} is subscribed, keeping
     * at most {@code prefetch} items requested and none while the consumer has its producer paused. The consumer is
     * closed when the publisher completes ({@link BufferedConsumer#loseConnection()}) and fails with its error
     * ({@link BufferedConsumer#connectionLost(Throwable)}).
     *
     * @param publisher the items, typically a {@code Flux}
     * @param consumer the consumer, with no producer registered
     * @param prefetch how many items to keep requested, positive
     * @param <T> the type of item
     * @return a {@code Mono} that completes when the consumer has closed, after its last item, or fails with the
     *         publisher's or the sink's error; cancelling it aborts the consumer, which cancels the publisher
     */
    public static <T> Mono<Void> writeTo(Publisher<? extends T> publisher, BufferedConsumer<T> consumer, int prefetch) {
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(consumer, "consumer");
        return Mono.defer(() -> {
            ConsumerSubscriber<T> subscriber = ConsumerSubscriber.closing(consumer, prefetch);
            JdkFlowAdapter.publisherToFlowPublisher(publisher).subscribe(subscriber);
            return Mono.fromFuture(consumer.whenClosed()).doOnCancel(consumer::abortConnection);
        });
    }
}
