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
 *   <li>{@link #pauseProducing()} only marks the proxy paused (PCP-1): writes are buffered, within the bound. A write
 *       the consumer below answers {@code false} marks it paused the same way, ahead of the pause that answer
 *       promises.</li>
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
 *
 * <h2>The bound, and what {@code write} answers</h2>
 * The buffer counts every chunk the proxy holds: those buffered, and those written by one thread while another runs
 * the proxy, queued on its lane. A write is counted on the writing thread before it is queued, so the answer it gets
 * includes it. {@code write} answers {@code false} exactly when the proxy holds {@code bufferSize} or more units after
 * it (or the consumer below has stopped the proxy): a writer that honours {@code false} overshoots the bound by at most
 * one write per writing thread (DESIGN §4.5), even while a call below is slow. Twisted counts only the buffer, which a
 * single thread cannot tell apart.
 *
 * <p>The paused state of the proxy itself is <em>not</em> a reason to answer {@code false}: by PCP-1 the proxy never
 * passes its pause up, it absorbs it in its buffer, and so it never owes a resume for it. A {@code false} is always
 * followed by the calls PCP-2 and PCP-3 make anyway: a push producer above is paused (at the crossing; or at once, by
 * the write that got {@code false}, should the buffer have drained meanwhile) and resumed as soon as the buffer is below
 * the bound again; a pull producer above is resumed once the buffer is below the bound; and a stopped proxy stops its
 * producer (PCP-B4). That resume comes when the proxy drains: when the consumer below resumes it, or when queued writes
 * pass down. So it relies only on the promise of the consumer below to the proxy.
 *
 * <p>A push producer paused at the bound is resumed only while the consumer below has not paused the proxy: a resume
 * that empties the buffer into a consumer that answers that merged write {@code false} waits for that consumer's
 * resume, so the proxy does not take a second buffer's worth while the first is still above the consumer's mark.
 * (Twisted resumes it after the merged write whatever the consumer did; its consumer cannot answer {@code false}.)
 *
 * <p>Differences from Twisted that follow: a push producer registered while the buffer is full is paused at once (as
 * core's FD-3); a paused producer is resumed after any call that brings the buffer below the bound, not only from
 * {@code resumeProducing} (a single thread sees no difference: only {@code resumeProducing} drains a full buffer); and a
 * pull producer above a push proxy is asked again once a {@code false} it got has been worked off, where Twisted never
 * asks it after registration.
 *
 * <p>Threads: as {@link BasicProducerConsumerProxy}: any thread may call it; its state machine, {@link #writeSomeData}
 * included, runs on its serial lane, and every call it makes to the producer above or the consumer below is made from
 * there, serialized and in order. The pause and resume it sends up strictly alternate, whatever threads write.
 *
 * @param <T> the chunk type
 */
public class ProducerConsumerProxy<T> extends BasicProducerConsumerProxy<T> {

    /** Twisted's {@code bufferSize}: 64 KiB. */
    public static final long DEFAULT_BUFFER_SIZE = 65536;

    private final long bufferSize;

    /**
     * The units the proxy holds, buffered or queued on the lane, and whether that is full: added to by writers on their
     * own threads, taken from on the lane only.
     */
    private final FillLevel level;

    /** The units of {@link #buffer}; confined to the lane. */
    private long bufferUnits;

    /** Whether this proxy paused the producer above and has not resumed it; written on the lane only. */
    protected volatile boolean producerPaused;

    /** Whether the producer above unregistered while data was still buffered. */
    protected boolean unregistered;

    /** Whether a pull producer above got {@code false} and is owed a resume once below the bound; lane only. */
    private boolean pullOwed;

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

    /** The units the proxy holds now, buffered or queued behind a running call; any thread. */
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
            long units = this.bufferUnits;
            this.buffer.clear();
            this.bufferUnits = 0;
            sent = sendSome(merged, units);
        }
        Consumer<T> below = this.consumer;
        if (this.unregistered && sent > 0 && this.buffer.isEmpty() && below != null) {
            unregisterBelow(below); // the postponed unregistration (PCP-6)
        }
        if (!this.iAmStreaming) {
            this.outstandingPull = sent == 0;
        }
        Producer above = this.producer;
        if (above == null || this.upstreamStopped) {
            return;
        }
        if (this.producerPaused && !this.level.isFull()) {
            if (!this.paused) { // the merged write paused the proxy again: the consumer's resume resumes it
                this.producerPaused = false;
                above.resumeProducing();
            }
        }
        else if (this.outstandingPull) {
            this.pullOwed = false;
            above.resumeProducing();
        }
    }

    /** Counts the chunk against the bound on the writing thread (see the class description). */
    @Override
    protected long admit(T data) {
        long units = this.chunks.weigh(data);
        this.level.add(units);
        return units;
    }

    /** The bound counts queued writes, so a queued write may be answered {@code true}. */
    @Override
    protected boolean acceptsQueuedWrites() {
        return true;
    }

    /** Buffers or sends one chunk; the pause at the bound follows in {@link #settle()} (PCP-3). Runs on the lane. */
    @Override
    protected void handleWrite(T data, long units) {
        if (mustBuffer()) {
            this.buffer.add(data);
            this.bufferUnits += units;
        }
        else if (this.consumer != null) {
            sendSome(data, units);
            this.outstandingPull = false;
        }
        else {
            this.level.remove(units); // dropped: no consumer
        }
    }

    /**
     * Pauses a push producer above at the bound (PCP-3) and resumes it below the bound (PCP-2); resumes a pull producer
     * owed a resume once below the bound. Runs on the lane after every call.
     */
    @Override
    protected void settle() {
        Producer above = this.producer;
        if (above == null || this.upstreamStopped || this.stopped) {
            return;
        }
        if (this.producerIsStreaming && above instanceof PushProducer push) {
            if (!this.producerPaused && this.level.isFull()) {
                this.producerPaused = true;
                push.pauseProducing();
            }
            else if (this.producerPaused && !this.level.isFull() && !this.paused) {
                this.producerPaused = false;
                push.resumeProducing();
            }
        }
        else if (this.pullOwed && !this.level.isFull()) {
            this.pullOwed = false;
            above.resumeProducing();
        }
    }

    /**
     * Keeps the promise of a {@code false}: a push producer above is paused now if it is not paused yet (it is resumed
     * by {@link #settle()} once below the bound, right away if the buffer has drained meanwhile); a pull producer is
     * resumed once below the bound; a stopped proxy stops it.
     */
    @Override
    protected void handleRefusedWrite() {
        Producer above = this.producer;
        if (above == null || this.upstreamStopped) {
            return;
        }
        if (this.stopped) {
            stopAbove(above);
        }
        else if (this.producerIsStreaming && above instanceof PushProducer push) {
            if (!this.producerPaused) {
                this.producerPaused = true;
                push.pauseProducing();
            }
        }
        else {
            this.pullOwed = true;
        }
    }

    /** Stores the producer and resumes it at once if it is a pull producer (PCP-4). */
    @Override
    protected void handleRegister(Producer producer, boolean streaming) {
        this.unregistered = false;
        this.producerPaused = false;
        this.pullOwed = false;
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
        this.producerPaused = false;
        this.pullOwed = false;
        this.unregistered = true;
        Consumer<T> below = this.consumer;
        if (below != null && this.buffer.isEmpty()) {
            unregisterBelow(below);
        }
    }

    /** A producer paused at the bound, or a pull producer owed a pull, is owed an answer. Runs on the lane. */
    @Override
    protected boolean owesAnswer() {
        return this.producerPaused || this.pullOwed;
    }

    /** Sends the buffer through {@link #writeSomeData}, keeping the unsent tail and the accounts. Runs on the lane. */
    @Override
    protected void flushBuffer(Consumer<T> below) {
        T merged = this.chunks.join(this.buffer);
        long units = this.bufferUnits;
        this.buffer.clear();
        this.bufferUnits = 0;
        sendSome(merged, units);
    }

    /**
     * Writes as much of {@code data} as the consumer takes now and returns how many units that was: the override
     * point for partial writes (PCP-5). The default writes it all, or nothing when there is no consumer, through
     * {@link #passDown}, which pauses the proxy when the consumer answers {@code false}. Runs on the lane.
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
        passDown(below, data);
        return weight;
    }

    /**
     * Writes {@code data}, of {@code units} units, through {@link #writeSomeData} and buffers the unsent tail; returns
     * the units sent. A chunk whose write throws counts as gone.
     */
    private long sendSome(T data, long units) {
        long sent = 0;
        boolean kept = false;
        try {
            sent = Math.max(0, Math.min(units, writeSomeData(data)));
            if (sent < units) {
                this.buffer.add((sent == 0) ? data : this.chunks.tail(data, sent));
                this.bufferUnits += units - sent;
            }
            kept = true;
        }
        finally {
            this.level.remove(kept ? sent : units);
        }
        return sent;
    }

    /** Whether the producer above may go on writing: the proxy holds less than {@link #bufferSize()} and is not stopped. */
    @Override
    protected boolean isWritable() {
        return !this.stopped && !this.level.isFull();
    }
}
