package dev.sluice.testing;

import java.util.concurrent.CompletableFuture;

import dev.sluice.BufferedConsumer;

/** The slow side of a test: a sink that takes a few units at a time, on the test's thread, until its consumer closes. */
public final class SlowDrain {

    private SlowDrain() {
    }

    /**
     * Grants {@code sink} {@code step} units and drains {@code consumer}, again and again until the consumer has
     * closed (normally or not).
     *
     * @return the deepest the consumer's buffer was seen, in its units
     */
    public static <T> long untilClosed(BufferedConsumer<T> consumer, RecordingSink<T> sink, long step) {
        CompletableFuture<Void> closed = consumer.whenClosed(); // once: each call adds a copy to the consumer's future
        long deepest = 0;
        while (!closed.isDone()) {
            deepest = Math.max(deepest, consumer.bufferedUnits());
            sink.grant(step);
            consumer.drain();
            Thread.onSpinWait();
        }
        return deepest;
    }
}
