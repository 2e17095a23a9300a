package dev.sluice.twisted.pcp;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import dev.sluice.WaterMarks;
import dev.sluice.internal.FillLevel;
import org.jspecify.annotations.Nullable;

/**
 * A proxy with a bounded buffer: it does not pass its own pause up, but pauses a push producer above it when its
 * buffer reaches {@link #bufferSize()} and resumes it when the buffer has drained below. Twisted's
 * {@code pcp.ProducerConsumerProxy} (PCP-1 to PCP-6).
 *
 * <ul>
 *   <li>{@link #pauseProducing()} only marks the proxy paused (PCP-1).</li>
 *   <li>{@link #resumeProducing()} sends the buffer through {@link #writeSomeData}, keeps any unsent tail, resumes a
 *       producer it paused once the buffer is below the bound, or pulls a pull producer when nothing was sent, and
 *       completes a postponed unregistration (PCP-2, PCP-6).</li>
 *   <li>A write that brings the buffer to {@code bufferSize} or more pauses a push producer above (PCP-3;
 *       greater-or-equal, as in Twisted). Pauses are edge-triggered: one per crossing, not one per write.</li>
 *   <li>The decisions are made by the water-mark policy every Sluice consumer uses ({@code FillLevel}: full strictly
 *       above the high mark until drained to the low mark or below), with both marks at {@code bufferSize - 1}, which
 *       is exactly Twisted's rule: full at {@code bufferSize} or more (PCP-3), a paused producer resumed once the
 *       buffer is below {@code bufferSize} (PCP-2), no hysteresis.</li>
 *   <li>{@link #registerProducer} resumes a pull producer at once (PCP-4).</li>
 *   <li>{@link #unregisterProducer()} passes the unregistration down only once the buffer is empty (PCP-6).</li>
 * </ul>
 * Threads: as {@link BasicProducerConsumerProxy}: any thread may call it; its state machine, {@link #writeSomeData}
 * included, runs on its serial lane, and every call it makes to the producer above or the consumer below is made
 * from there, serialized and in order. The pause and resume it sends up strictly alternate, whatever threads write.
 *
 * @param <T> the chunk type
 */
public class ProducerConsumerProxy<T> extends BasicProducerConsumerProxy<T> {

    /** Twisted's {@code bufferSize}: 64 KiB. */
    public static final long DEFAULT_BUFFER_SIZE = 65536;

    private final long bufferSize;

    /** The units buffered and whether that is full; changed on the lane only, read from any thread. */
    private final FillLevel level;

    /** Whether this proxy paused the producer above and has not resumed it; written on the lane only. */
    protected volatile boolean producerPaused;

    /** Whether the producer above unregistered while data was still buffered. */
    protected boolean unregistered;

