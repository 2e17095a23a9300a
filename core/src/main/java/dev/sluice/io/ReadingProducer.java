package dev.sluice.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;
import dev.sluice.internal.Log;

/**
 * Reads an {@link InputStream} or a blocking {@link ReadableByteChannel} as a {@link PullProducer}: each
 * {@code resumeProducing} reads one chunk (at most {@code chunkSize} bytes, in a new {@link ByteBuffer}) and writes it
 * into the consumer, so the source is read no faster than the consumer drains.
 *
 * <ul>
 *   <li>At the end of the source the producer closes it, unregisters from the consumer, and {@link #whenDone()}
 *       completes. Pair it with {@link dev.sluice.BufferedConsumer#loseConnection()} to close the consumer once the
 *       last chunk has been delivered.</li>
 *   <li>A read that fails closes the source, fails {@link #whenDone()}, and throws the failure (as an
 *       {@link UncheckedIOException}) out of {@code resumeProducing}: a {@link dev.sluice.BufferedConsumer} then loses
 *       its connection with it, so its {@code whenClosed()} fails too.</li>
 *   <li>{@code stopProducing} (the consumer has gone) closes the source; {@link #whenDone()} fails with a
 *       {@link java.util.concurrent.CancellationException}.</li>
 * </ul>
 *
 * <p>The read happens on the thread that asks for the chunk, the consumer's drain thread: a read that can block for
 * long (a socket, a pipe) calls for a consumer with its own drain executor. A non-blocking channel is refused, since a
 * pull producer that writes nothing is not asked again.
 */
public final class ReadingProducer implements PullProducer {

    private static final Log log = Log.of(ReadingProducer.class);

    /** The default chunk size, 16 KiB (Twisted's {@code FileSender.CHUNK_SIZE}). */
    public static final int DEFAULT_CHUNK_SIZE = 16 * 1024;

    private final ReadableByteChannel source;

    private final Consumer<ByteBuffer> consumer;

    private final int chunkSize;

    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private ReadingProducer(ReadableByteChannel source, Consumer<ByteBuffer> consumer, int chunkSize) {
        this.source = Objects.requireNonNull(source, "source");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        if (source instanceof SelectableChannel selectable && !selectable.isBlocking()) {
            throw new IllegalArgumentException("ReadingProducer needs a blocking channel; " + source
                    + " is in non-blocking mode");
        }
        this.chunkSize = chunkSize;
    }

    /**
     * A producer that reads {@code in} into {@code consumer} in chunks of at most {@code chunkSize} bytes.
     *
     * @param in the stream, closed at its end, on failure and on stop
     * @param consumer the consumer
     * @param chunkSize the largest chunk, positive
     * @return the producer, not yet registered: call {@link #start()}
     */
    public static ReadingProducer of(InputStream in, Consumer<ByteBuffer> consumer, int chunkSize) {
        return new ReadingProducer(Channels.newChannel(Objects.requireNonNull(in, "in")), consumer, chunkSize);
    }

    /**
     * A producer that reads the blocking channel {@code channel} into {@code consumer} in chunks of at most
     * {@code chunkSize} bytes.
     *
     * @param channel the channel, closed at its end, on failure and on stop
     * @param consumer the consumer
     * @param chunkSize the largest chunk, positive
     * @return the producer, not yet registered: call {@link #start()}
     * @throws IllegalArgumentException if the channel is a {@link SelectableChannel} in non-blocking mode
     */
    public static ReadingProducer of(ReadableByteChannel channel, Consumer<ByteBuffer> consumer, int chunkSize) {
        return new ReadingProducer(channel, consumer, chunkSize);
    }

    /**
     * Registers this producer with its consumer (as a pull producer), which asks for the first chunk at once.
     *
     * @return this producer
     */
    public ReadingProducer start() {
        this.consumer.registerProducer(this, false);
        return this;
    }

    /** Reads one chunk and writes it; at the end of the source, closes it and unregisters. */
    @Override
    public void resumeProducing() {
        if (this.done.isDone()) {
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocate(this.chunkSize);
        int read;
        try {
            do {
                read = this.source.read(chunk); // a blocking channel reads at least one byte; an empty chunk is not asked again
            } while (read == 0);
        }
        catch (IOException ex) {
            closeSource();
            this.done.completeExceptionally(ex);
            throw new UncheckedIOException("Reading " + this.source + " failed", ex);
        }
        if (read < 0) {
            closeSource();
            this.consumer.unregisterProducer();
            this.done.complete(null);
            return;
        }
        this.consumer.write(chunk.flip());
    }

    /** Closes the source. */
    @Override
    public void stopProducing() {
        closeSource();
        this.done.completeExceptionally(
                new java.util.concurrent.CancellationException("Consumer " + this.consumer + " stopped the reading"));
    }

    /**
     * Completes when the source has been read to its end, or fails with the read's failure or, when the consumer
     * stopped the producer, a {@link java.util.concurrent.CancellationException}. Each call returns a new future.
     */
    public CompletableFuture<Void> whenDone() {
        return this.done.copy();
    }

    private void closeSource() {
        try {
            this.source.close();
        }
        catch (IOException ex) {
            log.warn("Closing {} failed", this.source, ex);
        }
    }

    @Override
    public String toString() {
        return "ReadingProducer[" + this.source + "]";
    }
}
