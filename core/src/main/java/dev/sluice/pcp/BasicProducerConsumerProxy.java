package dev.sluice.pcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import org.jspecify.annotations.Nullable;

/**
 * A man in the middle: a producer to the consumer below it and a consumer to the producer above it, which buffers
 * writes while it is paused and passes its own pause, resume and stop up to its producer. Twisted's
 * {@code pcp.BasicProducerConsumerProxy} (PCP-B1 to PCP-B8).
 *
 * <ul>
 *   <li>{@link #create} registers the proxy with its consumer, as a push producer unless built as a pull one
 *       (PCP-B1).</li>
 *   <li>While paused, or while a pull proxy has no outstanding request, writes are buffered; {@link #resumeProducing()}
 *       sends the buffer as one merged write (never an empty one), and always resumes the producer above
 *       (PCP-B3, PCP-B5).</li>
 *   <li>{@link #stopProducing()} stops the producer above and forgets the consumer: later writes are dropped
 *       (PCP-B4).</li>
 *   <li>{@link #registerProducer} neither resumes the producer nor refuses a second one (PCP-B7);
 *       {@link #unregisterProducer()} always passes the unregistration down (PCP-B8).</li>
 * </ul>
 * A pause is passed up only to a {@link PushProducer}: a pull producer has nothing to pause.
 *
 * <h2>Threads</h2>
 * Like Twisted's, the proxy is not thread-safe: confine each proxy to one thread, or to a consumer whose callbacks and
 * a producer whose writes are serialized with each other.
 *
 * @param <T> the chunk type
 */
public class BasicProducerConsumerProxy<T> implements PushProducer, Consumer<T>, Finishable {

    /** How chunks are merged and weighed. */
    protected final Chunks<T> chunks;

    /** Whether this proxy is a push producer to its consumer (Twisted's {@code iAmStreaming}). */
    protected final boolean iAmStreaming;

    /** The consumer below; null after {@link #stopProducing()}. */
    protected @Nullable Consumer<T> consumer;

    /** The producer above, or null. */
    protected @Nullable Producer producer;

    /** Whether the producer above was registered as a push producer. */
    protected boolean producerIsStreaming;

    /** Whether this proxy was paused by its consumer. */
    protected boolean paused;

    /** Whether a pull proxy was asked for data it has not written yet. */
    protected boolean outstandingPull;

    /** Chunks waiting to be written, in order. */
    protected final List<T> buffer = new ArrayList<>();

    /**
     * Creates a proxy without registering it; call {@link #registerWithConsumer()} once it is fully built, or use
     * {@link #create}. (Twisted registers in the constructor; a Java constructor must not hand out {@code this}.)
     *
     * @param consumer the consumer below, or null
     * @param chunks how chunks are merged and weighed
     * @param streaming whether this proxy registers as a push ({@code true}) or pull producer
     */
    protected BasicProducerConsumerProxy(@Nullable Consumer<T> consumer, Chunks<T> chunks, boolean streaming) {
        this.consumer = consumer;
        this.chunks = Objects.requireNonNull(chunks, "chunks");
        this.iAmStreaming = streaming;
    }

    /**
     * Creates a proxy and registers it with {@code consumer}.
     *
     * @param consumer the consumer below
     * @param chunks how chunks are merged and weighed
     * @param streaming whether the proxy is a push ({@code true}) or pull producer to its consumer
     * @param <T> the chunk type
     * @return the registered proxy
     */
    public static <T> BasicProducerConsumerProxy<T> create(Consumer<T> consumer, Chunks<T> chunks,
            boolean streaming) {
        BasicProducerConsumerProxy<T> proxy = new BasicProducerConsumerProxy<>(consumer, chunks, streaming);
        proxy.registerWithConsumer();
        return proxy;
    }

    /** Registers this proxy with its consumer, if it has one (PCP-B1). */
    public final void registerWithConsumer() {
        Consumer<T> below = this.consumer;
        if (below != null) {
            below.registerProducer(this, this.iAmStreaming);
        }
    }

    @Override
    public void pauseProducing() {
        this.paused = true;
        if (this.producer instanceof PushProducer push) {
            push.pauseProducing();
        }
    }

    @Override
    public void resumeProducing() {
        this.paused = false;
        if (!this.buffer.isEmpty()) {
            T merged = this.chunks.join(this.buffer);
            this.buffer.clear();
            Consumer<T> below = this.consumer;
            if (below != null) {
                below.write(merged);
            }
        }
        else if (!this.iAmStreaming) {
            this.outstandingPull = true;
        }
        Producer above = this.producer;
        if (above != null) {
            above.resumeProducing();
        }
    }

    @Override
    public void stopProducing() {
        Producer above = this.producer;
        if (above != null) {
            above.stopProducing();
        }
        this.consumer = null;
    }

    /** Buffers {@code data} while paused or not asked for (a pull proxy); otherwise passes it down (PCP-B5). */
    @Override
    public void write(T data) {
        Objects.requireNonNull(data, "data");
        if (mustBuffer()) {
            this.buffer.add(data);
            return;
        }
        Consumer<T> below = this.consumer;
        if (below != null) {
            below.write(data);
            this.outstandingPull = false;
        }
    }

    /** Whether a write now must wait in the buffer. */
    protected final boolean mustBuffer() {
        return this.paused || (!this.iAmStreaming && !this.outstandingPull);
    }

    /** Finishes the consumer below if it is {@link Finishable}, then unregisters (PCP-B6). */
    @Override
    public void finish() {
        if (this.consumer instanceof Finishable finishable) {
            finishable.finish();
        }
        unregisterProducer();
    }

    /** Stores the producer; never resumes it and never refuses a second one (PCP-B7). */
    @Override
    public void registerProducer(Producer producer, boolean streaming) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.producerIsStreaming = streaming;
    }

    /** Forgets the producer and always unregisters from the consumer below (PCP-B8). */
    @Override
    public void unregisterProducer() {
        this.producer = null;
        this.producerIsStreaming = false;
        Consumer<T> below = this.consumer;
        if (below != null) {
            below.unregisterProducer();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (this.paused ? "paused" : "producing") + ", " + this.buffer.size()
                + " buffered]";
    }
}
