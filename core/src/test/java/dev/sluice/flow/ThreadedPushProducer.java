package dev.sluice.flow;

import dev.sluice.BufferedConsumer;
import dev.sluice.PushProducer;

/**
 * A push producer that writes 0, 1, 2, ... from its own thread ({@link #run()}), waiting while paused, and unregisters
 * after {@code limit} items.
 */
final class ThreadedPushProducer implements PushProducer, Runnable {

    private final BufferedConsumer<Long> consumer;

    private final long limit;

    private volatile boolean paused;

    private volatile boolean stopped;

    ThreadedPushProducer(BufferedConsumer<Long> consumer, long limit) {
        this.consumer = consumer;
        this.limit = limit;
    }

    @Override
    public void run() {
        for (long next = 0; next < this.limit; next++) {
            if (this.paused || !this.consumer.isWritable()) {
                awaitResume(); // honours write's false too: a pause, then a resume, follows every false
            }
            if (this.stopped) {
                return;
            }
            this.consumer.write(next);
        }
        this.consumer.unregisterProducer();
    }

    private void awaitResume() {
        synchronized (this) {
            while ((this.paused || !this.consumer.isWritable()) && !this.stopped) {
                try {
                    wait();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    this.stopped = true;
                }
            }
        }
    }

    @Override
    public void pauseProducing() {
        this.paused = true;
    }

    @Override
    public synchronized void resumeProducing() {
        this.paused = false;
        notifyAll();
    }

    @Override
    public synchronized void stopProducing() {
        this.stopped = true;
        notifyAll();
    }
}
