package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntUnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * A stream that reads lines and exact byte counts from another (W2-B1). What it reads beyond a line or a count stays
 * buffered and is returned first by the next operation, {@link #read()} included.
 *
 * <p>One operation at a time: starting a read while another is pending throws {@link IllegalStateException}.
 */
public final class BufferedStream implements ByteStream {

    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ByteStream source;
    private byte[] buffer = new byte[0];
    private int from;
    private int to;
    private boolean ended;
    private boolean reading;

    /**
     * Buffers {@code source}.
     *
     * @param source the stream to read; this stream takes it
     */
    public BufferedStream(ByteStream source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Reads up to and including the next {@code "\r\n"}, with no size limit. See {@link #readLine(byte[], int)}.
     *
     * @return the line including its delimiter
     */
    public CompletionStage<ByteBuffer> readLine() {
        return readLine(CRLF, Integer.MAX_VALUE);
    }

    /**
     * Reads up to and including the next {@code "\r\n"}, at most {@code maxSize} bytes. See
     * {@link #readLine(byte[], int)}.
     *
     * @param maxSize the most bytes to return
     * @return the line including its delimiter
     * @throws IllegalArgumentException if {@code maxSize} is negative
     */
    public CompletionStage<ByteBuffer> readLine(int maxSize) {
        return readLine(CRLF, maxSize);
    }

    /**
     * Reads up to and including the next {@code delimiter}, at most {@code maxSize} bytes. The limit may cut inside
     * the delimiter: the next line then starts with the rest of it. At the end of the source the rest of the data is
     * returned, without delimiter, and once everything has been returned, an empty buffer.
     *
     * @param delimiter the line end, not empty
     * @param maxSize the most bytes to return; 0 returns an empty buffer
     * @return the line including its delimiter
     * @throws IllegalArgumentException if {@code maxSize} is negative or the delimiter is empty
     * @throws IllegalStateException if another read is pending
     */
    public CompletionStage<ByteBuffer> readLine(byte[] delimiter, int maxSize) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("line size limit (" + maxSize + ") must be >= 0");
        }
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("line delimiter must not be empty");
        }
        byte[] delim = delimiter.clone();
        return readUntil(available -> {
            int at = indexOf(delim, available);
            int lineEnd = (at >= 0) ? at + delim.length : -1;
            if (lineEnd >= 0 && lineEnd <= maxSize) {
                return lineEnd;
            }
            return (available >= maxSize) ? maxSize : -1;
        });
    }

    /**
     * Reads everything up to the end of the source.
     *
     * @return all the remaining bytes
     * @throws IllegalStateException if another read is pending
     */
    public CompletionStage<ByteBuffer> readExactly() {
        return readUntil(available -> -1);
    }

    /**
     * Reads exactly {@code size} bytes, or fewer only when the source ends first.
     *
     * @param size how many bytes
     * @return the bytes
     * @throws IllegalArgumentException if {@code size} is negative
     * @throws IllegalStateException if another read is pending
     */
    public CompletionStage<ByteBuffer> readExactly(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size (" + size + ") must be >= 0");
        }
        return readUntil(available -> (available >= size) ? size : -1);
    }

    /** {@inheritDoc} Buffered bytes come first, as one chunk; then the source's chunks. */
    @Override
    public CompletionStage<@Nullable ByteBuffer> read() {
        checkIdle();
        if (this.to > this.from) {
            return StreamInternals.of(take(this.to - this.from));
        }
        return this.source.read();
    }

    @Override
    public OptionalLong length() {
        OptionalLong rest = this.source.length();
        return rest.isPresent() ? OptionalLong.of(rest.getAsLong() + (this.to - this.from)) : rest;
    }

    /** {@inheritDoc} A {@link ByteStream#fallbackSplit} of this stream. */
    @Override
    public Split split(long point) {
        return ByteStream.fallbackSplit(this, point);
    }

    @Override
    public void close() {
        this.buffer = new byte[0];
        this.from = 0;
        this.to = 0;
        this.source.close();
    }

    /**
     * Reads until {@code cut} finds where to cut the buffered bytes, or the source ends.
     *
     * @param cut given the number of bytes buffered, returns how many to take, or -1 to read more
     */
    private CompletionStage<ByteBuffer> readUntil(IntUnaryOperator cut) {
        checkIdle();
        int at = cut.applyAsInt(this.to - this.from);
        if (at >= 0 || this.ended) {
            return CompletableFuture.completedStage(take((at >= 0) ? at : this.to - this.from));
        }
        this.reading = true;
        CompletableFuture<ByteBuffer> result = new CompletableFuture<>();
        new ReadLoop() {
            @Override
            CompletionStage<@Nullable ByteBuffer> nextRead() {
                return BufferedStream.this.source.read();
            }

            @Override
            boolean onChunk(@Nullable ByteBuffer chunk) {
                int end;
                if (chunk == null) {
                    BufferedStream.this.ended = true;
                    end = BufferedStream.this.to - BufferedStream.this.from;
                }
                else {
                    append(chunk);
                    end = cut.applyAsInt(BufferedStream.this.to - BufferedStream.this.from);
                    if (end < 0) {
                        return true;
                    }
                }
                BufferedStream.this.reading = false;
                result.complete(take(end));
                return false;
            }

            @Override
            void failed(Throwable failure) {
                BufferedStream.this.reading = false;
                result.completeExceptionally(failure);
            }
        }.run();
        return result;
    }

    private void checkIdle() {
        if (this.reading) {
            throw new IllegalStateException("Call to read while read is already outstanding");
        }
    }

    private void append(ByteBuffer chunk) {
        int size = chunk.remaining();
        if (this.buffer.length - this.to < size) {
            int used = this.to - this.from;
            int needed = Math.addExact(used, size);
            byte[] target = this.buffer;
            if (needed > target.length) {
                target = new byte[(int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8, 2L * target.length))];
            }
            System.arraycopy(this.buffer, this.from, target, 0, used);
            this.buffer = target;
            this.from = 0;
            this.to = used;
        }
        chunk.get(this.buffer, this.to, size);
        this.to += size;
    }

    private ByteBuffer take(int size) {
        ByteBuffer out = ByteBuffer.wrap(Arrays.copyOfRange(this.buffer, this.from, this.from + size));
        this.from += size;
        if (this.from == this.to) {
            this.from = 0;
            this.to = 0;
        }
        return out;
    }

    private int indexOf(byte[] delimiter, int available) {
        int last = this.from + available - delimiter.length;
        outer:
        for (int i = this.from; i <= last; i++) {
            for (int j = 0; j < delimiter.length; j++) {
                if (this.buffer[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i - this.from;
        }
        return -1;
    }
}
