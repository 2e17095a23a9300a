package dev.sluice.twisted.pcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import dev.sluice.twisted.internal.SerialLane;
import org.jspecify.annotations.Nullable;

/**
 * A man in the middle: a producer to the consumer below it and a consumer to the producer above it, which buffers
 * writes while it is paused and passes its own pause, resume and stop up to its producer. Twisted's
 * {@code pcp.BasicProducerConsumerProxy} (PCP-B1 to PCP-B8).
 *
 * <ul>
 *   <li>{@link #create} registers the proxy with its consumer, as a push producer unless built as a pull one
 *       (PCP-B1).</li>
 *   <li>While paused, or while a pull proxy has no outstanding request, writes are buffered; {@link #resumeProducing()}
 *       sends the buffer as one merged write (never an empty one), and resumes the producer above (PCP-B3, PCP-B5):
 *       a pull producer every time, as in Twisted; a push producer only to balance a pause the proxy passed up.</li>
 *   <li>{@link #stopProducing()} stops the producer above and forgets the consumer: later writes are dropped
 *       (PCP-B4).</li>
 *   <li>{@link #registerProducer} never resumes a push producer (PCP-B7); {@link #unregisterProducer()} always
 *       passes the unregistration down (PCP-B8).</li>
 * </ul>
 * Registration follows {@link Consumer}, not Twisted, which stores a second producer over the first (PCP-B7) and so
 * silently drops what the proxy owes the first: a second registration while a producer is registered throws
 * {@link IllegalStateException} and leaves the first in place, and a producer that is not a {@link PushProducer}
 * registered as streaming throws {@link IllegalArgumentException}. A producer registered after the proxy passed an
 * unregistration down registers the proxy with its consumer again (Twisted's proxy stays unregistered, deaf to the
 * consumer's resumes, so a producer paused there would wait for ever).
 *
 * <p>{@link #finish()} unregisters the producer above (PCP-B6), which then gets no resume from this proxy: a producer
 * the proxy still owes an answer to (paused by it, or owed a pull) is stopped instead, and so is that producer when it
 * writes after {@code finish()} and gets {@code false}, until it unregisters or another producer registers.
 * A pause is passed up only to a {@link PushProducer}: a pull producer has nothing to pause. Pauses and resumes are
 * passed up edge-triggered, where Twisted passes every one: a push producer sees pause and resume strictly alternate
 * (its state table forbids pausing a paused producer or resuming a running one). The difference shows only where
 * Twisted would break that table: a second pause without a resume, a resume of a producer never paused, or a pause
 * nested in the merged write of {@code resumeProducing} followed by that call's resume. No call reaches a producer
 * above after its {@code stopProducing}.
 *
 * <h2>What {@code write} answers, and the promise</h2>
 * Twisted's {@code write} answers nothing; here it answers whether the producer above may go on writing
 * ({@link Consumer#write}), and keeps {@link Consumer}'s promise: <strong>a {@code write} that returned
 * {@code false} is followed by {@code resumeProducing} or {@code stopProducing} to the producer registered above</strong>
 * (a producer that unregisters owes and is owed nothing). The basic proxy answers {@code false}
 * <ul>
 *   <li>while it is paused by its consumer: a push producer above has been paused (the pause passed up, or, for a
 *       producer registered while the proxy was already paused, sent by the write that got {@code false}) and is resumed
 *       when the consumer resumes the proxy; a pull producer above is resumed by that resume anyway (PCP-B3);</li>
 *   <li>when its write could not run at once because another thread's call is running (the write is queued): the
 *       proxy has no buffer bound of its own, so a writer that honours {@code false} adds at most one queued write per
 *       thread (DESIGN §4.5). Once the queued write has run, a push producer above is paused, and resumed on the
 *       thread running the proxy once no other thread's write is queued (a resume reaches every thread writing for
 *       that producer), unless the proxy is paused, when the consumer's resume brings it; a pull producer is resumed
 *       once the queued write has run;</li>
 *   <li>after the consumer below stopped the proxy: the producer above has been stopped (PCP-B4), and a producer
 *       registered since is stopped by the write that got {@code false}.</li>
 * </ul>
 * As a producer the proxy honours the {@code false} of the consumer below: that write pauses the proxy at once, as the
 * pause that {@code false} promises will (so a producer above that honours {@code false} stays within the bound of the
 * consumer below even while that pause is on its way), and the consumer's resume resumes it.
 *
 * <p>A {@code false} answer never waits: its pause, resume or stop is delivered on the thread that runs the proxy. When
 * that is the writer's own thread (the proxy was idle, or the producer writes from inside its own
 * {@code resumeProducing}), the only call it receives inside its {@code write} is the pause that write made due
 * (DESIGN §4.6).
 *
 * <h2>Threads</h2>
 * The proxy keeps {@link dev.sluice.Consumer}'s threading contract on both of its sides. Every public method may be
 * called from any thread. Its state machine runs on a lock-free serial lane
 * ({@code dev.sluice.twisted.internal.SerialLane}): the calls run one at a time, never overlapping, each seeing what
 * the one before it did.
 * <ul>
 *   <li>A call made while the proxy is idle runs at once on the caller's thread, which also runs the calls other
 *       threads make meanwhile. A call made from another thread while one runs is queued and run, in order per
 *       calling thread, right after the running one returns; the caller does not wait. So on one thread the proxy
 *       behaves exactly as Twisted's does, and across threads nothing blocks.</li>
 *   <li>A call made from inside a running call on the same thread (the consumer below pausing the proxy from
 *       inside the proxy's write; the producer above writing from inside its {@code resumeProducing}) runs at once,
 *       nested, as in Twisted.</li>
 *   <li>Every call the proxy makes ({@code write} and {@code unregisterProducer} below; {@code pauseProducing},
 *       {@code resumeProducing} and {@code stopProducing} above) is made from the lane, so the producer above sees
 *       its callbacks serialized, in the order of the state changes that caused them, and none is lost. No lock is
 *       held during any of them.</li>
 *   <li>Writes from several threads reach the consumer below in the order the lane ran them: each writer's chunks
 *       in that writer's order.</li>
 * </ul>
 * Subclasses change the behaviour through the protected {@code handle...} methods and {@code writeSomeData}, which
 * run on the lane; the protected fields belong to the lane and must be read and written only from there.
 *
 * <h2>Failures</h2>
 * The proxy calls user code (the consumer below, the producer above, the {@link ChunkType}) from its lane. What such
 * a call throws — any {@link Throwable} — goes to the caller whose call the lane was running, as in Twisted (a
 * producer whose write made the consumer below throw gets the exception from {@code write}); the failure of a call
 * queued from another thread, whose caller has gone, is logged once. Either way the lane is released, the proxy's
 * accounts stay right (a chunk whose write below threw counts as gone) and the pauses and resumes it owes are still
 * settled after the call.
 *
 * @param <T> the chunk type
 */
