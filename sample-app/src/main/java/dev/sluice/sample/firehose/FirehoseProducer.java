package dev.sluice.sample.firehose;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.PushProducer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A push producer as fast as it can be: a thread of its own that writes fixed chunks into its consumer for as long as
 * it is not paused, and parks while it is.
 *
 * <p>It starts when it is registered with its consumer (by the {@code firehose} pipe of {@code sluice.pipes.*}, seen
 * through a {@link ProducerListener}), stops for good on {@link #stopProducing()}, and its thread ends then or when
 * the bean is closed. Pauses are obeyed before the next write: the write that crosses the consumer's high-water mark
 * delivers the pause on this thread before it returns, so the buffer overshoots by at most one chunk.
 */
public final class FirehoseProducer implements PushProducer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FirehoseProducer.class);

    private final ConsumerSupport<ByteBuffer> consumer;

    private final ByteBuffer chunk;

    private volatile boolean paused;

    private volatile boolean stopped;

    private volatile @Nullable Thread thread;

    private long written;

    /**
     * A producer for {@code consumer}, writing {@code chunkSize} bytes at a time.
     *
     * @param consumer the consumer the pipe registers it with
     * @param chunkSize bytes per write
     */
    public FirehoseProducer(ConsumerSupport<ByteBuffer> consumer, int chunkSize) {
        this.consumer = consumer;
        byte[] line = "firehose event\n".getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[chunkSize];
        for (int i = 0; i < chunkSize; i++) {
            data[i] = line[i % line.length];
        }
        this.chunk = ByteBuffer.wrap(data).asReadOnlyBuffer();
        consumer.addProducerListener(new ProducerListener() {
            @Override
            public void registered(Producer producer, boolean streaming) {
                if (producer == FirehoseProducer.this) {
                    start();
                }
            }
        });
    }

    private synchronized void start() {
        if (this.thread != null || this.stopped) {
            return;
        }
        Thread writer = new Thread(this::run, "firehose");
        writer.setDaemon(true);
        this.thread = writer;
        writer.start();
        log.info("Firehose started: {} bytes per write, as fast as its consumer allows", this.chunk.capacity());
    }

    private void run() {
        while (!this.stopped) {
            // stops on write's false, not only on the pause callback: that keeps the buffer within one chunk of the
            // high-water mark even while another thread is inside a callback; every false is followed by a pause and
            // then a resume, which unparks this thread
            if (this.paused || !this.consumer.isWritable()) {
                LockSupport.park(this);
                continue;
            }
            this.consumer.write(this.chunk.duplicate()); // read-only and shared: the consumer owns only the position
            this.written += this.chunk.capacity();
        }
        log.info("Firehose stopped after {} bytes", this.written);
    }

    @Override
    public void pauseProducing() {
        this.paused = true;
    }

    @Override
    public void resumeProducing() {
        this.paused = false;
        wake();
    }

    @Override
    public void stopProducing() {
        this.stopped = true;
        wake();
    }

    /** Stops, and ends the thread. */
    @Override
    public void close() {
        stopProducing();
    }

    private void wake() {
        Thread writer = this.thread;
        if (writer != null) {
            LockSupport.unpark(writer);
        }
    }

    @Override
    public String toString() {
        return "FirehoseProducer[" + (this.stopped ? "stopped" : this.paused ? "paused" : "producing") + "]";
    }
}
