package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

/**
 * Reads chunk after chunk without growing the stack: a trampoline. Reads that complete at once are handled by the
 * loop in {@link #run()}; a read that completes later resumes the loop on the thread that completes it. So a stream
 * whose every read is already complete is read in a loop, never by recursion per chunk.
 *
 * <p>One loop runs at a time: {@link #run()} must not be called again before the loop has stopped (a hook returned
 * {@code false} or {@link #failed} was called).
 */
abstract class ReadLoop {

    /** Starts the next read. May throw; that counts as a failed read. */
    abstract CompletionStage<@Nullable ByteBuffer> nextRead();

    /**
     * Handles the result of a read.
     *
     * @param chunk the chunk, or {@code null} at the end of the stream
     * @return {@code true} to read again
     */
    abstract boolean onChunk(@Nullable ByteBuffer chunk);

    /**
     * Handles a failed read, or anything {@link #nextRead()} or {@link #onChunk} threw. The loop stops. A
     * {@link VirtualMachineError} is handed here too, and rethrown once this returns.
     */
    abstract void failed(Throwable failure);

    /** Runs the loop on the calling thread until a read is pending or a hook stops it. */
    final void run() {
        for (;;) {
            Step step = new Step();
            try {
                nextRead().whenComplete(step);
            }
            catch (Throwable ex) {
                fail(ex);
                return;
            }
            if (!step.completedInline() || !step.deliver()) {
                return;
            }
        }
    }

    /** Hands anything a hook threw to {@link #failed}, then rethrows it if the JVM itself is failing. */
    private void fail(Throwable failure) {
        failed(failure);
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    /** One read's outcome, handed either to the loop (completed at once) or to the completing thread (later). */
    private final class Step extends AtomicInteger implements BiConsumer<@Nullable ByteBuffer, @Nullable Throwable> {

        private static final long serialVersionUID = 1L;
        private static final int WAITING = 0;
        private static final int INLINE = 1;
        private static final int LATER = 2;

        private @Nullable ByteBuffer chunk;
        private @Nullable Throwable failure;

        @Override
        public void accept(@Nullable ByteBuffer result, @Nullable Throwable error) {
            this.chunk = result;
            this.failure = error;
            if (!compareAndSet(WAITING, INLINE) && deliver()) {
                run();
            }
        }

        /** Whether the read completed before the loop looked; if not, the completing thread carries on. */
        boolean completedInline() {
            return !compareAndSet(WAITING, LATER);
        }

        /** Hands the outcome to the hooks; returns whether to read again. */
        boolean deliver() {
            Throwable error = this.failure;
            if (error != null) {
                failed(StreamInternals.unwrap(error));
                return false;
            }
            try {
                return onChunk(this.chunk);
            }
            catch (Throwable ex) {
                fail(ex);
                return false;
            }
        }
    }
}
