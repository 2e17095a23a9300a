package dev.sluice.flow;

import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.PushProducer;

/**
 * A synchronous push producer: writes 0, 1, 2, ... into its consumer for as long as it is running (not paused, still
 * registered), from {@link #start()} and from each {@code resumeProducing}, and unregisters after {@code limit}
 * items. A work-in-progress counter keeps two threads from writing at once.
 */
final class CountingPushProducer implements PushProducer {

    private final BufferedConsumer<Long> consumer;

    private final long limit;

    private final AtomicInteger work = new AtomicInteger();

    private volatile boolean paused;

    private volatile boolean stopped;

    private long next;

    private boolean finished;

    CountingPushProducer(BufferedConsumer<Long> consumer, long limit) {
        this.consumer = consumer;
        this.limit = limit;
    }

    /** Registers with the consumer and writes until paused. */
    void start() {
        this.consumer.registerProducer(this, true);
        pump();
    }

    @Override
    public void pauseProducing() {
        this.paused = true;
    }

    @Override
    public void resumeProducing() {
        this.paused = false;
        pump();
    }

    @Override
    public void stopProducing() {
        this.stopped = true;
    }

    boolean isStopped() {
        return this.stopped;
    }

    private boolean running() {
        // a consumer that has gone unregisters us at once; its stopProducing may come after this call returns
        return !this.paused && !this.stopped && this.consumer.producer() == this;
    }

    private void pump() {
        if (this.work.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            while (this.next < this.limit && running()) {
                this.consumer.write(this.next++);
            }
            if (this.next >= this.limit && !this.finished && this.consumer.producer() == this) {
                this.finished = true;
                this.consumer.unregisterProducer();
            }
            missed = this.work.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
