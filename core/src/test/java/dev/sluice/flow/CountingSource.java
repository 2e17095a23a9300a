package dev.sluice.flow;

import dev.sluice.BufferedConsumer;
import dev.sluice.PullProducer;

/** A pull producer that writes 0, 1, 2, ... one item per {@code resumeProducing} and unregisters after {@code limit}. */
final class CountingSource implements PullProducer {

    private final BufferedConsumer<Long> consumer;

    private final long limit;

    private long next;

    private volatile boolean stopped;

    CountingSource(BufferedConsumer<Long> consumer, long limit) {
        this.consumer = consumer;
        this.limit = limit;
    }

    @Override
    public void resumeProducing() {
        if (this.next < this.limit) {
            this.consumer.write(this.next++);
        }
        if (this.next >= this.limit) {
            this.consumer.unregisterProducer();
        }
    }

    @Override
    public void stopProducing() {
        this.stopped = true;
    }

    boolean isStopped() {
        return this.stopped;
    }
}
