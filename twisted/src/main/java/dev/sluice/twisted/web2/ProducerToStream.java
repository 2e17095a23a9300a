package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.sluice.BufferView;
import dev.sluice.ConsumerSupport;
import dev.sluice.WaterMarks;
import dev.sluice.internal.FillLevel;
import org.jspecify.annotations.Nullable;

/**
 * Data flows from a producer to a stream: a consumer and a {@link ByteStream} at once (W2-PS1…PS9). A producer writes
 * chunks into it, a reader pulls them out with {@link #read()} at its own pace, and the producer is paused while nobody
 * reads. This is how a request body, a process's output or a file becomes something code can read when it likes.
 * Twisted's {@code web2.stream.ProducerStream}; the opposite direction is {@link StreamToConsumer}.
 *
 * <h2>Reading</h2>
 * <ul>
 *   <li>A buffered chunk is returned at once, in write order, as an already completed stage.</li>
 *   <li>With nothing buffered, the stage stays pending until the next write, {@link #finish()} or {@link #close()}.
 *       One read may be pending at a time: a second {@code read()} before the first completes throws
 *       {@link IllegalStateException} (Twisted orphans the first read instead, W2-PS3). The returned stage cannot be
 *       completed or cancelled by the reader.</li>
 *   <li>After {@link #finish()}, the buffered chunks are read, then the end of the stream ({@code null}). After
 *       {@link #finish(Throwable)}, the buffered chunks are read, then one read fails with the failure, and every
 *       read after that completes with {@code null} (W2-PS6; Twisted raises AttributeError there).</li>
 *   <li>{@link #close()} by the reader drops the buffer, stops the producer, completes a pending read with
 *       {@code null} (Twisted leaves it pending for ever) and makes later writes no-ops.</li>
 *   <li>{@link #length()} is the length given at construction, less what has been read; 0 once the stream is
 *       finished with nothing buffered, or closed. (Twisted never decrements it, W2-PS9; {@link ByteStream}'s
 *       contract asks for the remaining length, which a split needs.) {@link #split(long)} is a
 *       {@link ByteStream#fallbackSplit}.</li>
 * </ul>
 *
 * <h2>Flow control</h2>
 * The buffer is bounded in bytes by {@link WaterMarks}, by default {@link WaterMarks#DEFAULT} (64 KiB high, 32 KiB
 * low). Twisted bounds it at five chunks and resumes only when a read finds it empty (W2-PS2); chunks vary too much in
 * size for a chunk count to bound memory, so Sluice counts bytes:
 * <ul>
 *   <li>a push producer is paused when a write takes the buffered bytes above the high-water mark, and resumed when a
 *       read takes them down to the low-water mark or below (or finds the buffer empty); edge-triggered, so one pause
 *       per crossing and a resume only to balance a pause. {@code write} returns {@code false} from the crossing on,
 *       and never waits: writers that stop on {@code false} leave at most the high-water mark plus one chunk per
 *       writing thread buffered. {@link WaterMarks#twisted(long)} (low = 0) resumes only when the buffer is
 *       empty.</li>
 *   <li>a pull producer is asked for a chunk when it registers (W2-PS8) and each time a read finds the buffer
 *       empty.</li>
 * </ul>
 * Registering a producer after {@link #finish} or {@link #close()} stops it at once (W2-PS8);
 * {@link #unregisterProducer()} does not finish the stream.
 *
 * <h2>The promise</h2>
 * A {@code write} that returned {@code false} is followed by {@code resumeProducing} or {@code stopProducing} to the
 * producer that got it ({@link dev.sluice.Consumer#write}): above the high-water mark or under an operator hold, the
 * pause and the resume; once the stream has ended, the stop. So {@link #finish()} and {@link #finish(Throwable)} stop
 * the registered producer, as {@link #close()} does: every later write is answered {@code false} and dropped, and a
 * producer waiting for the resume of a {@code false} (or a {@code PullToPush} waiting for the stream to become writable
 * again) would otherwise wait for ever. Twisted's {@code finish} leaves the producer registered (W2-PS5); a producer
 * that finishes the stream itself should unregister first, as {@link StreamToConsumer} does, and then gets no stop.
 *
 * <h2>Threading</h2>
 * The writing side ({@code write}, {@code registerProducer}, {@code unregisterProducer}, {@code finish}) may be used
 * from any thread, and the producer callbacks follow {@link dev.sluice.Consumer}'s rules. The reading side
 * ({@code read}, {@code close}, {@code split}) is for one reader at a time. A pending read completes on the thread that
 * writes or finishes. State changes are made under a short private lock; no callback and no stage completion runs
 * while it is held.
 */
