package dev.sluice;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Every method may be called from any thread, and {@link Consumer}'s rules hold ({@code docs/threading.md}).
 * {@code write} takes no lock, never waits for another thread and allocates one queue node, which also carries the
 * item's weight (weighed once, at write). It returns {@code false} from the write that takes the buffer above the
 * high-water mark until the buffer has drained to the low one; that write also delivers {@code pauseProducing} before
 * it returns when no other thread is delivering a callback, and otherwise the thread that is delivers it right after.
 * With {@link Builder#drainOn(Executor)}, a writer delivers nothing but its own pause; with the inline drain, see the
 * one exception documented on {@link ConsumerSupport}.
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

    private static final int DISCONNECTED = 2;

    private static final Executor INLINE = Runnable::run;

    private static final VarHandle SENT;

    private static final VarHandle ACCEPTED_INLINE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SENT = lookup.findVarHandle(BufferedConsumer.class, "sent", long.class);
            ACCEPTED_INLINE = lookup.findVarHandle(BufferedConsumer.class, "acceptedInline", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Sink<T> sink;

    private final Weigher<? super T> weigher;

    private final FillLevel level;

    private final Executor drainExecutor;

    /** Whether the drain loop runs on the calling thread; then a write into an idle, empty consumer goes straight
     * to the sink. */
    private final boolean inline;

    /** Weighed once at write, kept beside each item: the queue is the buffer, its nodes carry the weights. */
    private final MpscLinkedQueue<T> buffer = new MpscLinkedQueue<>();

    /** An item the sink took only part of (or refused), owned by the drain loop; it goes before anything queued. */
    private @Nullable T partItem;

    /** The units of {@link #partItem} not yet sent. */
    private long partUnits;

    private final AtomicInteger lifecycle = new AtomicInteger(CONNECTED);

    private final AtomicInteger drainWork = new AtomicInteger();

    private final Runnable drainLoop = this::drainLoop;

    private final LongAdder accepted = new LongAdder();

    private final LongAdder dropped = new LongAdder();

    /**
     * Units taken by the sink. Written by the drain loop's owner only, with release stores: a statistic read on demand,
     * so the write path pays no store-load fence for it.
     */
    @SuppressWarnings("unused") // through SENT
    private volatile long sent;

    /** Units the inline fast path handed straight to the sink; written like {@link #sent}. */
    @SuppressWarnings("unused") // through ACCEPTED_INLINE
    private volatile long acceptedInline;

    /** Written by the drain loop only; the sink is closed or aborted once. */
    private boolean sinkDone;

    private volatile boolean abortRequested;

    private final AtomicBoolean lost = new AtomicBoolean();

    private volatile @Nullable Throwable lossReason;

    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    /** What {@link #whenClosed()} hands out: one dependent of {@link #closed}, however often it is asked for. */
    private final CompletableFuture<Void> closedView = this.closed.copy();

    private BufferedConsumer(Builder<T> builder) {
        super(builder.name);
        this.sink = builder.sink;
        this.weigher = builder.weigher;
        this.level = new FillLevel(builder.waterMarks);
        this.drainExecutor = builder.drainExecutor;
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
     * counted as accepted and dropped (FD-6). An item that weighs nothing is ignored.
     *
     * @return {@code false} when the consumer wants its producer paused after this write (the buffer is above its
     *         high-water mark and has not drained to the low one, an operator hold is in force, or the consumer has
     *         gone), else {@code true}
     * @throws IllegalArgumentException if the weigher gives a negative weight
     */
    @Override
    public boolean write(T data) {
        Objects.requireNonNull(data, "data");
        long weight = this.weigher.weigh(data);
        if (weight < 0) {
            throw new IllegalArgumentException("Weigher " + this.weigher + " gave a negative weight (" + weight
                    + ") to an item written to consumer '" + name() + "'");
        }
        if (this.lifecycle.get() == DISCONNECTED) {
            this.accepted.add(weight);
            this.dropped.add(weight);
            writtenAfterLoss();
            return false;
        }
        if (weight != 0) {
            if (this.inline && this.drainWork.compareAndSet(0, 1)) {
                writeThrough(data, weight); // this thread owns the idle drain loop
            }
            else {
                buffer(data, weight);
                scheduleDrain();
            }
        }
        return isWritable() && this.lifecycle.get() != DISCONNECTED;
    }

    private void buffer(T data, long weight) {
        this.accepted.add(weight);
        // counted before it is published, so the drain loop never takes away more than was added, and a writer that
        // sees a depth of 0 knows no item of any thread is on its way into the queue
        boolean changed = this.level.add(weight);
        this.buffer.offer(data, weight);
        if (changed) {
            pauseWanted();
        }
    }

    /**
     * The inline fast path, for the thread that owns the drain loop: an item written into an empty consumer goes
     * straight to the sink. "Empty" is read from the depth, which every writer raises before it queues, so an item
     * still being linked into the queue by another thread, or an earlier one of this thread, is never overtaken.
     */
    private void writeThrough(T data, long weight) {
        if (this.level.depth() != 0 || this.lifecycle.get() != CONNECTED) {
            buffer(data, weight);
            drainLoop(1);
            return;
        }
        ACCEPTED_INLINE.setRelease(this, this.acceptedInline + weight);
        boolean whole;
        try {
            whole = this.sink.offer(data);
        }
        catch (Exception | LinkageError | AssertionError failure) {
            long left = unitsLeft(data, weight);
            addSent(weight - left);
            this.dropped.add(left);
            sinkFailed(failure);
            drainLoop(1);
            return;
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
                if (this.level.add(left)) {
                    pauseWanted();
                }
            }
        }
        int missed = this.drainWork.addAndGet(-1);
        if (missed != 0) {
            drainLoop(missed);
        }
    }

    /**
     * What is left of an item the sink took part of, by the weigher, never more than what was left before nor less
     * than nothing: a weigher that answers differently now than at write cannot unbalance the accounts.
     */
    private long unitsLeft(T item, long before) {
        long now;
        try {
            now = this.weigher.weigh(item);
        }
        catch (RuntimeException ex) {
            return before;
        }
        return Math.max(0, Math.min(before, now));
    }

    /**
     * Runs the drain loop now, or on the drain executor: what a sink calls when it can take more data (Twisted's
     * {@code startWriting}). A drain that finds the buffer empty asks a pull producer for more (FD-11a).
     */
    public void drain() {
        scheduleDrain();
    }

    /**
     * Closes cleanly: lets the buffer drain, waits until no producer is registered, then closes the sink
     * (FD-14, FD-15). Writes are still accepted until then. A second call does nothing.
     */
    public void loseConnection() {
        if (this.lifecycle.compareAndSet(CONNECTED, DISCONNECTING)) {
            scheduleDrain();
        }
    }

    /**
     * Stops consuming: unregisters the producer without stopping it, then {@link #loseConnection()} (FD-17).
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
        if (markLost(reason)) {
            scheduleDrain(); // the drain loop is the buffer's only reader: it discards what is left
        }
    }

    private boolean markLost(@Nullable Throwable reason) {
        if (!this.lost.compareAndSet(false, true)) {
            return false;
        }
        this.lossReason = reason; // published by the lifecycle write below
        this.lifecycle.set(DISCONNECTED);
        stopProducer();
        return true;
    }

    /**
     * Drops the connection at once (TCP-1): the buffer is discarded, the producer is stopped (after any callback in
     * progress, never from inside it), and the sink is aborted. The close future fails with a
     * {@link java.util.concurrent.CancellationException}.
     */
    public void abortConnection() {
        if (this.lifecycle.get() == DISCONNECTED) {
            return;
        }
        this.abortRequested = true;
        connectionLost(new java.util.concurrent.CancellationException("Consumer '" + name() + "' was aborted"));
    }

    /**
     * Returns a future that completes when the consumer has disconnected: normally after a clean close, exceptionally
     * with the reason given to {@link #connectionLost(Throwable)}, with a sink failure, with what a failing drain
     * executor threw, or after an abort. It completes even when the sink's {@code close} or {@code abort} throws.
     * Every call returns the same future; it is a view, which callers must not complete.
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
        return this.lifecycle.get() != DISCONNECTED;
    }

    @Override
    protected boolean isDisconnecting() {
        return this.lifecycle.get() == DISCONNECTING;
    }

    @Override
    protected boolean isDisconnected() {
        return this.lifecycle.get() == DISCONNECTED;
    }

    @Override
    protected void startWriting() {
        scheduleDrain();
    }

    @Override
    protected boolean shouldPauseProducer() {
        return this.level.isFull();
    }

    @Override
    protected @Nullable Executor signalExecutor() {
        return this.inline ? null : this.drainExecutor;
    }

    @Override
    protected void signalExecutorFailed(Throwable failure) {
        log.error("Drain executor of consumer '{}' failed to take the signal lane; the consumer is disconnected",
                name(), failure);
        connectionLost(failure);
    }

    @Override
    protected void producerFailed(Producer producer, Throwable failure) {
        log.error("Producer {} of consumer '{}' threw from a callback; the consumer is disconnected", producer,
                name(), failure);
        connectionLost(failure);
    }

    private void scheduleDrain() {
        if (this.drainWork.getAndIncrement() == 0) {
            try {
                this.drainExecutor.execute(this.drainLoop);
            }
            catch (Throwable failure) {
                if (failure instanceof VirtualMachineError error) {
                    throw error;
                }
                log.error("Drain executor of consumer '{}' failed to take the drain loop; the consumer is "
                        + "disconnected", name(), failure);
                markLost(failure);
                drainLoop(); // this thread holds the loop: it discards what is left and completes the close future
            }
        }
    }

    private void drainLoop() {
        drainLoop(1);
    }

    private void drainLoop(int work) {
        int missed = work;
        for (;;) {
            drainOnce();
            missed = this.drainWork.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void drainOnce() {
        if (this.lifecycle.get() == DISCONNECTED) {
            discard();
            return;
        }
        for (;;) {
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
            try {
                whole = this.sink.offer(head);
            }
            catch (Exception | LinkageError | AssertionError failure) {
                long left = unitsLeft(head, before);
                sentFromBuffer(before - left);
                keepPart(head, left, queued);
                sinkFailed(failure);
                discard();
                return;
            }
            long left = whole ? 0 : unitsLeft(head, before);
            sentFromBuffer(before - left);
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
        }
        // FD-11a: a drain that leaves the buffer empty asks a pull producer for more, whether or not it sent anything
        requestMore();
        // a pull producer asked for more may have written its last chunk and unregistered in the same call: that chunk
        // is still buffered, and the loop goes round again (its write bumped the work count) to send it before closing
        if (this.lifecycle.get() == DISCONNECTING && producer() == null && this.level.depth() == 0
                && this.lifecycle.compareAndSet(DISCONNECTING, DISCONNECTED)) {
            closeSink();
        }
    }

    /** Drain-loop owner only: the loop's work-in-progress counter orders successive owners' stores. */
    private void addSent(long units) {
        SENT.setRelease(this, this.sent + units);
    }

    private void sentFromBuffer(long units) {
        if (units > 0) {
            addSent(units);
            if (this.level.remove(units)) {
                producerStateChanged();
            }
        }
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
        log.warn("Sink of consumer '{}' failed; the consumer is disconnected", name(), failure);
        connectionLost(failure);
    }

    private void closeSink() {
        this.lost.set(true);
        this.sinkDone = true;
        stopProducer(); // one may have registered since the check: a closed consumer keeps none (FD-2)
        try {
            this.sink.close();
            this.closed.complete(null);
        }
        catch (Throwable failure) {
            if (failure instanceof VirtualMachineError error) {
                throw error;
            }
            log.warn("Sink of consumer '{}' failed to close", name(), failure);
            this.closed.completeExceptionally(failure);
        }
    }

    /** Drops what is left after the connection was lost; runs on the drain loop, the buffer's only reader. */
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
        if (lostUnits > 0) {
            if (this.abortRequested) {
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
            if (this.abortRequested) {
                abortSink();
            }
            Throwable reason = this.lossReason;
            if (reason != null) {
                this.closed.completeExceptionally(reason);
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
            if (failure instanceof VirtualMachineError error) {
                throw error;
            }
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