public class BasicProducerConsumerProxy<T> implements PushProducer, Consumer<T>, Finishable {

    /** How chunks are merged and weighed. */
    protected final ChunkType<T> chunks;

    /** Whether this proxy is a push producer to its consumer (Twisted's {@code iAmStreaming}). */
    protected final boolean iAmStreaming;

    /** The consumer below; null after {@link #stopProducing()}. */
    protected @Nullable Consumer<T> consumer;

    /** The producer above, or null. */
    protected @Nullable Producer producer;

    /** Whether the producer above was registered as a push producer. */
    protected boolean producerIsStreaming;

    /** Whether this proxy was paused by its consumer; volatile for {@link #toString()} only. */
    protected volatile boolean paused;

    /** Whether this proxy has passed a pause up to its producer and not yet a resume. */
    protected boolean upstreamPaused;

    /** Whether a pull proxy was asked for data it has not written yet. */
    protected boolean outstandingPull;

    /** Whether the consumer below stopped this proxy (PCP-B4): writes are answered {@code false}. */
    protected volatile boolean stopped;

    /** Whether the producer above has been sent {@code stopProducing}: no other call goes to it. */
    protected boolean upstreamStopped;

    /** Resumes received from the consumer below; confined to the lane. */
    private long resumesReceived;

    /** Chunks waiting to be written, in order. */
    protected final List<T> buffer = new ArrayList<>();

