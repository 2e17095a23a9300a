package dev.sluice.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.FlowControlledProducer;
import dev.sluice.PushProducer;

/**
 * The explicit blocking adapter of Sluice's threading contract: an {@link OutputStream} for a plain thread that
 * produces into a {@link Consumer}, whose {@code write} blocks while the consumer's buffer is full.
 *
 * <p>The stream is a {@link PushProducer}: it registers itself with the consumer when it is made. Each write copies its
 * bytes into new {@link ByteBuffer}s of at most {@code chunkSize} bytes and writes them to the consumer, first waiting,
 * before each chunk, while the consumer has it paused (its buffer went above the high-water mark, which the consumer
 * says by returning {@code false} from {@code write} or by calling {@code pauseProducing}, whichever comes first) until
 * the consumer resumes it (the buffer drained to the low-water mark). So the consumer's buffer stays within its
 * high-water mark plus one chunk, however slow its sink. The consumer itself never blocks: the waiting happens here, on
 * the writing thread, by choice. The race between a {@code false} and a resume is {@link FlowControlledProducer}'s: the
 * stream waits in its {@link FlowControlledProducer#awaitWritable()}.
 *
 * <ul>
 *   <li>An interrupt while waiting throws {@link InterruptedIOException} (the interrupt status is kept); the chunks
 *       written before it stay written ({@link InterruptedIOException#bytesTransferred} counts their bytes).</li>
 *   <li>{@link #close()} unregisters from the consumer and, for a {@link BufferedConsumer}, calls
 *       {@link BufferedConsumer#loseConnection()}: the consumer closes once its buffer has been delivered. Writing
 *       after {@code close} throws {@link IOException}, and so does a write blocked when another thread closes the
 *       stream. A consumer that throws from {@code unregisterProducer} or {@code loseConnection} does not keep the
 *       stream open: it is closed, and the throwable goes to the caller of {@code close}.</li>
 *   <li>When the consumer has gone ({@code stopProducing}: its sink failed, it was aborted or lost), a blocked write
 *       wakes up and every write throws {@link IOException}.</li>
 *   <li>{@link #flush()} does nothing: the bytes have been handed to the consumer already.</li>
 * </ul>
 *
 * <p>One thread should write at a time, as with any {@code OutputStream}; {@code write(int)} makes a one-byte chunk,
 * so wrap the stream in a {@link java.io.BufferedOutputStream} for byte-at-a-time writers.
 */
public final class ConsumerOutputStream extends OutputStream implements PushProducer {

    private final Consumer<ByteBuffer> consumer;

    private final int chunkSize;

    /** Keeps the paused state and the waiting writer; no hooks: the writer waits in it instead. */
    private final FlowControlledProducer<ByteBuffer> flow;

    private volatile boolean closed;

    private ConsumerOutputStream(Consumer<ByteBuffer> consumer, int chunkSize) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        this.chunkSize = chunkSize;
        this.flow = FlowControlledProducer.builder(consumer).build();
    }

    /**
     * An output stream into {@code consumer}, registered with it as its push producer.
     *
     * @param consumer the consumer, with no producer registered
     * @param chunkSize the largest chunk handed to the consumer in one write, positive
     * @return the stream
     * @throws IllegalStateException if the consumer already has a producer
     */
    public static ConsumerOutputStream into(Consumer<ByteBuffer> consumer, int chunkSize) {
        ConsumerOutputStream stream = new ConsumerOutputStream(consumer, chunkSize);
        consumer.registerProducer(stream, true);
        return stream;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int written = 0;
        while (written < length) {
            awaitRunning(written);
            int size = Math.min(this.chunkSize, length - written);
            byte[] chunk = new byte[size];
            System.arraycopy(bytes, offset + written, chunk, 0, size);
            this.flow.write(ByteBuffer.wrap(chunk)); // a false pauses: the next chunk waits for the resume
            written += size;
        }
    }

    /** Does nothing: written bytes are in the consumer's hands already. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
    }

    @Override
    public void close() {
        if (this.closed) {
            return;
        }
        this.closed = true;
        try {
            this.consumer.unregisterProducer();
            if (this.consumer instanceof BufferedConsumer<ByteBuffer> buffered) {
                buffered.loseConnection();
            }
        }
        finally {
            this.flow.stopProducing(); // wakes a write blocked on another thread: it finds the stream closed
        }
    }

    /** The consumer's buffer is full: the next write waits. */
    @Override
    public void pauseProducing() {
        this.flow.pauseProducing();
    }

    /** The consumer's buffer has drained: a waiting write goes on. */
    @Override
    public void resumeProducing() {
        this.flow.resumeProducing();
    }

    /** The consumer has gone: a waiting write, and every later one, throws. */
    @Override
    public void stopProducing() {
        this.flow.stopProducing();
    }

    private void awaitRunning(int written) throws IOException {
        ensureOpen();
        boolean writable;
        try {
            writable = this.flow.awaitWritable();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException(
                    "Interrupted while consumer " + this.consumer + " had the stream paused");
            interrupted.bytesTransferred = written;
            throw interrupted;
        }
        ensureOpen();
        if (!writable) {
            throw new IOException("Consumer " + this.consumer + " has gone; the stream cannot be written");
        }
    }

    private void ensureOpen() throws IOException {
        if (this.closed) {
            throw new IOException("Stream into consumer " + this.consumer + " is closed");
        }
    }

    @Override
    public String toString() {
        return "ConsumerOutputStream[" + this.consumer + "]";
    }
}
