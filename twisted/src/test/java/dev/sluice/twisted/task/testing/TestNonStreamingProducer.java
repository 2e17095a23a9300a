package dev.sluice.twisted.task.testing;

import java.util.concurrent.CompletableFuture;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;

/**
 * Twisted's {@code NonStreamingProducer} (TD-4): each {@code resumeProducing} writes the call counter ("0", "1", ...);
 * the tenth unregisters from the consumer and completes {@link #result()}. A resume after that is a bug and throws.
 * A failure can be scripted for one call with {@link #failOnCall}.
 */
public final class TestNonStreamingProducer implements PullProducer {

    private Consumer<String> consumer;

    private final CompletableFuture<Void> result = new CompletableFuture<>();

    private int counter;

    private int resumes;

    private int stops;

    private int failOnCall = -1;

    private RuntimeException failure;

    public TestNonStreamingProducer(Consumer<String> consumer) {
        this.consumer = consumer;
    }

    /** Makes the {@code call}-th {@code resumeProducing} (1-based) throw {@code failure} instead of writing. */
    public TestNonStreamingProducer failOnCall(int call, RuntimeException failure) {
        this.failOnCall = call;
        this.failure = failure;
        return this;
    }

    @Override
    public void resumeProducing() {
        this.resumes++;
        if (this.resumes == this.failOnCall) {
            throw this.failure;
        }
        if (this.consumer == null || this.counter >= 10) {
            throw new IllegalStateException("BUG: resume after unregister/stop.");
        }
        this.consumer.write(Integer.toString(this.counter++));
        if (this.counter == 10) {
            this.consumer.unregisterProducer();
            this.consumer = null;
            this.result.complete(null);
        }
    }

    @Override
    public void stopProducing() {
        this.stops++;
        this.result.complete(null);
    }

    /** Completes when the tenth value was written, or on stop. */
    public CompletableFuture<Void> result() {
        return this.result;
    }

    /** How many times {@code resumeProducing} was called. */
    public int resumes() {
        return this.resumes;
    }

    /** How many times {@code stopProducing} was called. */
    public int stops() {
        return this.stops;
    }

    @Override
    public String toString() {
        return "TestNonStreamingProducer#" + Integer.toHexString(System.identityHashCode(this));
    }
}
