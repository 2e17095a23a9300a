package dev.sluice;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

import dev.sluice.internal.FillLevel;
import dev.sluice.internal.Log;
import dev.sluice.internal.MpscLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * A consumer that buffers what it is given and passes it to a {@link Sink} as fast as the sink takes it: the write
 * path of Twisted's {@code FileDescriptor} (rules FD-1 to FD-18) as a reusable, thread-safe class.
 *
 * <ul>
 *   <li>A push producer is paused when a write takes the buffer above the high-water mark and resumed when draining
 *       brings it to the low-water mark, once per crossing (edge-triggered; see {@link WaterMarks}).</li>
 *   <li>A pull producer is asked for a chunk when it registers and each time the buffer has drained completely; it is
 *       never paused.</li>
 *   <li>{@link #loseConnection()} lets the buffer drain, waits for any registered producer to unregister, then closes
 *       the sink. {@link #connectionLost(Throwable)} stops the producer. {@link #abortConnection()} drops the buffer,
 *       stops the producer and aborts the sink.</li>
 * </ul>
 *
 * <h2>Draining</h2>
 * A drain loop moves items from the buffer to the sink; one thread runs it at a time. It runs on the consumer's drain
 * executor: by default the calling thread ("inline": the thread whose write or {@link #drain()} call finds the loop
 * idle runs it), or any {@link Executor} given to {@link Builder#drainOn(Executor)}, so that a slow sink is driven on
 * its own thread. A sink that cannot take more returns {@code false} and calls {@link #drain()} when it can. Writes
 * made while the loop runs, even from inside the sink or a producer callback, are picked up by the running loop, so
 * nothing recurses per chunk.
 *
 * <h2>Threading</h2>
 * Every method may be called from any thread, and {@link Consumer}'s rules hold ({@code docs/threading.md}). The
 * drain is a step of the consumer's owner loop ({@link ConsumerSupport}): one thread at a time moves items to the sink
 * and makes the producer callbacks. {@code write} takes no lock, never waits for another thread and allocates one queue
 * node, which also carries the item's weight (weighed once, at write); an item written into an empty consumer by the
 * thread that owns the loop (the inline drain's writer, or a producer writing from inside its callback) goes straight
 * to the sink. It returns {@code false} from the write that takes the buffer above the high-water mark until the
 * buffer has drained to the low one, and a {@code false} is always followed by {@code resumeProducing} or
 * {@code stopProducing}. With {@link Builder#drainOn(Executor)} the loop runs on that executor and a writer receives
 * no callback at all (an executor that runs tasks on the caller, or one that throws, makes the caller run the loop);
 * with the inline drain the writer that finds the loop idle runs it.
 *
 * <h2>Accounts</h2>
 * {@link #acceptedUnits()} = {@link #sentUnits()} + {@link #droppedUnits()} + {@link #bufferedUnits()} whenever the
 * threads are quiet: a sink that takes part of an item and then throws has the part counted as sent and the rest as
 * dropped; a write after the consumer has gone is accepted and dropped.
 *
 * <h2>Decisions where Twisted is accidental</h2>
 * Only unsent units count towards the high-water mark (FD-8). Pause and resume are edge-triggered, not repeated on
 * every write (FD-10). {@code loseConnection} waits for any registered producer, push or pull, to unregister (FD-15).
 * An exception from a producer callback loses the connection with that exception (TCP-2).
 *
 * @param <T> the type of item written
 */
public final class BufferedConsumer<T> extends ConsumerSupport<T> implements BufferView {

    private static final Log log = Log.of(BufferedConsumer.class);

    private static final int CONNECTED = 0;

    private static final int DISCONNECTING = 1;

    /** Closed cleanly: the buffer drained, no producer, the sink closed. */
    private static final int CLOSED = 2;

    private static final int LOST = 3;

    private static final int ABORTED = 4;

    /** The loss reason of a clean {@code connectionLost(null)}. */
    private static final Object NO_REASON = new Object();

    private static final Executor INLINE = Runnable::run;

    private static final VarHandle SENT;

    private static final VarHandle ACCEPTED_INLINE;

    private static final VarHandle LIFECYCLE;

    private static final VarHandle LOSS_REASON;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SENT = lookup.findVarHandle(BufferedConsumer.class, "sent", long.class);
            ACCEPTED_INLINE = lookup.findVarHandle(BufferedConsumer.class, "acceptedInline", long.class);
            LIFECYCLE = lookup.findVarHandle(BufferedConsumer.class, "lifecycle", int.class);
            LOSS_REASON = lookup.findVarHandle(BufferedConsumer.class, "lossReason", Object.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Sink<T> sink;

    private final Weigher<? super T> weigher;

    private final FillLevel level;

    /** Whether the loop runs on the calling thread; then a write into an idle, empty consumer goes straight to the
     * sink. */
    private final boolean inline;

    /** Weighed once at write, kept beside each item: the queue is the buffer, its nodes carry the weights. */
    private final MpscLinkedQueue<T> buffer = new MpscLinkedQueue<>();

    /** An item the sink took only part of (or refused), owned by the loop; it goes before anything queued. */
    private @Nullable T partItem;

    /** The units of {@link #partItem} not yet sent; loop only. */
    private long partUnits;

    /** CONNECTED, DISCONNECTING, CLOSED, LOST or ABORTED: the one lifecycle word. */
    @SuppressWarnings("unused") // through LIFECYCLE
    private volatile int lifecycle = CONNECTED;

    /** Why the connection was lost ({@link #NO_REASON} for a clean loss); claimed once, before the lifecycle moves. */
    @SuppressWarnings("unused") // through LOSS_REASON
    private volatile @Nullable Object lossReason;

    private final LongAdder accepted = new LongAdder();

    private final LongAdder dropped = new LongAdder();

    /**
     * Units taken by the sink. Written by the loop's owner only, with release stores: a statistic read on demand, so
     * the write path pays no store-load fence for it.
     */
    @SuppressWarnings("unused") // through SENT
    private volatile long sent;

    /** Units the inline fast path handed straight to the sink; written like {@link #sent}. */
    @SuppressWarnings("unused") // through ACCEPTED_INLINE
    private volatile long acceptedInline;

    /**
     * Whether a drain was asked for ({@link #drain()}, {@link #loseConnection()}, an unregistration while closing)
     * since the loop last drained: such a drain asks a pull producer for more even when it sends nothing (FD-11a),
     * where a round run for a registration or a hold does not (FD-13).
     */
    private volatile boolean drainAsked;

    /** Written by the loop only; the sink is closed or aborted once. */
    private boolean sinkDone;

    /** Whether the drain under way sent something or was asked for, so that emptying the buffer asks for more. */
    private boolean askWhenEmpty;

    /** Whether the loop is inside a call to the sink; loop only. A write from inside the sink is buffered. */
    private boolean inSink;

    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    /** What {@link #whenClosed()} hands out: one dependent of {@link #closed}, however often it is asked for. */
    private final CompletableFuture<Void> closedView = this.closed.copy();

    private BufferedConsumer(Builder<T> builder) {
        super(builder.name, (builder.drainExecutor == INLINE) ? null : builder.drainExecutor);
        this.sink = builder.sink;
        this.weigher = builder.weigher;
        this.level = new FillLevel(builder.waterMarks);
        this.inline = builder.drainExecutor == INLINE;
    }

    /**
     * Starts a builder for a consumer that writes into {@code sink}.
     *
     * @param sink the sink
     * @param <T> the type of item
     * @return the builder
     */
    public static <T> Builder<T> builder(Sink<T> sink) {
        return new Builder<>(sink);
    }

    /**
     * Buffers {@code data} and starts draining it; never waits for another thread. Once the consumer has gone it is
     * counted as accepted and dropped (FD-6). An item that weighs nothing is ignored. A weigher that throws fails the
     * consumer (the item is not accepted; a {@link VirtualMachineError} is rethrown after that).
     *
     * @return {@code false} when the consumer wants its producer paused after this write (the buffer is above its
     *         high-water mark and has not drained to the low one, an operator hold is in force, or the consumer has
     *         gone), else {@code true}. A {@code false} is a promise: {@code resumeProducing} or {@code stopProducing}
     *         follows for the producer registered now.
     * @throws IllegalArgumentException if the weigher gives a negative weight
     */
    @Override
    public boolean write(T data) {
        Objects.requireNonNull(data, "data");
        long weight = weigh(data);
        if (weight < 0) {
            throw new IllegalArgumentException("Weigher " + this.weigher + " gave a negative weight (" + weight
                    + ") to an item written to consumer '" + name() + "'");
        }
        if (this.lifecycle >= CLOSED) {
            this.accepted.add(weight);
            this.dropped.add(weight);
            writtenAfterLoss();
            return false;
        }
        if (weight != 0) {
            if (this.inline && tryOwnIdleLoop()) {
                writeThrough(data, weight); // this thread owns the idle loop
            }
            else if (!this.inSink && isLoopOwnedByCurrentThread() && this.level.depth() == 0
                    && this.lifecycle == CONNECTED) {
                offerFromCallback(data, weight); // a producer writing from inside a callback of this loop
            }
            else {
                buffer(data, weight);
                if (writable()) {
                    runLoop();
                    return true;
                }
                return answerWrite(false); // keeps the promise and starts the loop
            }
        }
        return answerWrite(writable());
    }

    private boolean writable() {
        return isWritable() && this.lifecycle < CLOSED;
    }

    private long weigh(T data) {
        try {
            return this.weigher.weigh(data);
        }
        catch (Throwable failure) {
            weigherFailed(failure);
            if (failure instanceof VirtualMachineError error) {
                throw error;
            }
            return 0;
        }
    }

    /** A user's weigher that throws fails the consumer, wherever it was asked (at write, or after a partial take). */
    private void weigherFailed(Throwable failure) {
        log.error("Weigher {} of consumer '{}' threw; the consumer is disconnected", this.weigher, name(), failure);
        markLost(failure, false);
    }

    private void buffer(T data, long weight) {
        this.accepted.add(weight);
        // counted before it is published, so the loop never takes away more than was added, and a writer that sees a
        // depth of 0 knows no item of any thread is on its way into the queue
        this.level.add(weight);
        this.buffer.offer(data, weight);
    }

    /**
     * A write made on the loop's own thread from inside a producer callback or a listener, with nothing buffered: the
     * item goes straight to the sink, as the drain would send it next, instead of waiting in the queue for the callback
     * to return (a pull producer writing its chunk from inside {@code resumeProducing}, a push producer writing until
     * paused). Not from inside the sink itself: that write is buffered.
     */
    private void offerFromCallback(T data, long weight) {
        ACCEPTED_INLINE.setRelease(this, this.acceptedInline + weight);
        offerDirect(data, weight);
    }

    /** Offers an item straight to the sink; the caller owns the loop and the buffer is empty. */
    private void offerDirect(T data, long weight) {
        boolean whole;
        this.inSink = true;
        try {
            whole = this.sink.offer(data);
        }
        catch (Throwable failure) {
            long left = unitsLeft(data, weight);
            addSent(weight - left);
            this.dropped.add(left);
            sinkFailed(failure);
            return;
        }
        finally {
            this.inSink = false;
        }
        if (whole) {
            addSent(weight);
            requestMore(); // a complete drain (FD-13)
        }
        else {
            long left = unitsLeft(data, weight);
            addSent(weight - left);
            if (left > 0) {
                this.partItem = data;
                this.partUnits = left;
                this.level.add(left);
            }
        }
    }

    /**
     * The inline fast path, for the thread that has just taken the idle loop: an item written into an empty consumer
     * goes straight to the sink. "Empty" is read from the depth, which every writer raises before it queues, so an
     * item still being linked into the queue by another thread, or an earlier one of this thread, is never overtaken.
     */
    private void writeThrough(T data, long weight) {
        if (this.level.depth() != 0 || this.lifecycle != CONNECTED) {
            buffer(data, weight);
            runOwned();
            return;
        }
        ACCEPTED_INLINE.setRelease(this, this.acceptedInline + weight);
        offerDirect(data, weight);
        finishOwned(this.level.depth() == 0 && !this.drainAsked && this.lifecycle == CONNECTED);
    }

    /**
     * What is left of an item the sink took part of, by the weigher, never more than what was left before nor less
     * than nothing: a weigher that answers differently now than at write cannot unbalance the accounts. A weigher
     * that throws here fails the consumer as at write (the loop drops what is left), and the item counts as not sent.
     */
    private long unitsLeft(T item, long before) {
        long now;
        try {
            now = this.weigher.weigh(item);
        }
        catch (Throwable ex) {
            keepIfFatal(ex);
            weigherFailed(ex);
            return before;
        }
        return Math.max(0, Math.min(before, now));
    }

    /**
     * Runs the loop now, or on the drain executor: what a sink calls when it can take more data (Twisted's
     * {@code startWriting}). A drain that finds the buffer empty asks a pull producer for more (FD-11a).
     */
    public void drain() {
        askDrain();
    }

    private void askDrain() {
        if (!this.drainAsked) {
            this.drainAsked = true;
        }
        runLoop();
    }

    /**
     * Closes cleanly: lets the buffer drain, waits until no producer is registered, then closes the sink
     * (FD-14, FD-15). Writes are still accepted until then. A second call does nothing.
     */
    public void loseConnection() {
        if (LIFECYCLE.compareAndSet(this, CONNECTED, DISCONNECTING)) {
            askDrain();
        }
    }

    /**
     * Stops consuming: unregisters the producer without stopping it, then {@link #loseConnection()} (FD-17). It is the
     * producer's call, made when its own source has gone (Twisted calls it when a producer has lost its connection):
     * the producer unregisters itself, so nothing is owed to it afterwards, not even a resume for a {@code false} it
     * got before ({@link Consumer#write}). An owner that wants the producer told must call {@link #stopProducer()}.
     */
    public void stopConsuming() {
        unregisterProducer();
        loseConnection();
    }

    /**
     * Records that the sink has gone (FD-16): the consumer disconnects, the registered producer is stopped, and what
     * is still buffered is dropped, counted and logged. Later writes are dropped.
     *
     * @param reason why, or {@code null} for a clean end
     */
    public void connectionLost(@Nullable Throwable reason) {
        markLost(reason, false);
    }

    /**
     * Moves to LOST (or ABORTED) unless the consumer has closed or been lost already; the first loss wins and its
     * reason is the one {@link #whenClosed()} reports. The loop, the buffer's only reader, discards what is left.
     */
    private boolean markLost(@Nullable Throwable reason, boolean abort) {
        if (this.lifecycle >= CLOSED || !LOSS_REASON.compareAndSet(this, null, (reason != null) ? reason : NO_REASON)) {
            return false;
        }
        for (;;) {
            int now = this.lifecycle;
            if (now >= CLOSED) {
                return false;
            }
            if (LIFECYCLE.compareAndSet(this, now, abort ? ABORTED : LOST)) {
                break;
            }
        }
        stopProducer();
        runLoop();
        return true;
    }

    /**
     * Drops the connection at once (TCP-1): the buffer is discarded, the producer is stopped (after any callback in
     * progress, never from inside it), and the sink is aborted. The close future fails with a
     * {@link java.util.concurrent.CancellationException}.
     */
    public void abortConnection() {
        markLost(new java.util.concurrent.CancellationException("Consumer '" + name() + "' was aborted"), true);
    }

    /**
     * Returns a future that completes when the consumer has disconnected: normally after a clean close, exceptionally
     * with the reason given to {@link #connectionLost(Throwable)}, with what the sink, the weigher, a producer callback
     * or the drain executor threw, or after an abort. It completes even when the sink's {@code close} or {@code abort}
     * throws. Every call returns the same future; it is a view, which callers must not complete. Its dependents run
     * on the thread that completes it, the loop's: keep them short, or use the async variants.
     */
    public CompletableFuture<Void> whenClosed() {
        return this.closedView;
    }

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
    public long acceptedUnits() {
        return this.accepted.sum() + this.acceptedInline;
    }

    @Override
    public long sentUnits() {
        return this.sent;
    }

    @Override
    public long droppedUnits() {
        return this.dropped.sum();
    }

    @Override
    public String unit() {
        return this.weigher.unit();
    }

    /** Whether the buffer is above the high-water mark and has not drained to the low one since. */
    public boolean isBufferFull() {
        return this.level.isFull();
    }

    @Override
    public boolean isWritable() {
        return super.isWritable();
    }

    @Override
    protected boolean isConnected() {
        return this.lifecycle < CLOSED;
    }

    @Override
    protected boolean isDisconnecting() {
        return this.lifecycle == DISCONNECTING;
    }

    @Override
    protected boolean isDisconnected() {
        return this.lifecycle >= CLOSED;
    }

    @Override
    protected void startWriting() {
        askDrain();
    }

    @Override
    protected boolean shouldPauseProducer() {
        return this.level.isFull();
    }

    @Override
    protected boolean isDrained() {
        return this.level.depth() == 0;
    }

    @Override
    protected void loopExecutorFailed(Throwable failure) {
        if (markLost(failure, false)) {
            log.error("Drain executor of consumer '{}' failed to take its loop; the consumer is disconnected", name(),
                    failure);
        }
        else {
            log.debug("Drain executor of consumer '{}' failed to take its loop again; the consumer is disconnected "
                    + "already", name(), failure);
        }
    }

    @Override
    protected void loopFault(Throwable failure) {
        log.error("Loop of consumer '{}' failed; the consumer is disconnected", name(), failure);
        markLost(failure, false);
    }

    @Override
    protected void producerFailed(Producer producer, Throwable failure) {
        log.error("Producer {} of consumer '{}' threw from a callback; the consumer is disconnected", producer,
                name(), failure);
        markLost(failure, false);
    }

    /** The loop's drain: moves items to the sink until it refuses or the buffer is empty; closes or discards. */
    @Override
    protected void drainStep() {
        if (this.lifecycle >= CLOSED) {
            discard();
            return;
        }
        if (this.drainAsked) {
            this.drainAsked = false;
            this.askWhenEmpty = true;
        }
        for (;;) {
            if (this.lifecycle >= CLOSED) {
                discard(); // lost or aborted while draining: what is left is dropped, not sent
                return;
            }
            T head = this.partItem;
            long before;
            boolean queued = head == null;
            if (queued) {
                head = this.buffer.peek();
                if (head == null) {
                    break;
                }
                before = this.buffer.peekWeight();
            }
            else {
                before = this.partUnits;
            }
            boolean whole;
            this.inSink = true;
            try {
                whole = this.sink.offer(head);
            }
            catch (Throwable failure) {
                long left = unitsLeft(head, before);
                sentFromBuffer(before - left);
                keepPart(head, left, queued);
                sinkFailed(failure);
                discard();
                return;
            }
            finally {
                this.inSink = false;
            }
            long left = whole ? 0 : unitsLeft(head, before);
            if (left < before) {
                this.askWhenEmpty = true;
            }
            boolean drainedToLow = sentFromBuffer(before - left);
            if (!whole) {
                keepPart(head, left, queued);
                return; // the sink calls drain() when it can take more
            }
            if (queued) {
                this.buffer.poll();
            }
            else {
                this.partItem = null;
                this.partUnits = 0;
            }
            if (drainedToLow) {
                // the low mark's point: the producer resumes now, while the rest drains in the loop's next round
                runLoop();
                return;
            }
        }
        // FD-11a: a drain that leaves the buffer empty asks a pull producer for more: one that sent something, or one
        // that was asked for, whether or not it sent anything; a round run for anything else does not (FD-13)
        if (this.askWhenEmpty) {
            this.askWhenEmpty = false;
            requestMore();
        }
        // a pull producer asked for more may write its last chunk and unregister in the same call: that chunk is still
        // buffered, and the loop goes round again (its write counted as work) to send it before closing
        if (this.lifecycle == DISCONNECTING && producer() == null && this.level.depth() == 0
                && LIFECYCLE.compareAndSet(this, DISCONNECTING, CLOSED)) {
            closeSink();
        }
    }

    /** Loop owner only: the loop's work-in-progress counter orders successive owners' stores. */
    private void addSent(long units) {
        SENT.setRelease(this, this.sent + units);
    }

    /** Counts what the sink took; true if that brought a full buffer down to its low mark. */
    private boolean sentFromBuffer(long units) {
        if (units > 0) {
            addSent(units);
            return this.level.remove(units);
        }
        return false;
    }

    /** Makes what the sink left of the head the part-sent item, or drops it from the buffer if nothing is left. */
    private void keepPart(T head, long left, boolean queued) {
        if (queued) {
            this.buffer.poll();
        }
        if (left > 0) {
            this.partItem = head;
            this.partUnits = left;
        }
        else {
            this.partItem = null;
            this.partUnits = 0;
        }
    }

    private void sinkFailed(Throwable failure) {
        keepIfFatal(failure);
        log.warn("Sink of consumer '{}' failed; the consumer is disconnected", name(), failure);
        markLost(failure, false);
    }

    private void closeSink() {
        this.sinkDone = true;
        stopProducer(); // one may have registered since the check: a closed consumer keeps none (FD-2)
        try {
            this.sink.close();
            this.closed.complete(null);
        }
        catch (Throwable failure) {
            keepIfFatal(failure);
            log.warn("Sink of consumer '{}' failed to close", name(), failure);
            this.closed.completeExceptionally(failure);
        }
    }

    /** Drops what is left after the connection was lost; runs on the loop, the buffer's only reader. */
    private void discard() {
        long lostUnits = 0;
        T part = this.partItem;
        if (part != null) {
            lostUnits += dropFromBuffer(this.partUnits);
            this.partItem = null;
            this.partUnits = 0;
        }
        while (this.buffer.peek() != null) {
            long weight = this.buffer.peekWeight();
            this.buffer.poll();
            lostUnits += dropFromBuffer(weight);
        }
        int state = this.lifecycle;
        boolean aborted = state == ABORTED;
        if (lostUnits > 0) {
            if (state == CLOSED) {
                // written while the consumer closed: it was past its last item, so they are accepted and dropped
                log.warn("Consumer '{}' dropped {} {} written while it closed", name(), lostUnits, unit());
            }
            else if (aborted) {
                // an abort drops on purpose, and whoever aborted has logged why: counted, and said once at INFO
                log.info("Consumer '{}' dropped {} buffered {} when it was aborted", name(), lostUnits, unit());
            }
            else {
                log.warn("Consumer '{}' dropped {} buffered {} when its connection was lost", name(), lostUnits,
                        unit());
            }
        }
        if (!this.sinkDone) {
            this.sinkDone = true;
            if (aborted) {
                abortSink();
            }
            Object reason = this.lossReason;
            if (reason instanceof Throwable failure) {
                this.closed.completeExceptionally(failure);
            }
            else {
                this.closed.complete(null);
            }
        }
    }

    private long dropFromBuffer(long units) {
        this.dropped.add(units); // before the depth falls, so the figures never show more than was accepted
        this.level.remove(units);
        return units;
    }

    private void abortSink() {
        try {
            this.sink.abort();
        }
        catch (Throwable failure) {
            keepIfFatal(failure);
            log.warn("Sink of consumer '{}' threw from abort(); ignored, the consumer is closed", name(), failure);
        }
    }

    /**
     * Builds a {@link BufferedConsumer}.
     *
     * @param <T> the type of item
     */
    public static final class Builder<T> {

        private final Sink<T> sink;

        private String name = "consumer";

        private Weigher<? super T> weigher = Weigher.standard();

        private WaterMarks waterMarks = WaterMarks.DEFAULT;

        private Executor drainExecutor = INLINE;

        private Builder(Sink<T> sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
        }

        /** The name used in logs, errors and the registry. Default {@code "consumer"}. */
        public Builder<T> name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** How items are weighed. Default {@link Weigher#standard()}. */
        public Builder<T> weigher(Weigher<? super T> weigher) {
            this.weigher = Objects.requireNonNull(weigher, "weigher");
            return this;
        }

        /** The water marks. Default {@link WaterMarks#DEFAULT}. */
        public Builder<T> waterMarks(WaterMarks waterMarks) {
            this.waterMarks = Objects.requireNonNull(waterMarks, "waterMarks");
            return this;
        }

        /**
         * Runs the drain loop, and so the sink and the resume callbacks it causes, on {@code executor}. Default: inline,
         * on the thread that finds the loop idle.
         */
        public Builder<T> drainOn(Executor executor) {
            this.drainExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Builds the consumer, connected and with no producer. */
        public BufferedConsumer<T> build() {
            return new BufferedConsumer<>(this);
        }
    }
}