    /**
     * Creates a proxy without registering it; see
     * {@link BasicProducerConsumerProxy#BasicProducerConsumerProxy(Consumer, ChunkType, boolean)}.
     *
     * @param consumer the consumer below, or null
     * @param chunks how chunks are merged and weighed
     * @param streaming whether this proxy registers as a push ({@code true}) or pull producer
     * @param bufferSize the buffer bound, in weigher units
     */
    protected ProducerConsumerProxy(@Nullable Consumer<T> consumer, ChunkType<T> chunks, boolean streaming,
            long bufferSize) {
        super(consumer, chunks, streaming);
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be positive, was " + bufferSize);
        }
        this.bufferSize = bufferSize;
        this.level = new FillLevel(new WaterMarks(bufferSize - 1, bufferSize - 1)); // full at >= bufferSize
    }

    /**
     * Creates a proxy and registers it with {@code consumer}.
     *
     * @param consumer the consumer below
     * @param chunks how chunks are merged and weighed
     * @param streaming whether the proxy is a push ({@code true}) or pull producer to its consumer
     * @param bufferSize the buffer bound, in weigher units ({@link #DEFAULT_BUFFER_SIZE} in Twisted)
     * @param <T> the chunk type
     * @return the registered proxy
     */
    public static <T> ProducerConsumerProxy<T> create(Consumer<T> consumer, ChunkType<T> chunks, boolean streaming,
            long bufferSize) {
        ProducerConsumerProxy<T> proxy = new ProducerConsumerProxy<>(consumer, chunks, streaming, bufferSize);
        proxy.registerWithConsumer();
        return proxy;
    }

    /** The buffer bound, in weigher units. */
    public final long bufferSize() {
        return this.bufferSize;
    }

    /** The units buffered after the last call that has run; any thread. */
    public final long bufferedUnits() {
        return this.level.depth();
    }

    /** Marks the proxy paused; the producer above is not told (PCP-1). */
    @Override
    protected void handlePause() {
        this.paused = true;
    }

    /** Sends the buffer, then resumes a paused or pulls a pull producer above (PCP-2, PCP-6). Runs on the lane. */
    @Override
    protected void handleResume() {
        this.paused = false;
        long sent = 0;
        if (!this.buffer.isEmpty()) {
            T merged = this.chunks.join(this.buffer);
            this.buffer.clear();
            this.level.remove(this.level.depth()); // all of it: the lane is the only writer
            sent = sendSome(merged);
        }
        Consumer<T> below = this.consumer;
        if (this.unregistered && sent > 0 && this.buffer.isEmpty() && below != null) {
            below.unregisterProducer(); // the postponed unregistration (PCP-6)
        }
        if (!this.iAmStreaming) {
            this.outstandingPull = sent == 0;
        }
        Producer above = this.producer;
        if (above == null) {
            return;
        }
        if (this.producerPaused && !this.level.isFull()) {
            this.producerPaused = false;
            above.resumeProducing();
        }
        else if (this.outstandingPull) {
            above.resumeProducing();
        }
    }

    /** Buffers or sends one chunk, then pauses a push producer above at the bound (PCP-3). Runs on the lane. */
    @Override
    protected void handleWrite(T data) {
        if (mustBuffer()) {
            append(data);
        }
        else if (this.consumer != null) {
            sendSome(data);
            this.outstandingPull = false;
        }
        if (this.producerIsStreaming && !this.producerPaused && this.level.isFull()
                && this.producer instanceof PushProducer push) {
            this.producerPaused = true;
            push.pauseProducing();
        }
    }

    /** Stores the producer and resumes it at once if it is a pull producer (PCP-4). */
    @Override
    protected void handleRegister(Producer producer, boolean streaming) {
        this.unregistered = false;
        this.producerPaused = false;
        super.handleRegister(producer, streaming);
        if (!streaming) {
            producer.resumeProducing();
        }
    }

    /** Forgets the producer; unregisters from the consumer below now if the buffer is empty, else after it drains. */
    @Override
    protected void handleUnregister() {
        this.producer = null;
        this.producerIsStreaming = false;
        this.unregistered = true;
        Consumer<T> below = this.consumer;
        if (below != null && this.buffer.isEmpty()) {
            below.unregisterProducer();
        }
    }

    /**
     * Writes as much of {@code data} as the consumer takes now and returns how many units that was: the override
     * point for partial writes (PCP-5). The default writes it all, or nothing when there is no consumer. Runs on the
     * lane.
     *
     * @param data the data
     * @return the units written, from 0 to the weight of {@code data}
     */
    protected long writeSomeData(T data) {
        Consumer<T> below = this.consumer;
        if (below == null) {
            return 0;
        }
        long weight = this.chunks.weigh(data);
        below.write(data);
        return weight;
    }

    /** Writes {@code data} through {@link #writeSomeData} and buffers the unsent tail; returns the units sent. */
    private long sendSome(T data) {
        long weight = this.chunks.weigh(data);
        long sent = writeSomeData(data);
        if (sent < weight) {
            append((sent == 0) ? data : this.chunks.tail(data, sent));
        }
        return sent;
    }

    private void append(T data) {
        this.buffer.add(data);
        this.level.add(this.chunks.weigh(data));
    }

    /** Whether the producer above may go on writing: not paused, and the buffer is below {@link #bufferSize()}. */
    @Override
    protected boolean isWritable() {
        return super.isWritable() && !this.level.isFull();
    }
}
