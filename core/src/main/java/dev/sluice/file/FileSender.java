package dev.sluice.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * Sends a file, or any readable channel, to a byte consumer one chunk per request: Twisted's {@code FileSender}
 * (FS-1 to FS-7), a {@link PullProducer}.
 *
 * <h2>A transfer</h2>
 * {@link #beginFileTransfer} registers the sender with the consumer as a pull producer (FS-2) and returns a future.
 * Each {@link #resumeProducing()} reads one chunk ({@link #DEFAULT_CHUNK_SIZE} unless configured; the last may be
 * shorter), applies the optional transform and writes the result. The end of the data is found by a request that reads
 * nothing, so N chunks take N + 1 requests (FS-4); that request unregisters the sender from the consumer and completes
 * the future with the last byte sent after the transform, as a one-byte buffer, or an empty buffer for an empty file
 * (FS-3, FS-6). One sender makes one transfer.
 *
 * <h2>Stopping, failures and resources</h2>
 * {@link #stopProducing()} ends the transfer for good: the future fails with {@link FileTransferStoppedException} and
 * later requests do nothing (FS-5; Twisted's sender would go on reading). A read that fails ends the transfer the same
 * way with the {@link IOException}, after unregistering from the consumer. A file given as a {@link Path} is opened
 * by the sender and closed by it at the end, on stop and on failure; a channel given by the caller stays the caller's
 * and is never closed by the sender.
 *
 * <h2>Reads and buffers</h2>
 * A {@link FileChannel} is read with positional reads (from position 0 for a file the sender opens, from the
 * channel's position when it was given, which the sender does not move). Any other channel must be in blocking mode.
 * Each chunk is a new heap buffer handed over to the consumer, which owns it from then on; nothing is reused.
 *
 * <h2>Threads</h2>
 * The consumer's calls to one producer are serialized; {@link #stopProducing()} may in addition come from any thread
 * at any time, even during a read.
 */
public final class FileSender implements PullProducer {

    /** Twisted's {@code CHUNK_SIZE}: 16 KiB. */
    public static final int DEFAULT_CHUNK_SIZE = 16 * 1024;

    private static final Log LOG = Log.of(FileSender.class);

    private static final ByteBuffer NOTHING_SENT = ByteBuffer.allocate(0);

    /** Opens a file for reading; replaceable in tests to watch the channels opened. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path file) throws IOException;
    }

    private final int chunkSize;

    private final Opener opener;

    private final Object lock = new Object();

    // guarded by lock
    private @Nullable ReadableByteChannel channel;
    private boolean ownsChannel;
    private long position;
    private @Nullable Consumer<ByteBuffer> consumer;
    private @Nullable UnaryOperator<ByteBuffer> transform;
    private @Nullable CompletableFuture<ByteBuffer> result;
    private ByteBuffer lastSent = NOTHING_SENT;
    private boolean started;
    private boolean finished;

    /** A sender with 16 KiB chunks. */
    public FileSender() {
        this(DEFAULT_CHUNK_SIZE);
    }

    /**
     * A sender with the given chunk size.
     *
     * @param chunkSize bytes per chunk, positive
     */
    public FileSender(int chunkSize) {
        this(chunkSize, file -> FileChannel.open(file, StandardOpenOption.READ));
    }

    FileSender(int chunkSize, Opener opener) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        this.chunkSize = chunkSize;
        this.opener = opener;
    }

    /** The chunk size in bytes. */
    public int chunkSize() {
        return this.chunkSize;
    }

    /**
     * Sends {@code file} to {@code consumer}.
     *
     * @return a future of the last byte sent; failed with the {@link IOException} if the file cannot be opened (the
     *         sender is then not registered)
     * @see #beginFileTransfer(Path, Consumer, UnaryOperator)
     */
    public CompletableFuture<ByteBuffer> beginFileTransfer(Path file, Consumer<ByteBuffer> consumer) {
        return beginFileTransfer(file, consumer, null);
    }

    /**
     * Opens {@code file}, registers with {@code consumer} as a pull producer and sends the file, each chunk passed
     * through {@code transform} first. The sender closes the file.
     *
     * @param file the file
     * @param consumer the consumer
     * @param transform applied to each chunk before it is written, or null; it may return the same buffer
     * @return a future of the last byte sent; failed with the {@link IOException} if the file cannot be opened (the
     *         sender is then not registered)
     * @throws IllegalStateException if this sender has already begun a transfer, or the consumer already has a producer
     */
    public CompletableFuture<ByteBuffer> beginFileTransfer(Path file, Consumer<ByteBuffer> consumer,
            @Nullable UnaryOperator<ByteBuffer> transform) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(consumer, "consumer");
        claim();
        FileChannel opened;
        try {
            opened = this.opener.open(file);
        }
        catch (IOException ex) {
            return failedBeforeStart(ex);
        }
        return begin(opened, true, 0, consumer, transform);
    }

    /**
     * Sends what {@code channel} holds to {@code consumer}; the channel is not closed.
     *
     * @see #beginFileTransfer(ReadableByteChannel, Consumer, UnaryOperator)
     */
    public CompletableFuture<ByteBuffer> beginFileTransfer(ReadableByteChannel channel,
            Consumer<ByteBuffer> consumer) {
        return beginFileTransfer(channel, consumer, null);
    }

    /**
     * Registers with {@code consumer} as a pull producer and sends what {@code channel} holds, each chunk passed
     * through {@code transform} first. The channel stays the caller's: the sender never closes it. A
     * {@link FileChannel} is read with positional reads from its current position, which is not moved.
     *
     * @param channel the channel, in blocking mode
     * @param consumer the consumer
     * @param transform applied to each chunk before it is written, or null
     * @return a future of the last byte sent
     * @throws IllegalStateException if this sender has already begun a transfer, or the consumer already has a producer
     */
    public CompletableFuture<ByteBuffer> beginFileTransfer(ReadableByteChannel channel, Consumer<ByteBuffer> consumer,
            @Nullable UnaryOperator<ByteBuffer> transform) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(consumer, "consumer");
        claim();
        long start = 0;
        if (channel instanceof FileChannel file) {
            try {
                start = file.position();
            }
            catch (IOException ex) {
                return failedBeforeStart(ex);
            }
        }
        return begin(channel, false, start, consumer, transform);
    }

    /** A transfer that failed before it was registered: the sender is finished and never registers. */
    private CompletableFuture<ByteBuffer> failedBeforeStart(IOException failure) {
        synchronized (this.lock) {
            this.finished = true;
        }
        return CompletableFuture.failedFuture(failure);
    }

    private void claim() {
        synchronized (this.lock) {
            if (this.started) {
                throw new IllegalStateException("a FileSender makes one transfer; this one has begun already");
            }
            this.started = true;
        }
    }

    private CompletableFuture<ByteBuffer> begin(ReadableByteChannel source, boolean owned, long start,
            Consumer<ByteBuffer> target, @Nullable UnaryOperator<ByteBuffer> chunkTransform) {
        CompletableFuture<ByteBuffer> future = new CompletableFuture<>();
        synchronized (this.lock) {
            this.channel = source;
            this.ownsChannel = owned;
            this.position = start;
            this.consumer = target;
            this.transform = chunkTransform;
            this.result = future;
        }
        try {
            target.registerProducer(this, false); // may call resumeProducing at once
        }
        catch (RuntimeException ex) {
            finish(ex, false);
            throw ex;
        }
        return future;
    }

    /**
     * Reads one chunk and writes it; at the end of the data, unregisters and completes the future; after a failed read,
     * closes, unregisters and fails the future with the {@link IOException}.
     */
    @Override
    public void resumeProducing() {
        ByteBuffer chunk;
        IOException failure = null;
        Consumer<ByteBuffer> target;
        UnaryOperator<ByteBuffer> chunkTransform;
        synchronized (this.lock) {
            if (this.finished || this.consumer == null) {
                return; // before begin, or after the end, a stop or a failure: terminal
            }
            target = this.consumer;
            chunkTransform = this.transform;
            try {
                chunk = readChunk();
            }
            catch (IOException ex) {
                LOG.debug("FileSender read failed: {}", ex.toString());
                failure = ex;
                chunk = null;
            }
        }
        if (chunk == null || !chunk.hasRemaining()) {
            finish(failure, true); // FS-3: the end of the data, or a failed read
            return;
        }
        if (chunkTransform != null) {
            chunk = Objects.requireNonNull(chunkTransform.apply(chunk), "transform returned null");
        }
        if (chunk.hasRemaining()) {
            ByteBuffer last = ByteBuffer.wrap(new byte[] {chunk.get(chunk.limit() - 1)}).asReadOnlyBuffer();
            synchronized (this.lock) {
                this.lastSent = last;
            }
        }
        target.write(chunk);
    }

    /** Ends the transfer for good; the future fails with {@link FileTransferStoppedException} (FS-5). */
    @Override
    public void stopProducing() {
        finish(new FileTransferStoppedException(), false);
    }

    /** Whether the transfer has ended: the data ran out, it was stopped or it failed. */
    public boolean isFinished() {
        synchronized (this.lock) {
            return this.finished;
        }
    }

    /** Reads up to a chunk; an empty buffer at the end of the data. */
    private ByteBuffer readChunk() throws IOException {
        ReadableByteChannel source = this.channel;
        ByteBuffer chunk = ByteBuffer.allocate(this.chunkSize);
        if (source == null) {
            return chunk.flip();
        }
        while (chunk.hasRemaining()) {
            int read = (source instanceof FileChannel file) ? file.read(chunk, this.position) : source.read(chunk);
            if (read < 0) {
                break;
            }
            if (read == 0) {
                throw new IOException("FileSender needs a blocking channel: " + source + " returned no data");
            }
            this.position += read;
        }
        return chunk.flip();
    }

    /**
     * Ends the transfer unless it has ended: closes what the sender opened, then (outside the lock) unregisters from
     * the consumer at the end of the data and completes the future.
     */
    private void finish(@Nullable Throwable failure, boolean endOfData) {
        CompletableFuture<ByteBuffer> future;
        Consumer<ByteBuffer> target;
        ByteBuffer last;
        synchronized (this.lock) {
            if (this.finished) {
                return;
            }
            this.finished = true;
            closeLocked();
            future = this.result;
            target = this.consumer;
            last = this.lastSent;
            this.result = null;
            this.consumer = null;
        }
        if (endOfData && target != null) {
            target.unregisterProducer(); // FS-3: unregister, then complete
        }
        if (future != null) {
            if (failure != null) {
                future.completeExceptionally(failure);
            }
            else {
                future.complete(last);
            }
        }
    }

    private void closeLocked() {
        ReadableByteChannel source = this.channel;
        this.channel = null;
        if (source != null && this.ownsChannel) {
            try {
                source.close();
            }
            catch (IOException ex) {
                LOG.warn("FileSender could not close {}", source, ex);
            }
        }
    }

    @Override
    public String toString() {
        synchronized (this.lock) {
            return "FileSender[chunk " + this.chunkSize + ", " + (this.finished ? "finished"
                    : this.started ? "sending" : "not started") + "]";
        }
    }
}
