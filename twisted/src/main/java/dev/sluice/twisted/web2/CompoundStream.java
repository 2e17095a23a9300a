package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * Several streams read one after another as one (W2-S4).
 *
 * <ul>
 *   <li>{@link #length()} is the sum of the parts' lengths, unknown if any part's is.</li>
 *   <li>{@link #read()} reads the first part; a part at its end is dropped and the next one read. A second read while
 *       one is pending throws {@link IllegalStateException}.</li>
 *   <li>When a part fails (a failed stage, or an exception thrown by its {@code read()}), the read's stage fails,
 *       the failing part is dropped, every remaining part is closed and the length becomes 0. Twisted returns a
 *       Failure object from {@code read()} for a synchronous exception; Sluice always returns a failed stage.</li>
 *   <li>{@link #split(long)} splits at part boundaries, splitting the part that holds the split point; it falls back
 *       to {@link ByteStream#fallbackSplit} when a part of unknown length comes before the split point.</li>
 * </ul>
 */
public final class CompoundStream implements ByteStream {

    private final ArrayDeque<ByteStream> parts = new ArrayDeque<>();
    private long length;
    private boolean reading;

    /** An empty compound stream; add parts with {@link #add(ByteStream)}. */
    public CompoundStream() {
    }

    /**
     * A compound stream of {@code parts}, in order.
     *
     * @param parts the streams; the compound stream takes them
     */
    public CompoundStream(List<? extends ByteStream> parts) {
        parts.forEach(this::add);
    }

    /**
     * Appends a stream.
     *
     * @param part the stream; the compound stream takes it
     * @return this stream
     */
    public CompoundStream add(ByteStream part) {
        Objects.requireNonNull(part, "part");
        this.parts.addLast(part);
        long partLength = part.length().orElse(StreamInternals.UNKNOWN);
        this.length = (this.length < 0 || partLength < 0) ? StreamInternals.UNKNOWN : this.length + partLength;
        return this;
    }

    /**
     * Appends bytes, as a {@link MemoryStream}.
     *
     * @param data the bytes; the compound stream takes them
     * @return this stream
     */
    public CompoundStream add(byte[] data) {
        return add(new MemoryStream(data));
    }

    @Override
    public CompletionStage<@Nullable ByteBuffer> read() {
        if (this.reading) {
            throw new IllegalStateException("Call to read while read is already outstanding");
        }
        if (this.parts.isEmpty()) {
            return StreamInternals.end();
        }
        this.reading = true;
        CompletableFuture<@Nullable ByteBuffer> result = new CompletableFuture<>();
        new ReadLoop() {
            @Override
            CompletionStage<@Nullable ByteBuffer> nextRead() {
                ByteStream part = CompoundStream.this.parts.peekFirst();
                return (part != null) ? part.read() : StreamInternals.end();
            }

            @Override
            boolean onChunk(@Nullable ByteBuffer chunk) {
                if (chunk == null) {
                    CompoundStream.this.parts.pollFirst();
                    if (!CompoundStream.this.parts.isEmpty()) {
                        return true;
                    }
                    CompoundStream.this.length = 0;
                }
                else if (CompoundStream.this.length > 0) {
                    CompoundStream.this.length = Math.max(0, CompoundStream.this.length - chunk.remaining());
                }
                CompoundStream.this.reading = false;
                result.complete(chunk);
                return false;
            }

            @Override
            void failed(Throwable failure) {
                CompoundStream.this.parts.pollFirst();
                closeParts();
                CompoundStream.this.reading = false;
                result.completeExceptionally(failure);
            }
        }.run();
        return result;
    }

    @Override
    public OptionalLong length() {
        return StreamInternals.length(this.length);
    }

    @Override
    public Split split(long point) {
        StreamInternals.checkSplitPoint(point, this.length);
        if (this.reading) {
            throw new IllegalStateException("Call to split while a read is outstanding");
        }
        long offset = 0;
        int index = 0;
        for (ByteStream part : this.parts) {
            long partLength = part.length().orElse(StreamInternals.UNKNOWN);
            if (partLength < 0) {
                return ByteStream.fallbackSplit(this, point);
            }
            if (point <= offset + partLength) {
                break;
            }
            offset += partLength;
            index++;
        }
        List<ByteStream> all = new ArrayList<>(this.parts);
        this.parts.clear();
        this.length = 0;
        if (index == all.size()) {
            return new Split(new CompoundStream(all), new CompoundStream());
        }
        Split cut = all.get(index).split(point - offset);
        List<ByteStream> before = new ArrayList<>(all.subList(0, index));
        before.add(cut.before());
        List<ByteStream> after = new ArrayList<>();
        after.add(cut.after());
        after.addAll(all.subList(index + 1, all.size()));
        return new Split(new CompoundStream(before), new CompoundStream(after));
    }

    @Override
    public void close() {
        closeParts();
    }

    private void closeParts() {
        this.length = 0;
        ByteStream part;
        while ((part = this.parts.pollFirst()) != null) {
            part.close();
        }
    }
}
