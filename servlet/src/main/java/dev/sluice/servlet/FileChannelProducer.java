package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.PushProducer;
import dev.sluice.file.FileTransferStoppedException;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * A push producer of an open file's bytes whose work runs as tasks on an {@link Executor}: a task takes the next
 * buffers ({@link #next()}) and writes them into the consumer until the consumer's buffer is full, the body is
 * complete or the turn is over; the pause that follows a full buffer stops the tasks, the resume schedules one again.
 * Pause, resume and stop are bits of one state word: at most one task is queued or running, only it touches the
 * file's position, and whichever of the task and {@link #stopProducing()} comes last closes the file.
 *
 * <p>The {@link #start() future} completes when the last buffer has been written and the producer has unregistered;
 * it fails with what {@link #next()} throws, or an {@code Error} the consumer's write throws (a
 * {@link VirtualMachineError} is then still thrown to the executor), with whatever the executor throws instead of taking a task (a
 * {@code RejectedExecutionException} once it is shut down, or anything else), or with {@link #stopped()} when the
 * consumer stops the producer. The file is closed in every case.
 */
abstract class FileChannelProducer implements PushProducer {

    private static final Log log = Log.of(FileChannelProducer.class);

    private static final int PAUSED = 1;

    private static final int STOPPED = 2;

    /** A task is queued or running: only it touches the channel and the position. */
    private static final int SCHEDULED = 4;

    private static final int DONE = 8;

    final Path file;

    final FileChannel channel;

    /** The file's size when the transfer started. */
    final long expectedSize;

    final BufferedConsumer<ByteBuffer> consumer;

    private final Executor executor;

    private final int writesPerTurn;

    private final AtomicInteger state = new AtomicInteger();

    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private final Runnable task = this::writeSome;

    FileChannelProducer(Path file, FileChannel channel, long expectedSize, Executor executor, int writesPerTurn,
            BufferedConsumer<ByteBuffer> consumer) {
        this.file = file;
        this.channel = channel;
        this.expectedSize = expectedSize;
        this.executor = executor;
        this.writesPerTurn = writesPerTurn;
        this.consumer = consumer;
    }

    /** Registers with the consumer and schedules the first task; returns the transfer's future. */
    final CompletableFuture<Void> start() {
        this.consumer.registerProducer(this, true);
        schedule();
        return this.finished;
    }

    /** The next buffer of the body (task only). */
    abstract ByteBuffer next() throws IOException;

    /** Whether the body is complete once the last buffer {@link #next()} returned is written (task only). */
    abstract boolean complete();

    /** After a write that did not complete the body: whether the consumer wanted more (task only). */
    void written(boolean more) {
    }

    /** Why the producer ends when the consumer stopped it. */
    Exception stopped() {
        return new FileTransferStoppedException();
    }

    @Override
    public final void pauseProducing() {
        this.state.getAndUpdate(s -> s | PAUSED);
    }

    @Override
    public final void resumeProducing() {
        this.state.getAndUpdate(s -> s & ~PAUSED);
        schedule();
    }

    @Override
    public final void stopProducing() {
        int before = this.state.getAndUpdate(s -> s | STOPPED);
        if ((before & (SCHEDULED | STOPPED)) == 0) {
            end(stopped()); // no task is running: nobody else will close the file
        }
    }

    private void schedule() {
        for (;;) {
            int current = this.state.get();
            if ((current & (PAUSED | STOPPED | SCHEDULED | DONE)) != 0) {
                return;
            }
            if (this.state.compareAndSet(current, current | SCHEDULED)) {
                break;
            }
        }
        try {
            this.executor.execute(this.task);
        }
        catch (RuntimeException ex) { // rejected once shut down, or any failure of the executor: no task will run
            this.state.getAndUpdate(s -> s & ~SCHEDULED);
            end(ex);
        }
    }

    private void writeSome() {
        try {
            writeTurn();
        }
        catch (Throwable failure) { // an Error from next(), or a fatal one the consumer's loop rethrew from write
            end(failure);
            if (failure instanceof VirtualMachineError error) {
                throw error;
            }
        }
    }

    private void writeTurn() throws IOException {
        for (int writes = 0; writes < this.writesPerTurn; writes++) {
            int current = this.state.get();
            if ((current & STOPPED) != 0) {
                end(stopped());
                return;
            }
            if ((current & PAUSED) != 0) {
                break;
            }
            boolean more = this.consumer.write(next());
            if (complete()) {
                this.consumer.unregisterProducer();
                end(null);
                return;
            }
            written(more);
            if (!more) {
                break; // the consumer wants a pause: the pause, then a resume that schedules the next task, follow
            }
        }
        int after = this.state.updateAndGet(s -> s & ~SCHEDULED);
        if ((after & STOPPED) != 0) {
            end(stopped());
        }
        else if (this.consumer.isWritable()) {
            schedule(); // a resume that came while this task ran could not schedule: go on
        }
    }

    /** Closes the file and completes the future, once. */
    private void end(@Nullable Throwable failure) {
        if ((this.state.getAndUpdate(s -> s | DONE) & DONE) != 0) {
            return;
        }
        try {
            this.channel.close();
        }
        catch (IOException ex) {
            log.debug("Closing {} failed: {}", this.file, ex.toString());
        }
        if (failure == null) {
            this.finished.complete(null);
        }
        else {
            this.finished.completeExceptionally(failure);
        }
    }
}