    private final SerialLane lane = new SerialLane(getClass().getSimpleName());

    /** The producer registered above as its callers see it, for refusing a second one at the call; any thread. */
    private final AtomicReference<@Nullable Producer> registered = new AtomicReference<>();

    /** The producer {@link #finish()} unregistered, owed a stop should it write and get {@code false}; lane only. */
    private @Nullable Producer finishedProducer;

    /** Whether this proxy passed an unregistration down, so that a new producer registers it again; lane only. */
    private boolean detachedBelow;

    /** Writes handed to the lane that have not run yet; counted by the writers, taken off by the lane. */
    private final AtomicInteger pendingWrites = new AtomicInteger();

    /** Whether a push producer above was paused for a queued write and waits for the queue to empty; lane only. */
    private boolean pausedForQueue;

    /** The size of {@link #buffer} after the last call, for other threads. */
    private volatile int bufferedChunks;

    /**
     * Creates a proxy without registering it; call {@link #registerWithConsumer()} once it is fully built, or use
     * {@link #create}. (Twisted registers in the constructor; a Java constructor must not hand out {@code this}.)
     *
     * @param consumer the consumer below, or null
     * @param chunks how chunks are merged and weighed
     * @param streaming whether this proxy registers as a push ({@code true}) or pull producer
     */
    protected BasicProducerConsumerProxy(@Nullable Consumer<T> consumer, ChunkType<T> chunks, boolean streaming) {
        this.consumer = consumer;
        this.chunks = Objects.requireNonNull(chunks, "chunks");
        this.iAmStreaming = streaming;
    }

    /**
     * Creates a proxy and registers it with {@code consumer}.
     *
     * @param consumer the consumer below
     * @param chunks how chunks are merged and weighed
     * @param streaming whether the proxy is a push ({@code true}) or pull producer to its consumer
     * @param <T> the chunk type
     * @return the registered proxy
     */
    public static <T> BasicProducerConsumerProxy<T> create(Consumer<T> consumer, ChunkType<T> chunks,
            boolean streaming) {
        BasicProducerConsumerProxy<T> proxy = new BasicProducerConsumerProxy<>(consumer, chunks, streaming);
        proxy.registerWithConsumer();
        return proxy;
    }

    /** Registers this proxy with its consumer, if it has one (PCP-B1). */
    public final void registerWithConsumer() {
        serially(() -> {
            Consumer<T> below = this.consumer;
            if (below != null) {
                below.registerProducer(this, this.iAmStreaming);
            }
        });
    }

    @Override
    public final void pauseProducing() {
        serially(this::handlePause);
    }

    @Override
    public final void resumeProducing() {
        serially(() -> {
            this.resumesReceived++;
            handleResume();
        });
    }

    @Override
    public final void stopProducing() {
        serially(this::handleStop);
    }

    /**
     * Buffers {@code data} while paused or not asked for (a pull proxy); otherwise passes it down (PCP-B5). Never waits
     * for another thread: while another thread runs the proxy, the write is queued for it.
     *
     * @return whether the producer above may go on writing; a {@code false} is followed by a resume or a stop (see
     *         the class description)
     */
    @Override
    public final boolean write(T data) {
        Objects.requireNonNull(data, "data");
        Write write = new Write(data, admit(data));
        this.pendingWrites.incrementAndGet();
        serially(write);
        int answer = write.get();
        if (answer == Write.PENDING) {
            // queued behind another thread's call: answer now; the lane keeps the promise of a false when it runs it
            answer = write.decide(acceptsQueuedWrites() && isWritable());
        }
        return answer == Write.WRITABLE;
    }

    /**
     * Counts a write on the writing thread, before it is handed to the lane, and returns the units counted; the lane
     * gets them back in {@link #handleWrite}. The basic proxy counts nothing. Any thread.
     *
     * @param data the chunk
     * @return the units counted
     */
    protected long admit(T data) {
        return 0;
    }

