package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.Executor;

import dev.sluice.BufferedConsumer;
import dev.sluice.file.FileTransferStoppedException;
import dev.sluice.internal.Log;

/**
 * A push producer of one file region {@code [from, to)} as memory-mapped slices of at most {@value #SLICE_BYTES}
 * bytes, for a consumer whose sink writes them to the socket by reference ({@link MappedFileOutput}): no byte of the
 * file is copied into the heap, and no Java code reads the mapping. Each slice is mapped on the shared
 * {@link Executor} (the application's {@link FileReads}) once the consumer has room, that is once the previous slice
 * has been handed to the container; a pause stops the mapping, a resume starts it again. A last slice shorter than
 * {@value #MIN_SLICE_BYTES} bytes is merged into the one before it.
 *
 * <p>A mapping past the end of a file that shrank faults when read, so the file's size is checked against the size
 * the transfer started with before each slice is mapped: a smaller file fails the transfer with a
 * {@link FileChangedException} before anything more is written. A file that shrinks while the container writes a slice
 * makes that socket write fail ({@code EFAULT}); the consumer then loses its connection and stops this producer, which
 * checks the size again and fails with a {@link FileChangedException} rather than a stop. A file that grows is sent as
 * announced.
 *
 * <p>The {@link #start() future} completes when the last slice has been written and the producer has unregistered;
 * it fails with a {@link FileChangedException}, the mapping's {@link IOException}, whatever the executor throws
 * instead of taking the task, or a {@link FileTransferStoppedException} when the consumer stops the producer. The file
 * is closed in every case; the mappings are released when the garbage collector reclaims their buffers.
 */
final class MappedRegionProducer extends FileChannelProducer {

    /** The most bytes mapped at once per transfer. */
    static final int SLICE_BYTES = 4 * 1024 * 1024;

    /** The fewest bytes of a slice (but of a region that is smaller). */
    static final int MIN_SLICE_BYTES = 64 * 1024;

    private static final Log log = Log.of(MappedRegionProducer.class);

    private final long to;

    /** Mapping task only: the next byte to map. */
    private long position;

    MappedRegionProducer(Path file, FileChannel channel, long expectedSize, long from, long to, Executor executor,
            BufferedConsumer<ByteBuffer> consumer) {
        super(file, channel, expectedSize, executor, Integer.MAX_VALUE, consumer);
        if (from >= to) {
            throw new IllegalArgumentException("An empty region of " + file + ": [" + from + ", " + to + ")");
        }
        this.position = from;
        this.to = to;
    }

    @Override
    boolean complete() {
        return this.position == this.to;
    }

    /** Maps the next slice, once the file is known to be no smaller than announced. */
    @Override
    ByteBuffer next() throws IOException {
        long size = this.channel.size();
        if (size < this.expectedSize) {
            throw new FileChangedException(this.file, this.expectedSize, size);
        }
        long length = Math.min(SLICE_BYTES, this.to - this.position);
        if (this.to - this.position - length < MIN_SLICE_BYTES) {
            length = this.to - this.position; // no short last slice: at most SLICE_BYTES + MIN_SLICE_BYTES
        }
        ByteBuffer slice = this.channel.map(FileChannel.MapMode.READ_ONLY, this.position, length);
        this.position += length;
        return slice;
    }

    /**
     * Why the producer stopped: the file shrank (a socket write from its mapping failed, and the consumer lost its
     * connection), or the consumer stopped it.
     */
    @Override
    Exception stopped() {
        try {
            long size = this.channel.size();
            if (size < this.expectedSize) {
                return new FileChangedException(this.file, this.expectedSize, size);
            }
        }
        catch (IOException ex) {
            log.debug("The size of {} could not be read: {}", this.file, ex.toString());
        }
        return new FileTransferStoppedException();
    }

    @Override
    public String toString() {
        return "MappedRegionProducer[" + this.file + ", " + (this.to - this.position) + " bytes left]";
    }
}
