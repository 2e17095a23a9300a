package dev.sluice.twisted.task;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

import dev.sluice.BufferView;
import dev.sluice.Consumer;
import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.PullProducer;
import dev.sluice.PushProducer;
import dev.sluice.internal.Log;
import dev.sluice.twisted.internal.SerialLane;
import org.jspecify.annotations.Nullable;

/**
 * Drives a {@link PullProducer} as a {@link PushProducer}: a {@link CooperativeTask} calls the pull producer's
 * {@code resumeProducing()} once per work unit, and pausing this producer pauses the task. Twisted's
 * {@code _PullToPush}.
 *
 * <h2>The consumer's part (PP-2)</h2>
 * The adapter needs its consumer's cooperation: the consumer registers the adapter as a streaming producer and then
 * calls {@link #startStreaming()}; when the producer is unregistered, the consumer calls {@link #stopStreaming()}.
 * {@link #register(PullProducer, Consumer, Cooperator)} does this for a consumer that knows nothing of this class,
 * and {@link #consumer(Consumer, Cooperator)} decorates any consumer so that every pull producer registered with it is
 * streamed this way, so a pull producer such as {@link dev.sluice.file.FileSender} never needs to know.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>The constructor has no side effects; the first {@code resumeProducing} happens on a cooperator tick after
 *       {@link #startStreaming()}, never inside it (PP-3).</li>
 *   <li>{@link #pauseProducing()} and {@link #resumeProducing()} pause and resume the task, with its rules: pauses
 *       nest, a resume without a pause throws {@link NotPausedException}, a pause after the stream stopped throws
 *       {@link TaskStoppedException} (PP-4). Before {@link #startStreaming()} they throw
 *       {@link IllegalStateException}.</li>
 *   <li>{@link #stopStreaming()} is idempotent (PP-5); before {@link #startStreaming()} it throws
 *       {@link IllegalStateException} and changes nothing.</li>
 *   <li>{@link #stopProducing()} stops the stream and forwards {@code stopProducing} to the pull producer (PP-6).</li>
 *   <li>If the pull producer's {@code resumeProducing} throws, the error is logged with the producer's name and the
 *       consumer's {@code unregisterProducer()} is called; the adapter keeps pulling until the consumer calls
 *       {@link #stopStreaming()} (PP-7). If {@code unregisterProducer} throws too, that is logged as well and the
 *       stream ends in that same work unit: the task is done, its {@code whenDone} succeeds, a later
 *       {@link #stopStreaming()} is a no-op and a later {@link #pauseProducing()} throws {@link TaskDoneException}
 *       (PP-8, CO-8). No exception from the producer or consumer reaches the cooperator (PP-9).</li>
 * </ul>
 * All methods may be called from any thread. The pull producer's callbacks — {@code resumeProducing} from the
 * cooperator's ticks, {@code stopProducing} from whoever stops the adapter — go through one serial lane: they never
 * overlap, a {@code stopProducing} comes after any {@code resumeProducing} in progress, and no {@code resumeProducing}
 * follows it. {@link #stopProducing()} never waits: when a resume is in progress on the cooperator's thread, that thread
 * delivers the stop right after it. A stop made from inside the producer's own {@code resumeProducing} (its consumer
 * stopping it from inside a write) is delivered at once, nested, as in Twisted (PP-6).
 *
 * <h2>Bounded buffers: honouring {@code false}</h2>
 * A consumer pauses a push producer from whichever thread crosses its high-water mark, and when another thread is in
 * the middle of a callback to the same producer the pause arrives only after it; meanwhile a pull producer driven on
 * the cooperator's thread would go on writing. So the adapter honours {@code false} as a producer adapter should: it
 * stops pulling and waits for the resume (or the stop) that every {@code false} promises ({@link Consumer#write}).
 * <ul>
 *   <li>Writes made through {@link #consumer(Consumer, Cooperator)} pass the decorated consumer's answer back to the
 *       pull producer and, on {@code false}, stop the adapter pulling until the consumer resumes it (a resume that
 *       came while the write was still running counts).</li>
 *   <li>When the consumer is a {@link BufferView} (as {@link dev.sluice.BufferedConsumer} and
 *       {@link dev.sluice.twisted.web2.ProducerToStream} are), a work unit also pulls only while the consumer
 *       {@linkplain BufferView#isWritable() is writable}: the consumer's own water-mark policy decides, hysteresis and
 *       operator holds included, so after a crossing nothing is pulled until the buffer has drained to the low-water
 *       mark, and the buffer never exceeds the high mark by more than one chunk.</li>
 * </ul>
 * Either way the work units that find the adapter refused pull nothing, and last only until the pause the consumer
 * owes the adapter arrives (then the task is paused and is not ticked) or its stop (then the task ends): a consumer that
 * can never become writable again stops its producer, as a finished {@code ProducerToStream} does, so the cooperator
 * does not tick an empty task for ever.
 *
 * <h2>Failures</h2>
 * Whatever the pull producer or the consumer throws, any {@link Throwable}, is logged as PP-7 and PP-8 say and never
 * reaches the cooperator (PP-9); a {@link VirtualMachineError} is rethrown after that. A {@code stopProducing} of the
 * pull producer that throws is logged.
 */
