package dev.sluice.regression;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.sluice.ConsumerSupport;
import dev.sluice.PushProducer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps a consumer's owner loop (v2: its signal lane) busy on another thread, inside a producer callback, until
 * {@link #release()}: a producer is registered and then stopped from a thread of its own, and its
 * {@code stopProducing} waits. A stopped producer is no longer registered, so another may register meanwhile; every
 * call made to the consumer in the meantime finds the loop owned by someone else.
 *
 * <p>The wait is bounded (10 s), so a test that forgets to release does not hang.
 */
final class LoopBlocker implements AutoCloseable {

    private final CountDownLatch inside = new CountDownLatch(1);

    private final CountDownLatch release = new CountDownLatch(1);

    private final Thread owner;

    private LoopBlocker(ConsumerSupport<?> consumer) {
        consumer.registerProducer(new PushProducer() {
            @Override
            public void pauseProducing() {
            }

            @Override
            public void resumeProducing() {
            }

            @Override
            public void stopProducing() {
                LoopBlocker.this.inside.countDown();
                try {
                    LoopBlocker.this.release.await(10, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public String toString() {
                return "loop-blocker";
            }
        }, true);
        this.owner = new Thread(consumer::stopProducer, "loop-owner");
        this.owner.setDaemon(true);
    }

    /** Blocks {@code consumer}'s loop, and returns once the loop is inside the blocking callback. */
    static LoopBlocker block(ConsumerSupport<?> consumer) throws InterruptedException {
        LoopBlocker blocker = new LoopBlocker(consumer);
        blocker.owner.start();
        assertThat(blocker.inside.await(5, TimeUnit.SECONDS)).as("the loop entered the blocking stopProducing")
            .isTrue();
        return blocker;
    }

    /** Lets the loop go on. */
    void release() {
        this.release.countDown();
    }

    @Override
    public void close() {
        release();
        try {
            this.owner.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
