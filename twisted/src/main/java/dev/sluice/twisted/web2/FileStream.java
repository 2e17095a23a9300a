package dev.sluice.twisted.web2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A stream over a region of a file, read in chunks (W2-S3). Each {@link #read()} reads up to the chunk size at the
 * stream's own position, on the calling thread, and returns it as an already completed stage; the channel's position
 * is neither used nor changed, so several streams (the halves of a split) can share one channel.
 *
 * <p>The stream does not own the channel: {@link #close()} and the end of the stream leave it open, as in Twisted.
 * When the file is shorter than the declared length, the read that finds no more data fails with an
 * {@link IllegalStateException} naming the missing byte count. An {@link IOException} fails the read's stage. Twisted's
 * mmap path is not ported: positional channel reads serve every size.
 */
public final class FileStream extends SimpleStream {

    /** The default chunk size, 16 KiB, the same as {@code sluice.file.chunk-size}. */
    public static final int DEFAULT_CHUNK_SIZE = 16 * 1024;

    private @Nullable FileChannel channel;
    private final int chunkSize;

    /**
     * A stream over the whole file.
     *
     * @param channel the file; the caller keeps it and closes it
     * @throws IOException if the file's size cannot be read
     */
    public FileStream(FileChannel channel) throws IOException {
        this(channel, 0);
    }

    /**
     * A stream over the file from {@code start} to its current end. (Twisted takes the whole file size as the length
     * whatever the start; Sluice subtracts the start.)
     *
     * @param channel the file; the caller keeps it and closes it
     * @param start the first byte
     * @throws IOException if the file's size cannot be read
     * @throws IllegalArgumentException if {@code start} is negative or past the end of the file
     */
    public FileStream(FileChannel channel, long start) throws IOException {
        this(channel, start, remainder(channel, start), DEFAULT_CHUNK_SIZE);
    }

    /**
     * A stream over {@code length} bytes of the file from {@code start}, read {@code chunkSize} bytes at a time. The
     * region may extend past the current end of the file (it may still grow); reading fails where data is missing.
     *
     * @param channel the file; the caller keeps it and closes it
     * @param start the first byte
     * @param length how many bytes
     * @param chunkSize the largest chunk a read returns
     * @throws IllegalArgumentException if {@code start} or {@code length} is negative, their sum overflows, or
     *         {@code chunkSize} is not positive
     */
    public FileStream(FileChannel channel, long start, long length, int chunkSize) {
        super(start, length);
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size (" + chunkSize + ") must be positive");
        }
        if (start + length < 0) {
            throw new IllegalArgumentException("start (" + start + ") + length (" + length + ") overflows");
        }
        this.channel = Objects.requireNonNull(channel, "channel");
        this.chunkSize = chunkSize;
    }

    private static long remainder(FileChannel channel, long start) throws IOException {
        long size = channel.size();
        if (start < 0 || start > size) {
            throw new IllegalArgumentException("start (" + start + ") is outside the file (size " + size + ")");
        }
        return size - start;
    }

    @Override
    SimpleStream region(long start, long length) {
        FileChannel source = this.channel;
        return (source != null) ? new FileStream(source, start, length, this.chunkSize) : empty();
    }

    @Override
    public CompletionStage<@Nullable ByteBuffer> read() {
        FileChannel source = this.channel;
        if (source == null || this.length == 0) {
            close();
            return StreamInternals.end();
        }
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(this.length, this.chunkSize));
        try {
            while (chunk.hasRemaining()) {
                int n = source.read(chunk, this.start + chunk.position());
                if (n <= 0) {
                    break;
                }
            }
        }
        catch (IOException ex) {
            return StreamInternals.failed(ex);
        }
        if (chunk.position() == 0) {
            return StreamInternals.failed(new IllegalStateException("Ran out of data reading file " + source
                    + " at position " + this.start + ", expected " + this.length + " more bytes"));
        }
        chunk.flip();
        this.start += chunk.remaining();
        this.length -= chunk.remaining();
        return StreamInternals.of(chunk);
    }

    @Override
    public void close() {
        super.close();
        this.channel = null;
    }
}
