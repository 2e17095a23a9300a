package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;

import dev.sluice.BufferedConsumer;
import dev.sluice.file.FileTransferStoppedException;

/**
 * A push producer of {@linkplain Segment segments}: regions {@code [from, to)} of an open file, and literal bytes
 * between them (the part headers of a {@code multipart/byteranges} body). File bytes are read in chunks on a shared
 * {@link Executor} (the application's {@link FileReads}) and written into a byte consumer until the consumer's buffer
 * is full; the pause that follows stops the reads, the resume starts them again. A read task
 * writes at most {@value #CHUNKS_PER_TURN} chunks, then queues itself again behind other transfers.
 *
 * <p>Chunks are taken from the {@link ChunkPool} of all transfers, to which the sink gives them back once the
 * container has copied their bytes, so transfers allocate only what they have in flight. A client that keeps up
 * ({@value #KEPT_UP_TO_GROW} chunks in a row go through without being buffered, or the sink advises a larger read: {@link
 * ServletOutputConsumer#readSizeHint()}) gets chunks of up to {@value #GROWTH} times the configured size, so it costs
 * fewer reads, writes and hand-offs per byte, as long as the consumer still holds at most its high-water mark plus
 * one configured chunk; the first write the consumer refuses brings the chunk size back down.
 *
 * <p>The file's size is checked against the size the transfer started with: a read that finds the end of the file
 * early, or a smaller size once the last chunk is read, fails the transfer with a {@link FileChangedException}
 * before that last chunk is written, so a file that shrinks never yields a complete-looking body. A file that grows
 * (a log being appended to) is sent as it was announced: the bytes up to the size it had, intact.
 *
 * <p>The {@link #start() future} completes when the last chunk has been written and the producer has unregistered;
 * it fails with the read's exception, with whatever the read executor throws instead of taking a read (a
 * {@code RejectedExecutionException} once it is shut down, or anything else), or with a
 * {@link FileTransferStoppedException} when the consumer stops the producer. The file is closed in every case.
 */
final class FileRegionProducer extends FileChannelProducer {

    static final int CHUNKS_PER_TURN = 16;

    /** How many times the configured chunk size a client that keeps up gets per read. */
    static final int GROWTH = 4;

    /**
     * How many writes in a row must go through unbuffered before the reads double: a slow client whose socket takes a
     * write or two each time it has read some (Jetty is then ready at once) is not a client that keeps up, and a grown
     * read it got would be held while it reads it.
     */
    static final int KEPT_UP_TO_GROW = 4;

    private final List<Segment> segments;

    private final int chunkSize;

    private final ChunkPool pool;

    private final IntSupplier readSizeHint;

    /** Read task only: the segment being sent. */
    private int segment;

    /** Read task only: the next file byte of the segment being sent, if it is a file region. */
    private long position;

    /** Read task only: the size of the next read, from {@link #chunkSize} up to {@value #GROWTH} times it. */
    private int readSize;

    /** Read task only: how many writes in a row went through without being buffered. */
    private int keptUp;

    FileRegionProducer(Path file, FileChannel channel, long expectedSize, long from, long to, int chunkSize,
            ChunkPool pool, Executor reads, BufferedConsumer<ByteBuffer> consumer) {
        this(file, channel, expectedSize, List.of(Segment.region(from, to)), chunkSize, pool, reads, consumer);
    }

    FileRegionProducer(Path file, FileChannel channel, long expectedSize, List<Segment> segments, int chunkSize,
            ChunkPool pool, Executor reads, BufferedConsumer<ByteBuffer> consumer) {
        this(file, channel, expectedSize, segments, chunkSize, pool, reads, consumer, () -> 0);
    }

