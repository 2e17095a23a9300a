package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * The split of a stream that cannot split cheaply (W2-F1…F6): two halves that read one source in turn.
 *
 * <ul>
 *   <li>{@code before} reads the source until it has returned {@code point} bytes. The chunk that crosses the split
 *       point is cut: its head goes to {@code before}'s reader, its tail becomes the <em>initial segment</em> of
 *       {@code after}. When a chunk ends exactly at the split point, {@code before}'s next read hands the source's
 *       next read to {@code after} as its initial segment and returns the end of the stream.</li>
 *   <li>{@code after}'s first read returns the initial segment, which stays pending until {@code before} reaches the
 *       split point; later reads read the source directly.</li>
 *   <li>If {@code before} is closed, {@code after}'s first read (or, when it is already waiting, the close) reads and
 *       discards the rest of {@code before}. If the source ends before the split point, {@code before}'s read fails
 *       with an {@link IllegalArgumentException} (Twisted's ValueError). A failed read of {@code before} also fails
 *       {@code after}'s initial segment, so that its reader does not wait forever.</li>
 *   <li>Closing both halves closes the source exactly once, and without reading it if neither half has read
 *       (W2-F6). Closing {@code after} alone lets {@code before} finish and then closes the source.</li>
 * </ul>
 * Each half splits again with a fallback split of itself (W2-F4, W2-F5). The halves are not thread-safe: read them
 * one at a time.
 */
final class FallbackSplit {

    private final ByteStream source;
    private final CompletableFuture<@Nullable ByteBuffer> initialSegment = new CompletableFuture<>();

    private long beforeLeft;
    private long afterLength;
    private boolean handedOver;
    private boolean beforeClosed;
    private boolean afterClosed;
    private boolean afterStarted;
    private boolean sourceClosed;

    private FallbackSplit(ByteStream source, long point) {
        this.source = source;
        this.beforeLeft = point;
        long length = source.length().orElse(StreamInternals.UNKNOWN);
        this.afterLength = (length < 0) ? StreamInternals.UNKNOWN : length - point;
    }

    static ByteStream.Split split(ByteStream stream, long point) {
        StreamInternals.checkSplitPoint(point, stream.length().orElse(StreamInternals.UNKNOWN));
        FallbackSplit shared = new FallbackSplit(stream, point);
        return new ByteStream.Split(shared.new Before(), shared.new After());
    }

    /** Reads for {@code before}, also after it was closed (when {@code after} pumps it). */
    private CompletionStage<@Nullable ByteBuffer> pull() {
        if (this.handedOver) {
            return StreamInternals.end();
        }
        if (this.beforeLeft == 0) {
            handOver(null);
            return StreamInternals.end();
        }
        CompletionStage<@Nullable ByteBuffer> read = StreamInternals.readSafely(this.source);
        read.whenComplete((chunk, failure) -> {
            if (failure != null) {
                this.initialSegment.completeExceptionally(StreamInternals.unwrap(failure));
            }
        });
        return read.thenApply(this::cut);
    }

    private ByteBuffer cut(@Nullable ByteBuffer chunk) {
        if (chunk == null) {
            IllegalArgumentException ex = new IllegalArgumentException(
                    "Ran out of data for a split of an indeterminate length source: " + this.beforeLeft
                            + " bytes short of the split point");
            this.initialSegment.completeExceptionally(ex);
            throw ex;
        }
        int size = chunk.remaining();
        if (size <= this.beforeLeft) {
            this.beforeLeft -= size;
            return chunk;
        }
        int keep = (int) this.beforeLeft;
        this.beforeLeft = 0;
        handOver(StreamInternals.tail(chunk, keep));
        return StreamInternals.head(chunk, keep);
    }

    /**
     * {@code before} has reached the split point: {@code after} gets {@code rest} as its initial segment, or, without
     * a rest, the source's next read. If {@code after} is closed already, the source is closed instead.
     */
    private void handOver(@Nullable ByteBuffer rest) {
        this.handedOver = true;
        if (this.afterClosed) {
            closeSource();
            this.initialSegment.complete(null);
        }
        else if (rest != null) {
            this.initialSegment.complete(rest);
        }
        else {
            StreamInternals.readSafely(this.source).whenComplete((chunk, failure) -> {
                if (failure != null) {
                    this.initialSegment.completeExceptionally(StreamInternals.unwrap(failure));
                }
                else {
                    this.initialSegment.complete(chunk);
                }
            });
        }
    }

    /** Reads and drops what is left of a closed {@code before}, so that {@code after} gets its initial segment. */
    private void pumpClosedBefore() {
        new ReadLoop() {
            @Override
            CompletionStage<@Nullable ByteBuffer> nextRead() {
                return pull();
            }

            @Override
            boolean onChunk(@Nullable ByteBuffer chunk) {
                return chunk != null;
            }

            @Override
            void failed(Throwable failure) {
                // already handed to after's initial segment by pull()
            }
        }.run();
    }

    private void closeSource() {
        if (!this.sourceClosed) {
            this.sourceClosed = true;
            this.source.close();
        }
    }

    /** One half; it splits again with a fallback split of itself. */
    private abstract static class Half implements ByteStream {

        @Override
        public final Split split(long point) {
            return FallbackSplit.split(this, point);
        }
    }

    /** The bytes before the split point. */
    private final class Before extends Half {

        @Override
        public CompletionStage<@Nullable ByteBuffer> read() {
            return FallbackSplit.this.beforeClosed ? StreamInternals.end() : pull();
        }

        @Override
        public OptionalLong length() {
            return OptionalLong.of(FallbackSplit.this.beforeClosed ? 0 : FallbackSplit.this.beforeLeft);
        }

        @Override
        public void close() {
            FallbackSplit shared = FallbackSplit.this;
            if (shared.beforeClosed) {
                return;
            }
            shared.beforeClosed = true;
            if (shared.handedOver) {
                return;
            }
            if (shared.afterClosed) {
                closeSource();
            }
            else if (shared.afterStarted) {
                pumpClosedBefore();
            }
        }
    }

    /** The bytes from the split point on. */
    private final class After extends Half {

        @Override
        public CompletionStage<@Nullable ByteBuffer> read() {
            FallbackSplit shared = FallbackSplit.this;
            if (shared.afterClosed) {
                return StreamInternals.end();
            }
            CompletionStage<@Nullable ByteBuffer> read;
            if (shared.afterStarted) {
                read = StreamInternals.readSafely(shared.source);
            }
            else {
                shared.afterStarted = true;
                read = shared.initialSegment;
                if (shared.beforeClosed && !shared.handedOver) {
                    pumpClosedBefore();
                }
            }
            return read.thenApply(this::count);
        }

        private @Nullable ByteBuffer count(@Nullable ByteBuffer chunk) {
            FallbackSplit shared = FallbackSplit.this;
            if (chunk == null) {
                shared.afterLength = 0;
            }
            else if (shared.afterLength > 0) {
                shared.afterLength = Math.max(0, shared.afterLength - chunk.remaining());
            }
            return chunk;
        }

        @Override
        public OptionalLong length() {
            return StreamInternals.length(FallbackSplit.this.afterLength);
        }

        @Override
        public void close() {
            FallbackSplit shared = FallbackSplit.this;
            if (shared.afterClosed) {
                return;
            }
            shared.afterClosed = true;
            shared.afterLength = 0;
            if (shared.handedOver || shared.beforeClosed) {
                closeSource();
            }
        }
    }
}
