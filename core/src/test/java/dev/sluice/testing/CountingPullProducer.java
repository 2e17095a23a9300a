package dev.sluice.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;

/**
 * Twisted's {@code NonStreamingProducer} (twisted-spec TD-4): each {@code resumeProducing} writes the next counter
 * value; the call that reaches the limit unregisters from the consumer and completes {@link #result()}. A resume after
 * that, or after a stop, is a bug and throws {@link IllegalStateException}.
 *
 * @param <T> the type written
 */
public class CountingPullProducer<T> implements PullProducer {

    private final IntFunction<T> chunk;

    private final int limit;

    private volatile Consumer<T> consumer;

    private volatile int counter;

    private volatile boolean stopped;

    private final CompletableFuture<Void> result = new CompletableFuture<>();

    public CountingPullProducer(Consumer<T> consumer, int limit, IntFunction<T> chunk) {
        this.consumer = consumer;
        this.limit = limit;
        this.chunk = chunk;
    }

    /** The TD-4 producer: ten chunks, "0" to "9", as bytes. */
    public static CountingPullProducer<ByteBuffer> tenDigits(Consumer<ByteBuffer> consumer) {
        return new CountingPullProducer<>(consumer, 10,
                i -> ByteBuffer.wrap(Integer.toString(i).getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void resumeProducing() {
        Consumer<T> target = this.consumer;
        if (target == null || this.counter >= this.limit || this.stopped) {
            throw new IllegalStateException("BUG: resume after unregister/stop.");
        }
        int value = this.counter++;
        target.write(this.chunk.apply(value));
        if (this.counter == this.limit) {
            target.unregisterProducer();
            this.consumer = null;
            this.result.complete(null);
        }
    }

    @Override
    public void stopProducing() {
        this.stopped = true;
        this.result.complete(null);
    }

    /** How many chunks were written. */
    public int counter() {
        return this.counter;
    }

    public boolean isStopped() {
        return this.stopped;
    }

    /** Completes when the producer has unregistered at its limit, or was stopped. */
    public CompletableFuture<Void> result() {
        return this.result;
    }
}
