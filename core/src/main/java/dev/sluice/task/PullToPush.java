package dev.sluice.task;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;
import dev.sluice.PushProducer;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * Drives a {@link PullProducer} as a {@link PushProducer}: a {@link CooperativeTask} calls the pull producer's
 * {@code resumeProducing()} once per work unit, and pausing this producer pauses the task. Twisted's
 * {@code _PullToPush}.
 *
 * <h2>The consumer's part (PP-2)</h2>
 * The adapter needs its consumer's cooperation: the consumer registers the adapter as a streaming producer and then
 * calls {@link #startStreaming()}; when the producer is unregistered, the consumer calls {@link #stopStreaming()}.
 * {@link #register(PullProducer, Consumer, Cooperator)} does the first half for any consumer.
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
 *       stream ends (PP-8). No exception from the producer or consumer reaches the cooperator (PP-9).</li>
 * </ul>
 * All methods may be called from any thread; the pull producer's {@code resumeProducing} calls are serialized on the
 * cooperator's ticks.
 */
public final class PullToPush implements PushProducer {

    private static final Log LOG = Log.of(PullToPush.class);

    private final PullProducer producer;

    private final Consumer<?> consumer;

    private final Cooperator cooperator;

    private final Object lock = new Object();

    // guarded by lock
    private @Nullable CooperativeTask<Pull> task;
    private boolean finished;

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
    }

    /**
     * Wraps {@code producer}, registers the wrapper with {@code consumer} as a streaming producer, and starts
     * streaming: the consumer's side of PP-2 for a consumer that knows nothing of this class. The consumer must still
     * see that {@link #stopStreaming()} is called when it unregisters the producer, or the stream goes on pulling
     * until {@link #stopProducing()}; a pull producer that unregisters itself at its end can call it through
     * {@link #stopStreaming()} as well.
     *
     * @param producer the pull producer
     * @param consumer the consumer
     * @param cooperator the cooperator
     * @return the started adapter
     */
    public static PullToPush register(PullProducer producer, Consumer<?> consumer, Cooperator cooperator) {
        PullToPush adapter = new PullToPush(producer, consumer, cooperator);
        consumer.registerProducer(adapter, true);
        adapter.startStreaming();
        return adapter;
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
        task("resumeProducing").resume();
    }

    /**
     * Stops the stream (if started) and then the pull producer. Forwarded to the pull producer on every call; only
     * the stream's stop is idempotent (PP-6).
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
        this.producer.stopProducing();
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
            try {
                PullToPush.this.producer.resumeProducing();
            }
            catch (Exception ex) {
                LOG.error("Unhandled error while calling resumeProducing on {}", PullToPush.this.producer, ex);
                unregister();
            }
            return null;
        }

        private void unregister() {
            try {
                PullToPush.this.consumer.unregisterProducer();
            }
            catch (Exception ex) {
                LOG.error("Unhandled error while calling unregisterProducer on {}", PullToPush.this.consumer, ex);
                synchronized (PullToPush.this.lock) {
                    PullToPush.this.finished = true;
                }
                this.ended = true;
            }
        }
    }
}
