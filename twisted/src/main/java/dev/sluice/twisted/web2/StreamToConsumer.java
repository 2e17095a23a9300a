package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.Consumer;
import dev.sluice.ConsumerSupport;
import dev.sluice.PushProducer;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * Data flows from a stream to a consumer: a {@link PushProducer} that reads a {@link ByteStream} and writes it into any
 * consumer (W2-SP1…SP7). Twisted's {@code web2.stream.StreamProducer}; the opposite direction is
 * {@link ProducerToStream}.
 *
 * <p>{@link #beginProducing} registers this producer as streaming and resumes it. While it is not paused it reads a
 * chunk, writes it, and reads the next, in a loop that does not grow the stack however many chunks are at hand.
 * {@link #pauseProducing()}, or a {@code write} that returns {@code false}, stops the loop after the chunk being
 * written, and it waits for the resume (or the stop) that follows every {@code false} (a resume that arrived while the
 * write was still running counts); a read already pending still completes and
 * its chunk is still written (W2-SP4). Twisted's upstream version can stall for ever when a read returns an already
 * completed result and the consumer pauses during that write (W2-SP5); here every read is a stage and the loop keeps
 * no stale "read pending" state, which is the fixed ordering: the read is recorded, then its result is handled, and
 * handling clears it.
 *
 * <p>At the end of the stream the producer unregisters from the consumer, then (by default, see below) finishes a
 * {@link ProducerToStream} consumer, then completes the future {@link #beginProducing} returned. When a read fails, it
 * unregisters, finishes a {@link ProducerToStream} consumer with the failure, fails the future and closes the stream.
 * When the consumer calls {@link #stopProducing()}, it unregisters, fails the future with a {@link CancellationException}
 * (Twisted's ConnectionLost) and closes the stream.
 *
 * <p>Twisted never finishes a {@code ProducerStream} it writes into, so its reader waits for ever after the last chunk
 * (W2-SP7). Sluice finishes it unless built with {@code finishProducerToStream = false}.
 *
 * <p>It unregisters only while it is still its consumer's producer: a {@link dev.sluice.ConsumerSupport} consumer (every
 * Sluice consumer) that has stopped it, or from which it was unregistered, may have taken another producer since, and
 * that one stays registered. Other consumers cannot be asked, and are told to unregister as in Twisted (W2-SP6).
 *
 * <p>Failures: anything the consumer or the stream throws, any {@link Throwable}, ends the producer as a failed read
 * does (unregister, finish a {@link ProducerToStream} with it, fail the future, close the stream); a throw from one of
 * those steps is logged and the others still run, so the future always completes. A {@link VirtualMachineError} is
 * rethrown once the producer has ended.
 *
 * <h2>Threading</h2>
 * Chunks are written on the thread that runs the loop: the caller of {@link #beginProducing} or
 * {@link #resumeProducing()}, or the thread that completes a pending read. Writes never overlap and keep the stream's
 * order. {@code pauseProducing}, {@code resumeProducing} and {@code stopProducing} may come from any thread.
 */
public final class StreamToConsumer implements PushProducer {

    private static final Log log = Log.of(StreamToConsumer.class);

    private final ByteStream stream;
    private final boolean finishProducerToStream;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean done = new AtomicBoolean();
    private final ReadLoop loop = new ReadLoop() {
        @Override
        CompletionStage<@Nullable ByteBuffer> nextRead() {
            return StreamToConsumer.this.stream.read();
        }

        @Override
        boolean onChunk(@Nullable ByteBuffer chunk) {
            return write(chunk);
        }

        @Override
        void failed(Throwable failure) {
            end(failure, false);
        }
    };

    private volatile boolean paused;

    /** Guards {@link #paused} against a resume racing a {@code false} from {@code write}. */
    private final Object pauseLock = new Object();

    /** Resumes received; written under {@link #pauseLock}. */
    private volatile long resumes;
    private final AtomicReference<@Nullable Consumer<? super ByteBuffer>> consumer = new AtomicReference<>();

    /**
     * A producer of {@code stream} that finishes a {@link ProducerToStream} consumer at the end of the stream.
     *
     * @param stream the stream to write; the producer takes it and closes it when stopped
     */
    public StreamToConsumer(ByteStream stream) {
        this(stream, true);
    }

    /**
     * A producer of {@code stream}.
     *
     * @param stream the stream to write; the producer takes it and closes it when stopped
     * @param finishProducerToStream whether to {@link ProducerToStream#finish()} a {@link ProducerToStream} consumer at
     *        the end of the stream (and {@link ProducerToStream#finish(Throwable)} it when a read fails); {@code false} is
     *        Twisted's behaviour
     */
    public StreamToConsumer(ByteStream stream, boolean finishProducerToStream) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.finishProducerToStream = finishProducerToStream;
    }

    /**
     * Registers with {@code consumer} as a push producer and starts writing the stream into it.
     *
     * @param consumer where to write
     * @return a future completed after the last chunk has been written and the producer has unregistered, or failed
     *         when a read fails or the consumer stops the producer
     * @throws IllegalStateException if this producer has begun already, or the consumer has a producer
     */
    public CompletableFuture<Void> beginProducing(Consumer<? super ByteBuffer> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        if (this.done.get() || !this.consumer.compareAndSet(null, consumer)) {
            throw new IllegalStateException("StreamToConsumer has begun producing already");
        }
        try {
            consumer.registerProducer(this, true);
        }
        catch (Throwable ex) {
            this.consumer.set(null); // not registered: it may begin again
            throw ex;
        }
        resumeProducing();
        return this.finished;
    }

    /** Lets the loop read and write again, or starts it. Does nothing once the producer has finished. */
    @Override
    public void resumeProducing() {
        synchronized (this.pauseLock) {
            this.resumes++;
            this.paused = false;
        }
        if (!this.done.get() && this.running.compareAndSet(false, true)) {
            this.loop.run();
        }
    }

    /** Stops the loop after the chunk being written. A pending read still completes and is written. */
    @Override
    public void pauseProducing() {
        synchronized (this.pauseLock) {
            this.paused = true;
        }
    }

    /** Ends production: unregisters, fails the future with a {@link CancellationException}, closes the stream. */
    @Override
    public void stopProducing() {
        end(new CancellationException("the consumer stopped the producer"), true);
    }

    /** Writes one read's result; returns whether the loop goes on. */
    private boolean write(@Nullable ByteBuffer chunk) {
        Consumer<? super ByteBuffer> target = this.consumer.get();
        if (this.done.get() || target == null) {
            return false;
        }
        if (chunk == null) {
            end(null, false);
            return false;
        }
        long resumesBefore = this.resumes;
        if (!target.write(chunk)) {
            // the consumer wants a pause: stop now rather than when the callback arrives, unless a resume has
            // answered it already
            synchronized (this.pauseLock) {
                if (this.resumes == resumesBefore) {
                    this.paused = true;
                }
            }
        }
        if (!this.paused) {
            return true;
        }
        this.running.set(false);
        // a resume between the check and the release must not be lost
        return !this.paused && !this.done.get() && this.running.compareAndSet(false, true);
    }

    /**
     * Finishes once: normally at the end of the stream ({@code failure == null}), else with the failure; a consumer
     * that stopped this producer is not finished.
     */
    private void end(@Nullable Throwable failure, boolean stoppedByConsumer) {
        if (!this.done.compareAndSet(false, true)) {
            return;
        }
        this.paused = true;
        Consumer<? super ByteBuffer> target = this.consumer.get();
        Throwable fatal = null;
        if (target != null) {
            if (isRegisteredWith(target)) {
                fatal = guarded(fatal, target::unregisterProducer, "unregisterProducer on", target);
            }
            if (this.finishProducerToStream && !stoppedByConsumer
                    && target instanceof ProducerToStream producerStream) {
                fatal = guarded(fatal, () -> {
                    if (failure == null) {
                        producerStream.finish();
                    }
                    else {
                        producerStream.finish(failure);
                    }
                }, "finish on", producerStream);
            }
        }
        if (failure == null) {
            this.finished.complete(null);
        }
        else {
            log.debug("stream producer ended: {}", failure.toString());
            this.finished.completeExceptionally(failure);
            fatal = guarded(fatal, this.stream::close, "close on", this.stream);
        }
        if (fatal instanceof VirtualMachineError error) {
            throw error;
        }
    }

    /**
     * Whether this producer may unregister from {@code target}: it is still the registered producer of a
     * {@link ConsumerSupport} (which may have stopped it and taken another since), or the consumer cannot tell.
     */
    private boolean isRegisteredWith(Consumer<? super ByteBuffer> target) {
        return !(target instanceof ConsumerSupport<?> support) || support.producer() == this;
    }

    /** Runs one step of {@link #end}; logs what it throws; returns the first fatal error seen so far. */
    private static @Nullable Throwable guarded(@Nullable Throwable fatal, Runnable step, String what, Object on) {
        try {
            step.run();
            return fatal;
        }
        catch (Throwable ex) {
            log.error("Unhandled error while calling {} {}", what, on, ex);
            return (fatal == null && ex instanceof VirtualMachineError) ? ex : fatal;
        }
    }
}
