package dev.sluice.sample.firehose;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.sluice.FlowControlledProducer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firehose's source, as fast as it can be: a thread of its own that writes fixed chunks through its
 * {@link FlowControlledProducer} for as long as that producer is not paused, and waits in
 * {@link FlowControlledProducer#awaitWritable()} while it is.
 *
 * <p>The producer starts it once the {@code firehose} pipe of {@code sluice.pipes.*} has registered the producer with
 * its consumer ({@link FlowControlledProducer.Builder#whenRegistered}), and closes it when the consumer stops the
 * producer; the bean's close ends the thread too. The wait covers both ways the consumer says "pause": a {@code write}
 * that returns {@code false} (this thread waits before its next write, so the buffer overshoots the high-water mark by
 * at most one chunk, whichever thread is delivering callbacks) and the {@code pauseProducing} callback; a resume that
 * races the {@code false} is the producer's business, not this class's.
 */
public final class Firehose implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Firehose.class);

    private final ByteBuffer chunk;

    private volatile boolean closed;

    private @Nullable Thread thread; // guarded by this

    /**
     * A firehose writing {@code chunkSize} bytes at a time.
     *
     * @param chunkSize bytes per write
     */
    public Firehose(int chunkSize) {
        byte[] line = "firehose event\n".getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[chunkSize];
        for (int i = 0; i < chunkSize; i++) {
            data[i] = line[i % line.length];
        }
        this.chunk = ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /**
     * Starts the writing thread, once: the producer's {@code whenRegistered} hook.
     *
     * @param producer the producer to write through
     */
    public synchronized void start(FlowControlledProducer<ByteBuffer> producer) {
        if (this.thread != null || this.closed) {
            return;
        }
        Thread writer = new Thread(() -> run(producer), "firehose");
        writer.setDaemon(true);
        this.thread = writer;
        writer.start();
        log.info("Firehose started: {} bytes per write, as fast as its consumer allows", this.chunk.capacity());
    }

    private void run(FlowControlledProducer<ByteBuffer> producer) {
        long written = 0;
        try {
            while (!this.closed && producer.awaitWritable()) {
                producer.write(this.chunk.duplicate()); // read-only and shared: the consumer owns only the position
                written += this.chunk.capacity();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt(); // closed while waiting: the thread ends
        }
        log.info("Firehose stopped after {} bytes", written);
    }

    /** Ends the thread: the producer's stop hook, and the bean's close. Never blocks; idempotent. */
    @Override
    public void close() {
        Thread writer;
        synchronized (this) {
            this.closed = true;
            writer = this.thread;
        }
        if (writer != null && writer != Thread.currentThread()) {
            writer.interrupt();
        }
    }

    @Override
    public String toString() {
        return "Firehose[" + (this.closed ? "closed" : "open") + "]";
    }
}