    /**
     * @param readSizeHint the sink's advice on the size of the next read (0 for none), followed as far as the
     * consumer's high-water mark plus one chunk allows: {@link ServletOutputConsumer#readSizeHint()}
     */
    FileRegionProducer(Path file, FileChannel channel, long expectedSize, List<Segment> segments, int chunkSize,
            ChunkPool pool, Executor reads, BufferedConsumer<ByteBuffer> consumer, IntSupplier readSizeHint) {
        super(file, channel, expectedSize, reads, CHUNKS_PER_TURN, consumer);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("Nothing to send of " + file);
        }
        this.segments = List.copyOf(segments);
        this.position = this.segments.get(0).from();
        this.chunkSize = chunkSize;
        this.readSize = chunkSize;
        this.pool = pool;
        this.readSizeHint = readSizeHint;
    }

    @Override
    boolean complete() {
        return this.segment == this.segments.size();
    }

    @Override
    void written(boolean more) {
        if (!more || this.consumer.bufferedUnits() > 0) {
            this.readSize = this.chunkSize; // the write waits in the buffer: back to one chunk
            this.keptUp = 0;
        }
        else if (++this.keptUp >= KEPT_UP_TO_GROW && this.readSize < this.chunkSize * GROWTH) {
            this.readSize = Math.min(this.readSize * 2, this.chunkSize * GROWTH); // the client keeps up
            this.keptUp = 0;
        }
    }

    /** The next chunk: a segment's literal bytes, or a read of its file region; moves to the next segment. */
    @Override
    ByteBuffer next() throws IOException {
        Segment current = this.segments.get(this.segment);
        ByteBuffer bytes = current.bytes();
        if (bytes != null) {
            nextSegment();
            return bytes.duplicate();
        }
        int length = (int) Math.min(readLength(), current.to() - this.position);
        // a pooled buffer: a chunk for a read of up to a chunk, a grown one for a longer read
        ByteBuffer chunk = this.pool.take(Math.max(length, this.chunkSize)).limit(length);
        while (chunk.hasRemaining()) {
            if (this.channel.read(chunk, this.position + chunk.position()) < 0) {
                throw new FileChangedException(this.file, this.expectedSize, this.channel.size());
            }
        }
        this.position += length;
        if (this.position == current.to()) {
            nextSegment();
            if (this.segment == this.segments.size()) {
                long size = this.channel.size();
                if (size < this.expectedSize) { // shrunk: what was sent may mix two versions; grown is fine
                    throw new FileChangedException(this.file, this.expectedSize, size);
                }
            }
        }
        return chunk.flip();
    }

    private void nextSegment() {
        this.segment++;
        if (this.segment < this.segments.size()) {
            this.position = this.segments.get(this.segment).from();
        }
    }

    /**
     * The next read's length: a grown chunk only as far as it keeps the consumer within its high-water mark plus one
     * configured chunk, the most a transfer ever holds (only this producer adds to the buffer, so it cannot grow
     * before the write).
     */
    private int readLength() {
        int wanted = Math.max(this.readSize, this.readSizeHint.getAsInt());
        if (wanted <= this.chunkSize) {
            return this.chunkSize;
        }
        long room = this.consumer.highWaterMark() + this.chunkSize - this.consumer.bufferedUnits();
        return (int) Math.max(this.chunkSize, Math.min(wanted, room));
    }

    @Override
    public String toString() {
        return "FileRegionProducer[" + this.file + ", " + this.segments.size() + " segment(s)]";
    }

    /**
     * A part of the body: the file's bytes {@code [from, to)}, or literal {@code bytes}.
     *
     * @param bytes the literal bytes, or {@code null} for a file region
     * @param from the region's first byte
     * @param to the byte after the region's last
     */
    record Segment(@org.jspecify.annotations.Nullable ByteBuffer bytes, long from, long to) {

        static Segment region(long from, long to) {
            if (from >= to) {
                throw new IllegalArgumentException("An empty region: [" + from + ", " + to + ")");
            }
            return new Segment(null, from, to);
        }

        static Segment literal(byte[] bytes) {
            return new Segment(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), 0, 0);
        }

        /** How many bytes of the body this segment is. */
        long length() {
            return (this.bytes != null) ? this.bytes.remaining() : this.to - this.from;
        }
    }
}