public final class PullToPush implements PushProducer {

    private static final Log LOG = Log.of(PullToPush.class);

    private final PullProducer producer;

    private final Consumer<?> consumer;

    private final Cooperator cooperator;

    /** Carries every call to the pull producer, so that they never overlap. */
    private final SerialLane calls;

    /** Whether the pull producer has been stopped; confined to {@link #calls}. */
    private boolean producerStopped;

    /** The buffer to look at before each pull, when the consumer shows one. */
    private volatile @Nullable BufferView buffer;

    private final Object lock = new Object();

    // guarded by lock
    private @Nullable CooperativeTask<Pull> task;
    private boolean finished;
    /** Resumes received from the consumer; read before a write that may be answered false. */
    private long resumes;

    /** Whether a write got {@code false} and no resume has come since: no pull until one comes. */
    private volatile boolean refused;

    /**
     * Creates an adapter; nothing happens until {@link #startStreaming()}.
     *
     * @param producer the pull producer to drive
     * @param consumer the consumer it writes into, which is told to unregister when the producer fails
     * @param cooperator the cooperator whose ticks drive the producer
     */
    public PullToPush(PullProducer producer, Consumer<?> consumer, Cooperator cooperator) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.cooperator = Objects.requireNonNull(cooperator, "cooperator");
        this.buffer = (consumer instanceof BufferView view) ? view : null;
        this.calls = new SerialLane("PullToPush[" + producer + "]");
    }

    /**
     * Wraps {@code producer}, registers the wrapper with {@code consumer} as a streaming producer and starts streaming:
     * the consumer's side of PP-2, for a consumer that knows nothing of this class. The wrapper is held paused while it
     * registers, so a consumer that pauses a producer at registration (a full buffer) is obeyed. When the consumer is a
     * {@link ConsumerSupport} (such as {@link dev.sluice.BufferedConsumer}), the stream also stops when the wrapper is
     * unregistered; any other consumer must call {@link #stopStreaming()} itself, or use
     * {@link #consumer(Consumer, Cooperator)}.
     *
     * @param producer the pull producer
     * @param consumer the consumer
     * @param cooperator the cooperator
     * @return the started adapter
     * @throws IllegalStateException if the consumer already has a producer (the stream is then stopped)
     */
    public static PullToPush register(PullProducer producer, Consumer<?> consumer, Cooperator cooperator) {
        return start(new PullToPush(producer, consumer, cooperator), consumer);
    }

    private static PullToPush start(PullToPush adapter, Consumer<?> consumer) {
        if (consumer instanceof ConsumerSupport<?> support && support.producer() != null) {
            // refused before the stream starts: a started stream could be pulled by a cooperator tick before the
            // registration below is refused (a registration racing another one on another thread still can)
            throw new IllegalStateException("Cannot register " + adapter + " with consumer " + consumer
                    + ", because producer " + support.producer() + " was never unregistered");
        }
        adapter.heldUntilRegistered = true; // no pull before the registration; not the task's pause: a stream that
        adapter.startStreaming();          // ended before it would make that pause throw
        StopOnUnregister listener = null;
        if (consumer instanceof ConsumerSupport<?> support) {
            listener = new StopOnUnregister(adapter, support);
            support.addProducerListener(listener);
        }
        try {
            consumer.registerProducer(adapter, true);
        }
        catch (RuntimeException ex) {
            if (listener != null) {
                listener.support.removeProducerListener(listener);
            }
            adapter.stopStreaming();
            throw ex;
        }
        adapter.heldUntilRegistered = false;
        return adapter;
    }

    /**
     * Returns a consumer that passes everything to {@code consumer} but drives each pull producer registered with it
     * through a {@code PullToPush} on {@code cooperator}, registered with {@code consumer} as a push producer, and stops
     * that stream when the producer is unregistered: PP-2 for any consumer. Push producers pass through unchanged.
     *
     * @param consumer the consumer to decorate
     * @param cooperator the cooperator that drives pull producers
     * @param <T> the data type
     * @return the decorating consumer
     */
    public static <T> Consumer<T> consumer(Consumer<T> consumer, Cooperator cooperator) {
        return new StreamingConsumer<>(consumer, cooperator);
    }

    /**
     * Starts pulling: from the next cooperator tick on, the pull producer's {@code resumeProducing} is called once per
     * work unit until the stream is stopped or paused.
     *
     * @throws IllegalStateException if streaming was already started or the producer was stopped
     */
    public void startStreaming() {
        synchronized (this.lock) {
            if (this.task != null) {
                throw new IllegalStateException("startStreaming() was already called on " + this);
            }
            if (this.finished) {
                throw new IllegalStateException("the producer was stopped before startStreaming(): " + this);
            }
            this.task = this.cooperator.cooperate(new Pull());
        }
    }

    /**
     * Stops pulling for good; the task ends with {@link TaskStoppedException}. Idempotent.
     *
     * @throws IllegalStateException if {@link #startStreaming()} was never called
     */
    public void stopStreaming() {
        CooperativeTask<Pull> running;
        synchronized (this.lock) {
            running = requireTask("stopStreaming");
            if (this.finished) {
                return;
            }
            this.finished = true;
        }
        try {
            running.stop();
        }
        catch (TaskFinishedException | SchedulerStoppedException alreadyOver) {
            // the task ended on its own (its cooperator stopped): nothing left to stop
        }
    }

    /**
     * Pauses pulling; nests.
     *
     * @throws IllegalStateException before {@link #startStreaming()}
     * @throws TaskFinishedException after the stream has stopped
     */
    @Override
    public void pauseProducing() {
        task("pauseProducing").pause();
    }

    /**
     * Balances one {@link #pauseProducing()}; pulling goes on from the next tick.
     *
     * @throws IllegalStateException before {@link #startStreaming()}
     * @throws NotPausedException if not paused
     */
    @Override
    public void resumeProducing() {
        CooperativeTask<Pull> running;
        synchronized (this.lock) {
            running = requireTask("resumeProducing");
            this.resumes++;
            this.refused = false;
        }
        running.resume();
    }

    /** The number of resumes received so far; taken before a write whose answer may be {@code false}. */
    long resumes() {
        synchronized (this.lock) {
            return this.resumes;
        }
    }

    /**
     * A write got {@code false}: pull nothing more until the consumer resumes the adapter, unless it has done so since
     * {@code resumesBefore} was taken (the resume overtook the answer).
     */
    void writeRefused(long resumesBefore) {
        synchronized (this.lock) {
            if (this.resumes == resumesBefore) {
                this.refused = true;
            }
        }
    }

    /**
     * Stops the stream (if started) and then the pull producer, after any {@code resumeProducing} in progress (see
     * the class description). Forwarded to the pull producer on every call; only the stream's stop is idempotent
     * (PP-6).
     */
    @Override
    public void stopProducing() {
        boolean started;
        synchronized (this.lock) {
            started = this.task != null;
            if (!started) {
                this.finished = true;
            }
        }
        if (started) {
            stopStreaming();
        }
        this.calls.execute(() -> {
            this.producerStopped = true;
            try {
                this.producer.stopProducing();
            }
            catch (Throwable ex) {
                LOG.error("Unhandled error while calling stopProducing on {}", this.producer, ex);
                rethrowIfFatal(ex);
            }
        });
    }

    private static void rethrowIfFatal(Throwable failure) {
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    /** Whether the stream has finished: stopped, or ended after a failure it could not report (PP-5, PP-8). */
    public boolean isFinished() {
        synchronized (this.lock) {
            return this.finished;
        }
    }

    /** The task driving the producer, once started; for tests. */
    @Nullable CooperativeTask<?> coopTask() {
        synchronized (this.lock) {
            return this.task;
        }
    }

    private CooperativeTask<Pull> task(String method) {
        synchronized (this.lock) {
            return requireTask(method);
        }
    }

    private CooperativeTask<Pull> requireTask(String method) {
        CooperativeTask<Pull> running = this.task;
        if (running == null) {
            throw new IllegalStateException(method + "() before startStreaming() on " + this);
        }
        return running;
    }

    @Override
    public String toString() {
        return "PullToPush[" + this.producer + "]";
    }

    /** The work: one {@code resumeProducing} per step, forever, unless the failure cannot be reported. */
    /** Set by {@link #register} until the consumer has the registration: the cooperator pulls nothing meanwhile. */
    private volatile boolean heldUntilRegistered;

    private final class Pull implements Iterator<Object> {

        private volatile boolean ended;

        @Override
        public boolean hasNext() {
            return !this.ended;
        }

        @Override
        public @Nullable Object next() {
            if (this.ended) {
                throw new NoSuchElementException();
            }
            if (PullToPush.this.refused || PullToPush.this.heldUntilRegistered) {
                return null; // a write got false (the pause, then the resume, or the stop is on its way), or not yet
            }
            BufferView view = PullToPush.this.buffer;
            if (view != null && !view.isWritable()) {
                return null; // the consumer wants its producer paused and the pause is on its way: no pull meanwhile
            }
            PullToPush.this.calls.execute(this::pull);
            return null;
        }

        /** One pull, on the lane; none once the producer has been stopped. */
        private void pull() {
            if (PullToPush.this.producerStopped) {
                return;
            }
            try {
                PullToPush.this.producer.resumeProducing();
            }
            catch (Throwable ex) {
                LOG.error("Unhandled error while calling resumeProducing on {}", PullToPush.this.producer, ex);
                unregister();
                rethrowIfFatal(ex);
            }
        }

        private void unregister() {
            try {
                PullToPush.this.consumer.unregisterProducer();
            }
            catch (Throwable ex) {
                LOG.error("Unhandled error while calling unregisterProducer on {}", PullToPush.this.consumer, ex);
                CooperativeTask<Pull> running;
                synchronized (PullToPush.this.lock) {
                    PullToPush.this.finished = true;
                    running = PullToPush.this.task;
                }
                this.ended = true;
                if (running != null) {
                    running.finishFromStep(); // done in this unit (PP-8), so no later pause can leave it pending
                }
                rethrowIfFatal(ex);
            }
        }
    }
    /** Stops the stream when its adapter leaves a {@link ConsumerSupport}. */
    private static final class StopOnUnregister implements ProducerListener {

        private final PullToPush adapter;

        private final ConsumerSupport<?> support;

        StopOnUnregister(PullToPush adapter, ConsumerSupport<?> support) {
            this.adapter = adapter;
            this.support = support;
        }

        @Override
        public void unregistered(Producer producer) {
            if (producer == this.adapter) {
                this.support.removeProducerListener(this);
                this.adapter.stopStreaming();
            }
        }

        @Override
        public void stopped(Producer producer) {
            if (producer == this.adapter) {
                this.support.removeProducerListener(this); // stopProducing has stopped the stream
            }
        }
    }

    /**
     * The decorator of {@link #consumer(Consumer, Cooperator)}. Its {@code write} answers what the decorated consumer
     * answers, and keeps that answer's promise to the pull producer through the adapter: after a {@code false} the
     * adapter pulls nothing until the consumer resumes it, and then the pull producer's next {@code resumeProducing}
     * comes on a tick; if the consumer stops the adapter instead, the pull producer is stopped.
     */
    private static final class StreamingConsumer<T> implements Consumer<T> {

        private final Consumer<T> delegate;

        private final Cooperator cooperator;

        private final java.util.concurrent.atomic.AtomicReference<@Nullable PullToPush> adapter =
                new java.util.concurrent.atomic.AtomicReference<>();

        StreamingConsumer(Consumer<T> delegate, Cooperator cooperator) {
            this.delegate = Objects.requireNonNull(delegate, "consumer");
            this.cooperator = Objects.requireNonNull(cooperator, "cooperator");
        }

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
            if (streaming) {
                this.delegate.registerProducer(producer, true);
            }
            else if (producer instanceof PullProducer pull) {
                PullToPush fresh = new PullToPush(pull, this, this.cooperator);
                if (this.delegate instanceof BufferView view) {
                    fresh.buffer = view;
                }
                if (!this.adapter.compareAndSet(null, fresh)) { // set before the first pull, which may end the stream
                    throw new IllegalStateException("Cannot register " + producer + " with " + this
                            + ": a pull producer is already registered");
                }
                try {
                    start(fresh, this.delegate);
                }
                catch (RuntimeException ex) {
                    this.adapter.compareAndSet(fresh, null);
                    throw ex;
                }
            }
            else {
                throw new IllegalArgumentException(producer + " is registered as a pull producer but is no PullProducer");
            }
        }

        @Override
        public void unregisterProducer() {
            this.delegate.unregisterProducer();
            PullToPush gone = this.adapter.getAndSet(null);
            if (gone != null) {
                gone.stopStreaming();
            }
        }

        /** Passes the write on; a {@code false} also stops the adapter pulling until it is resumed. */
        @Override
        public boolean write(T data) {
            PullToPush streaming = this.adapter.get();
            long resumesBefore = (streaming != null) ? streaming.resumes() : 0;
            boolean writable = this.delegate.write(data);
            if (!writable && streaming != null) {
                streaming.writeRefused(resumesBefore);
            }
            return writable;
        }

        @Override
        public String toString() {
            return "PullToPush.consumer(" + this.delegate + ")";
        }
    }
}