public final class ProducerToStream extends ConsumerSupport<ByteBuffer> implements ByteStream, BufferView {

    private final Object lock = new Object();
    private final FillLevel level;

    // guarded by lock
    private final ArrayDeque<ByteBuffer> buffer = new ArrayDeque<>();
    private @Nullable CompletableFuture<@Nullable ByteBuffer> pending;
    private @Nullable Throwable failure;
    private long length;
    private boolean finished;
    private boolean closed;

    // written under lock, read without it
    private volatile long accepted;
    private volatile long taken;
    private volatile long dropped;

    /** A stream of unknown length with the default water marks. */
    public ProducerToStream() {
        this("producer-to-stream", OptionalLong.empty(), WaterMarks.DEFAULT);
    }

    /**
     * A stream with the default water marks.
     *
     * @param length the number of bytes the producer will write, if known (such as a Content-Length)
     */
    public ProducerToStream(OptionalLong length) {
        this("producer-to-stream", length, WaterMarks.DEFAULT);
    }

    /**
     * A stream.
     *
     * @param name the consumer's name, for logs and the registry
     * @param length the number of bytes the producer will write, if known
     * @param waterMarks when to pause and resume a push producer, in bytes
     */
    public ProducerToStream(String name, OptionalLong length, WaterMarks waterMarks) {
        super(name);
        Objects.requireNonNull(waterMarks, "waterMarks");
        long declared = length.orElse(StreamInternals.UNKNOWN);
        if (length.isPresent() && declared < 0) {
            throw new IllegalArgumentException("length (" + declared + ") must not be negative");
        }
        this.length = declared;
        this.level = new FillLevel(waterMarks);
    }

    // ---------------------------------------------------------------- writing side