    /**
     * Whether a write queued behind another thread's call may be answered {@code true} before it has run: only when
     * the proxy counts queued writes against a bound of its own ({@link #admit}). The basic proxy has none.
     */
    protected boolean acceptsQueuedWrites() {
        return false;
    }

    /** Whether the producer above may go on writing: the proxy is neither paused nor stopped. Any thread; a snapshot. */
    protected boolean isWritable() {
        return !this.paused && !this.stopped;
    }

    /**
     * Finishes the consumer below if it is {@link Finishable}, then unregisters (PCP-B6); a producer above still owed an
     * answer is stopped (see the class description).
     */
    @Override
    public final void finish() {
        this.registered.set(null);
        serially(() -> {
            Producer above = this.producer;
            boolean owed = above != null && owesAnswer();
            handleFinish();
            if (above != null && this.producer == null) {
                if (owed) {
                    stopAbove(above);
                }
                else {
                    this.finishedProducer = above;
                }
            }
        });
    }

    /**
     * Stores the producer (PCP-B7; the bounded proxy pulls a pull producer, PCP-4).
     *
     * @throws IllegalStateException if a producer is registered already; the first one stays
     * @throws IllegalArgumentException if {@code streaming} is {@code true} and the producer is not a
     *         {@link PushProducer}
     */
    @Override
    public final void registerProducer(Producer producer, boolean streaming) {
        Objects.requireNonNull(producer, "producer");
        if (streaming && !(producer instanceof PushProducer)) {
            throw new IllegalArgumentException("a producer registered as streaming must be a PushProducer: " + producer);
        }
        if (!this.registered.compareAndSet(null, producer)) {
            throw new IllegalStateException("a producer is registered already: " + this.registered.get());
        }
        serially(() -> {
            this.finishedProducer = null;
            reattachBelow();
            handleRegister(producer, streaming);
        });
    }

    /** Forgets the producer and unregisters from the consumer below (PCP-B8; the bounded proxy may postpone it). */
    @Override
    public final void unregisterProducer() {
        this.registered.set(null);
        serially(() -> {
            this.finishedProducer = null;
            handleUnregister();
        });
    }

    /**
     * Whether the producer above is owed a resume or a stop for a {@code false} it got (it is paused by this proxy),
     * which {@link #finish()} turns into a stop. Runs on the lane.
     */
    protected boolean owesAnswer() {
        return this.upstreamPaused;
    }

    /** Passes an unregistration down to {@code below} and remembers it (PCP-B8, PCP-6). Runs on the lane. */
    protected final void unregisterBelow(Consumer<T> below) {
        this.detachedBelow = true;
        below.unregisterProducer();
    }

    /**
     * Registers this proxy with its consumer again after it passed an unregistration down; the pause that consumer
     * gave the proxy before is void, so the buffer goes down now unless the registration pauses the proxy again. Runs
     * on the lane.
     */
    private void reattachBelow() {
        Consumer<T> below = this.consumer;
        if (!this.detachedBelow || below == null || this.stopped) {
            return;
        }
        this.detachedBelow = false;
        this.paused = false;
        long resumesBefore = this.resumesReceived;
        below.registerProducer(this, this.iAmStreaming); // may pause the proxy, nested (FD-3)
        if (!this.paused && this.resumesReceived == resumesBefore && !this.buffer.isEmpty()) {
            flushBuffer(below);
        }
    }

    /** Sends the buffer down as one merged write. Runs on the lane; the bounded proxy keeps its own accounts. */
    protected void flushBuffer(Consumer<T> below) {
        T merged = this.chunks.join(this.buffer);
        this.buffer.clear();
        passDown(below, merged);
    }

    /** The number of chunks buffered after the last call that has run; any thread. */
    public final int bufferedChunks() {
        return this.bufferedChunks;
    }

    /**
     * Runs {@code call} on the lane: now, nested, or after the running call (see the class comment); then settles what
     * the proxy owes its producer ({@link #settle()}), even when the call threw, and rethrows what it threw.
     */
    private void serially(Runnable call) {
        this.lane.execute(() -> {
            Throwable failure = null;
            try {
                call.run();
            }
            catch (Throwable thrown) {
                failure = thrown;
            }
            try {
                settle();
                resumeAfterQueuedWrites();
            }
            catch (Throwable thrown) {
                failure = combined(failure, thrown);
            }
            this.bufferedChunks = this.buffer.size();
            if (failure != null) {
                throw BasicProducerConsumerProxy.<RuntimeException>sneaky(failure);
            }
        });
    }

