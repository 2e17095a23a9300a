package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A stream over bytes in memory (W2-S2). The first read returns all remaining bytes as one chunk; the next returns
 * the end of the stream. Chunks share memory with the source: the stream takes the bytes it is given, as
 * {@link dev.sluice.Consumer#write} does, and the caller must not modify them afterwards.
 */
public final class MemoryStream extends SimpleStream {

    private @Nullable ByteBuffer memory;

    /**
     * A stream over the remaining bytes of {@code data} (its position to its limit).
     *
     * @param data the bytes; the stream takes them
     */
    public MemoryStream(ByteBuffer data) {
        this(data.slice(), 0, data.remaining());
    }

    /**
     * A stream over all of {@code data}.
     *
     * @param data the bytes; the stream takes them
     */
    public MemoryStream(byte[] data) {
        this(data, 0, data.length);
    }

    /**
     * A stream over {@code length} bytes of {@code data} from {@code start}.
     *
     * @param data the bytes; the stream takes them
     * @param start the first byte
     * @param length how many bytes
     * @throws IllegalArgumentException if {@code start} or {@code length} is negative or
     *         {@code start + length > data.length} (Twisted checks only {@code length}; Sluice checks the end)
     */
    public MemoryStream(byte[] data, int start, int length) {
        this(ByteBuffer.wrap(data), start, length);
    }

    private MemoryStream(ByteBuffer memory, long start, long length) {
        super(start, length);
        if (start + length > memory.capacity()) {
            throw new IllegalArgumentException("start (" + start + ") + length (" + length + ") > size of the data ("
                    + memory.capacity() + ")");
        }
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    @Override
    SimpleStream region(long start, long length) {
        ByteBuffer source = this.memory;
        return (source != null) ? new MemoryStream(source, start, length) : empty();
    }

    @Override
    public CompletionStage<@Nullable ByteBuffer> read() {
        ByteBuffer source = this.memory;
        if (source == null || this.length == 0) {
            close();
            return StreamInternals.end();
        }
        ByteBuffer chunk = source.slice((int) this.start, (int) this.length);
        close();
        return StreamInternals.of(chunk);
    }

    @Override
    public void close() {
        super.close();
        this.memory = null;
    }
}
