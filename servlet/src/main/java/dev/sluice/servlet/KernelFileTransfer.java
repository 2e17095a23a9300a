package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.PushProducer;
import dev.sluice.Sink;
import dev.sluice.file.FileTransferStoppedException;
import org.jspecify.annotations.Nullable;

/**
 * A file region sent by the container's sendfile, as the registry sees it: a push producer registered with a consumer
 * whose sink takes everything at once, so that the consumer's sent count (and its meters, and the producer's units
 * written) follow the kernel's progress. Every {@value #POLL_MILLIS} ms the transfer's {@link KernelFileSender.Transfer}
 * is read and the bytes the kernel has sent since are written into the consumer as stand-in buffers of zeros, which
 * the sink drops: nothing is buffered, nothing is copied.
 *
 * <p>What the registry cannot show of a kernel transfer: a buffer (there is none; the socket is the consumer), a
 * pause (the kernel sends as fast as the client reads: {@link #pauseProducing()} does nothing, and an operator's hold
 * does not slow it) and progress finer than the poll. What it shows: the bytes sent, the end, and how it ended.
 * {@link #stopProducing()} (an operator's stop) closes the connection: the client gets fewer bytes than announced.
 *
 * <p>The {@link #start() future} completes when the kernel has sent the last byte, and fails with a
 * {@link FileTransferStoppedException} when stopped, a {@link FileChangedException} when the connection closed early
 * and the file has shrunk, or an {@link IOException} saying the connection closed (the client went away).
 */
final class KernelFileTransfer implements PushProducer, KernelFileSender.Progress {

    static final long POLL_MILLIS = 100;

    /** What the stand-in buffers are cut from: read-only, never written. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocate(64 * 1024).asReadOnlyBuffer();

    private final Path file;

    private final long expectedSize;

    private final long length;

    private final BufferedConsumer<ByteBuffer> consumer;

    private final ScheduledExecutorService watch;

    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private volatile KernelFileSender.@Nullable Transfer transfer;

    private volatile boolean stopped;

    private volatile @Nullable ScheduledFuture<?> polling;

    /** Poll task only: the bytes already written into the consumer. */
    private long reported;

    KernelFileTransfer(Path file, long expectedSize, long length, BufferedConsumer<ByteBuffer> consumer,
            ScheduledExecutorService watch) {
        this.file = file;
        this.expectedSize = expectedSize;
        this.length = length;
        this.consumer = consumer;
        this.watch = watch;
    }

    /** The consumer's sink: takes every stand-in buffer at once. */
    static Sink<ByteBuffer> countingSink() {
        return item -> {
            item.position(item.limit());
            return true;
        };
    }

    /** Registers with the consumer; the transfer runs once the container has {@linkplain #started taken} it. */
    CompletableFuture<Void> start() {
        this.consumer.registerProducer(this, true);
        return this.finished;
    }

    @Override
    public void started(KernelFileSender.Transfer taken) {
        this.transfer = taken;
        if (this.stopped) {
            taken.abort();
        }
        this.polling = this.watch.scheduleWithFixedDelay(this::poll, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void notStarted(Throwable why) {
        end(why);
    }

    private void poll() {
        KernelFileSender.Transfer current = this.transfer;
        if (current == null || this.finished.isDone()) {
            return;
        }
        long remaining = current.remaining();
        boolean closed = current.connectionClosed();
        report(this.length - remaining);
        if (remaining == 0) {
            end(null);
        }
        else if (closed) {
            end(why());
        }
    }

    private Throwable why() {
        if (this.stopped) {
            return new FileTransferStoppedException();
        }
        try {
            long size = Files.size(this.file);
            if (size < this.expectedSize) {
                return new FileChangedException(this.file, this.expectedSize, size);
            }
        }
        catch (IOException ex) {
            return ex;
        }
        return new IOException("The connection closed after " + this.reported + " of " + this.length
                + " bytes: the client went away");
    }

    /** Writes stand-ins for the bytes the kernel sent since the last poll. */
    private void report(long sent) {
        long delta = sent - this.reported;
        while (delta > 0) {
            int part = (int) Math.min(delta, ZEROS.capacity());
            this.consumer.write(ZEROS.duplicate().limit(part));
            delta -= part;
        }
        this.reported = Math.max(this.reported, sent);
    }

    private void end(@Nullable Throwable failure) {
        ScheduledFuture<?> task = this.polling;
        if (task != null) {
            task.cancel(false);
        }
        if (failure == null) {
            this.finished.complete(null);
        }
        else {
            this.finished.completeExceptionally(failure);
        }
    }

    /** The bytes the kernel has sent, as of the last poll. */
    long sent() {
        return this.reported;
    }

    @Override
    public void pauseProducing() {
        // the kernel cannot be paused: it sends as fast as the client reads
    }

    @Override
    public void resumeProducing() {
    }

    @Override
    public void stopProducing() {
        this.stopped = true;
        KernelFileSender.Transfer current = this.transfer;
        if (current != null) {
            current.abort();
        }
    }

    @Override
    public String toString() {
        return "KernelFileTransfer[" + this.file + ", " + this.length + " bytes by sendfile]";
    }
}