    /** The first failure, with a later one added to it as suppressed. */
    private static Throwable combined(@Nullable Throwable first, Throwable later) {
        if (first == null) {
            return later;
        }
        if (first != later) {
            first.addSuppressed(later);
        }
        return first;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable failure) throws E {
        throw (E) failure;
    }

    /**
     * Called on the lane after every call: makes the calls to the producer above that the proxy's state now asks for.
     * The basic proxy makes them where its state changes and has nothing to settle; the bounded proxy pauses and
     * resumes its producer here (PCP-2, PCP-3).
     */
    protected void settle() {
    }

    /**
     * Keeps the promise of a write answered {@code false} (see the class description), right after that write has run.
     * Runs on the lane.
     */
    protected void handleRefusedWrite() {
        Producer above = this.producer;
        if (above == null) {
            Producer finished = this.finishedProducer;
            if (finished != null) {
                this.finishedProducer = null; // it wrote after finish(): nothing will resume it
                finished.stopProducing();
            }
            return;
        }
        if (this.upstreamStopped) {
            return; // the producer has had its last call
        }
        if (this.stopped) {
            stopAbove(above);
        }
        else if (above instanceof PushProducer push) {
            if (!this.upstreamPaused) {
                this.upstreamPaused = true; // a producer registered while the proxy was paused, or a queued write
                push.pauseProducing();
            }
            this.pausedForQueue = this.upstreamPaused; // resumed once the queue is empty, unless the proxy is paused
        }
        else if (!this.paused) {
            above.resumeProducing(); // paused, the consumer's resume pulls it (PCP-B3)
        }
    }

    /**
     * Resumes a push producer above that was paused for a queued write once no write is queued any more and nothing
     * holds the proxy: a resume is the producer's, not one writer's, so resuming it while other threads' writes are
     * still queued would let each of them write again past the bound. Runs on the lane after every call.
     */
    private void resumeAfterQueuedWrites() {
        if (!this.pausedForQueue || this.pendingWrites.get() != 0) {
            return;
        }
        this.pausedForQueue = false;
        Producer above = this.producer;
        if (!this.paused && this.upstreamPaused && !this.upstreamStopped && !this.stopped
                && above instanceof PushProducer push) {
            this.upstreamPaused = false;
            push.resumeProducing();
        }
    }

    /**
     * Writes {@code data} to the consumer below and honours its answer, as a producer should: a {@code false} pauses the
     * proxy at once ({@link #handlePause()}), as the pause that {@code false} promises will, unless the consumer has
     * resumed the proxy from inside the write. So writes that follow wait in the buffer instead of running past the
     * consumer's bound while its pause is on its way (from its drain executor, say). Runs on the lane.
     *
     * @param below the consumer below
     * @param data the chunk
     * @return what the consumer answered
     */
    protected final boolean passDown(Consumer<T> below, T data) {
        long resumesBefore = this.resumesReceived;
        boolean writable = below.write(data);
        if (!writable && !this.paused && this.resumesReceived == resumesBefore) {
            handlePause();
        }
        return writable;
    }

    /** Stops the producer above, once. Runs on the lane. */
    protected final void stopAbove(Producer above) {
        if (!this.upstreamStopped) {
            this.upstreamStopped = true;
            above.stopProducing();
        }
    }

    /**
     * Pauses and relays the pause to a push producer above (PCP-B2), edge-triggered: not to a producer this proxy has
     * already paused. Runs on the lane.
     */
    protected void handlePause() {
        this.paused = true;
        if (this.producer instanceof PushProducer push && !this.upstreamPaused && !this.upstreamStopped) {
            this.upstreamPaused = true;
            push.pauseProducing();
        }
    }