    /**
     * Accepts a chunk: it completes a pending read, or is buffered. Counted as accepted and dropped once the stream is
     * finished or closed; ignored when empty.
     *
     * @return {@code false} when the producer should pause: the buffer is above its high-water mark (and has not
     *         drained to the low one since), an operator holds the producer, or the stream has ended; a resume or, once
     *         the stream has ended, a stop follows
     */
    @Override
    public boolean write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        int size = data.remaining();
        CompletableFuture<@Nullable ByteBuffer> reader = null;
        boolean ended;
        synchronized (this.lock) {
            ended = this.finished || this.closed;
            if (ended) {
                this.accepted += size;
                this.dropped += size;
            }
            else if (size > 0) {
                this.accepted += size;
                reader = this.pending;
                if (reader != null) {
                    this.pending = null;
                    this.taken += size;
                    consumeLength(size);
                }
                else {
                    this.buffer.addLast(data);
                    this.level.add(size);
                }
            }
        }
        if (ended) {
            writtenAfterLoss(); // finish and close stop the producer: that stop answers this false
            return false;
        }
        if (reader != null) {
            reader.complete(data);
        }
        // a false keeps the promise: the loop pauses the producer (nested, when it writes from inside its own
        // resumeProducing) and resumes it once a read has drained the buffer
        return answerWrite(isWritable());
    }

    /**
     * Ends the stream normally: the reader gets the buffered chunks, then the end of the stream (W2-PS5). A registered
     * producer is stopped (see the class description). Finishing a finished or closed stream does nothing.
     */
    public void finish() {
        end(null);
    }

    /**
     * Ends the stream with a failure: the reader gets the buffered chunks, then one failed read, then the end of the
     * stream (W2-PS5, W2-PS6). A registered producer is stopped. Finishing a finished or closed stream does nothing.
     *
     * @param failure why the stream ended
     */
    public void finish(Throwable failure) {
        end(Objects.requireNonNull(failure, "failure"));
    }

    private void end(@Nullable Throwable failure) {
        CompletableFuture<@Nullable ByteBuffer> reader;
        synchronized (this.lock) {
            if (this.finished || this.closed) {
                return;
            }
            this.finished = true;
            reader = this.pending;
            this.pending = null;
            if (reader == null) {
                this.failure = failure;
            }
            if (this.buffer.isEmpty()) {
                this.length = 0;
            }
        }
        if (reader != null) {
            if (failure != null) {
                reader.completeExceptionally(failure);
            }
            else {
                reader.complete(null);
            }
        }
        stopProducer(); // every later write is answered false: its producer is owed this stop
    }

    /**
     * Whether the producer side has ended the stream.
     *
     * @return {@code true} once {@link #finish()} or {@link #finish(Throwable)} has been called
     */
    public boolean isFinished() {
        synchronized (this.lock) {
            return this.finished;
        }
    }

    @Override
    protected boolean shouldPauseProducer() {
        return this.level.isFull();
    }

    @Override
    protected boolean isConnected() {
        return !isDisconnected();
    }

    @Override
    protected boolean isDisconnecting() {
        return false;
    }

    /** Finished or closed: a producer registered now is stopped at once (W2-PS8). */
    @Override
    protected boolean isDisconnected() {
        synchronized (this.lock) {
            return this.finished || this.closed;
        }
    }

    @Override
    protected void startWriting() {
        // nothing to flush: the reader pulls
    }

    // ---------------------------------------------------------------- reading side

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if a read is pending already (W2-PS3)
     */
    @Override
    public CompletionStage<@Nullable ByteBuffer> read() {
        ByteBuffer chunk;
        CompletableFuture<@Nullable ByteBuffer> reader = null;
        Throwable failed = null;
        boolean resume = false;
        synchronized (this.lock) {
            if (this.pending != null) {
                throw new IllegalStateException("Call to read while read is already outstanding on ProducerToStream '"
                        + name() + "'");
            }
            chunk = this.buffer.pollFirst();
            if (chunk != null) {
                int size = chunk.remaining();
                this.taken += size;
                consumeLength(size);
                resume = this.level.remove(size);
            }
            else if (this.finished || this.closed) {
                this.length = 0;
                failed = this.failure;
                this.failure = null;
            }
            else {
                reader = new CompletableFuture<>();
                this.pending = reader;
            }
        }
        if (resume) {
            producerStateChanged();
        }
        if (chunk != null) {
            return StreamInternals.of(chunk);
        }
        if (reader == null) {
            return (failed != null) ? StreamInternals.failed(failed) : StreamInternals.end();
        }
        requestMore();
        return reader.minimalCompletionStage();
    }

    @Override
    public OptionalLong length() {
        synchronized (this.lock) {
            return StreamInternals.length(this.length);
        }
    }

    /** {@inheritDoc} A {@link ByteStream#fallbackSplit} of this stream (W2-PS9). */
    @Override
    public Split split(long point) {
        return ByteStream.fallbackSplit(this, point);
    }

    /**
     * Closes the stream from the reader's side (W2-PS7): drops the buffer, completes a pending read with {@code null},
     * ignores later writes, and stops the producer.
     */
    @Override
    public void close() {
        CompletableFuture<@Nullable ByteBuffer> reader;
        synchronized (this.lock) {
            if (this.closed) {
                return;
            }
            this.closed = true;
            long left = this.level.depth();
            this.dropped += left;
            this.buffer.clear();
            this.level.remove(left);
            this.length = 0;
            this.failure = null;
            reader = this.pending;
            this.pending = null;
        }
        if (reader != null) {
            reader.complete(null);
        }
        stopProducer();
    }

    private void consumeLength(int size) {
        if (this.length > 0) {
            this.length = Math.max(0, this.length - size);
        }
    }

    // ---------------------------------------------------------------- BufferView

    @Override
    public long bufferedUnits() {
        return this.level.depth();
    }

    @Override
    public long highWaterMark() {
        return this.level.high();
    }

    @Override
    public long lowWaterMark() {
        return this.level.low();
    }

    @Override
    public boolean isWritable() {
        return super.isWritable() && !isDisconnected();
    }

    @Override
    public long acceptedUnits() {
        return this.accepted;
    }

    /** Bytes handed to the reader. */
    @Override
    public long sentUnits() {
        return this.taken;
    }

    @Override
    public long droppedUnits() {
        return this.dropped;
    }

    @Override
    public String unit() {
        return "bytes";
    }
}