    /**
     * Sends the buffer as one merged write, then resumes the producer above (PCP-B3): a pull producer always; a push
     * producer only to balance a pause this proxy passed up, and not when the merged write has paused the proxy again
     * (the consumer below paused it from inside the write). Runs on the lane.
     */
    protected void handleResume() {
        this.paused = false;
        if (!this.buffer.isEmpty()) {
            T merged = this.chunks.join(this.buffer);
            this.buffer.clear();
            Consumer<T> below = this.consumer;
            if (below != null) {
                passDown(below, merged);
            }
        }
        else if (!this.iAmStreaming) {
            this.outstandingPull = true;
        }
        Producer above = this.producer;
        if (above == null || this.upstreamStopped) {
            return;
        }
        if (this.upstreamPaused) {
            if (!this.paused) {
                this.upstreamPaused = false;
                above.resumeProducing();
            }
        }
        else if (!this.producerIsStreaming) {
            above.resumeProducing();
        }
    }

    /**
     * Stops the producer above and forgets the consumer below (PCP-B4); later writes are answered {@code false}. Runs on
     * the lane.
     */
    protected void handleStop() {
        this.stopped = true;
        this.consumer = null;
        Producer above = this.producer;
        if (above != null) {
            stopAbove(above);
        }
    }

    /**
     * Buffers or passes down one chunk (PCP-B5). Runs on the lane.
     *
     * @param data the chunk
     * @param units what {@link #admit} counted for it
     */
    protected void handleWrite(T data, long units) {
        if (mustBuffer()) {
            this.buffer.add(data);
            return;
        }
        Consumer<T> below = this.consumer;
        if (below != null) {
            passDown(below, data);
            this.outstandingPull = false;
        }
    }

    /** Whether a write now must wait in the buffer. Runs on the lane. */
    protected final boolean mustBuffer() {
        return this.paused || (!this.iAmStreaming && !this.outstandingPull);
    }

    /** Finishes the consumer below, then unregisters (PCP-B6). Runs on the lane. */
    protected void handleFinish() {
        if (this.consumer instanceof Finishable finishable) {
            finishable.finish();
        }
        handleUnregister();
    }

    /** Stores the producer (PCP-B7). Runs on the lane. */
    protected void handleRegister(Producer producer, boolean streaming) {
        this.upstreamPaused = false;
        this.pausedForQueue = false;
        this.upstreamStopped = false;
        this.producer = producer;
        this.producerIsStreaming = streaming;
    }

    /** Forgets the producer and unregisters from the consumer below (PCP-B8). Runs on the lane. */
    protected void handleUnregister() {
        this.upstreamPaused = false;
        this.pausedForQueue = false;
        this.producer = null;
        this.producerIsStreaming = false;
        Consumer<T> below = this.consumer;
        if (below != null) {
            unregisterBelow(below);
        }
    }

    /**
     * One write on its way through the lane, and its answer: decided by the lane when it runs the write, or by the
     * writer when the write is still queued as it returns; whichever comes first. When the answer is {@code false} the
     * lane keeps its promise right after running the write.
     */
    private final class Write extends AtomicInteger implements Runnable {

        private static final long serialVersionUID = 1L;

        static final int PENDING = 0;

        static final int WRITABLE = 1;

        static final int REFUSED = 2;

        private final transient T data;

        private final long units;

        Write(T data, long units) {
            this.data = data;
            this.units = units;
        }

        /** Sets the answer unless it is set already; returns the answer in force. */
        int decide(boolean writable) {
            int proposed = writable ? WRITABLE : REFUSED;
            return compareAndSet(PENDING, proposed) ? proposed : get();
        }

        @Override
        public void run() {
            pendingWrites.decrementAndGet();
            Throwable failure = null;
            try {
                handleWrite(this.data, this.units);
            }
            catch (Throwable thrown) {
                failure = thrown;
            }
            if (decide(isWritable()) == REFUSED) {
                try {
                    handleRefusedWrite();
                }
                catch (Throwable thrown) {
                    failure = combined(failure, thrown);
                }
            }
            if (failure != null) {
                throw BasicProducerConsumerProxy.<RuntimeException>sneaky(failure);
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (this.paused ? "paused" : "producing") + ", " + this.bufferedChunks
                + " buffered]";
    }
}
