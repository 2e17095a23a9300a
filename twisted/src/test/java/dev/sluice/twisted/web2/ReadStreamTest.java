package dev.sluice.twisted.web2;

import static dev.sluice.twisted.web2.ScriptedStream.fail;
import static dev.sluice.twisted.web2.ScriptedStream.succeed;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Port of {@code ReadStreamTestCase} (W2-R1, W2-R2), plus the no-recursion and threading guarantees. */
class ReadStreamTest {

    private final List<String> received = new ArrayList<>();

    @Test
    @DisplayName("W2-R1 test_pull: every chunk reaches the handler in order, then the result completes")
    void w2r1_pull() {
        ScriptedStream stream = new ScriptedStream("abcd", succeed("efgh"), "ijkl");
        CompletableFuture<Void> done = ByteStreams.readStream(stream, chunk -> this.received.add(StreamTesting.text(chunk)));
        assertThat(done).isCompletedWithValue(null);
        assertThat(this.received).containsExactly("abcd", "efgh", "ijkl");
        assertThat(stream.readCalled).isEqualTo(4);
    }

    @Test
    @DisplayName("W2-R1 the first read happens at once; a pending read resumes the loop when it completes")
    void w2r1_pendingReadResumesTheLoop() {
        CompletableFuture<@Nullable ByteBuffer> later = new CompletableFuture<>();
        ScriptedStream stream = new ScriptedStream("abcd", later, "ijkl");
        CompletableFuture<Void> done = ByteStreams.readStream(stream, chunk -> this.received.add(StreamTesting.text(chunk)));
        assertThat(stream.readCalled).isEqualTo(2);
        assertThat(this.received).containsExactly("abcd");
        assertThat(done).isNotDone();
        later.complete(StreamTesting.bytes("efgh"));
        assertThat(done).isCompletedWithValue(null);
        assertThat(this.received).containsExactly("abcd", "efgh", "ijkl");
    }

    @Test
    @DisplayName("W2-R2 test_pullFailure: a failed read fails the result; chunks before it were handled")
    void w2r2_pullFailure() {
        IllegalStateException boom = new IllegalStateException("boom");
        ScriptedStream stream = new ScriptedStream("abcd", fail(boom), "ijkl");
        CompletableFuture<Void> done = ByteStreams.readStream(stream, chunk -> this.received.add(StreamTesting.text(chunk)));
        assertThat(done).failsWithin(Duration.ZERO).withThrowableThat().havingCause().isSameAs(boom);
        assertThat(this.received).containsExactly("abcd");
        assertThat(stream.closeCalled).as("the stream is not closed").isZero();
    }

    @Test
    @DisplayName("W2-R2 test_pullException: a read that throws fails the result")
    void w2r2_pullException() {
        IllegalStateException boom = new IllegalStateException("boom");
        ScriptedStream stream = new ScriptedStream(boom);
        CompletableFuture<Void> done = ByteStreams.readStream(stream, chunk -> this.received.add(StreamTesting.text(chunk)));
        assertThat(done).failsWithin(Duration.ZERO).withThrowableThat().havingCause().isSameAs(boom);
        assertThat(this.received).isEmpty();
        assertThat(stream.closeCalled).isZero();
    }

    @Test
    @DisplayName("W2-R2 test_processingException: a handler that throws fails the result and stops reading")
    void w2r2_processingException() {
        ScriptedStream stream = new ScriptedStream("abcd", succeed("efgh"), "ijkl");
        CompletableFuture<Void> done = ByteStreams.readStream(stream, chunk -> {
            throw new ArithmeticException("/ by zero");
        });
        assertThat(done).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOf(ArithmeticException.class);
        assertThat(stream.readCalled).as("no read after the failing chunk").isEqualTo(1);
        assertThat(stream.closeCalled).isZero();
    }

    @Test
    @DisplayName("W2-R1 no recursion per chunk: a million chunks that are all at hand are read in a loop")
    void w2r1_millionSynchronousChunksDoNotGrowTheStack() {
        CountingStream stream = new CountingStream(1_000_000, null);
        long[] total = new long[1];
        CompletableFuture<Void> done = ByteStreams.readStream(stream, chunk -> total[0] += chunk.remaining());
        assertThat(done).isCompletedWithValue(null);
        assertThat(total[0]).isEqualTo(1_000_000L);
        assertThat(stream.maxDepth).as("stack depth at the last read, relative to the first")
                .isLessThanOrEqualTo(stream.firstDepth);
    }

    @Test
    @DisplayName("W2-R1 reads that complete on another thread are handled in order, each after the one before")
    void w2r1_readsCompletedOnAnotherThread() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            CountingStream stream = new CountingStream(2_000, other);
            List<Integer> seen = new ArrayList<>();
            CompletableFuture<Void> done = ByteStreams.readStream(stream, chunk -> seen.add((int) chunk.get(0)));
            assertThat(done).succeedsWithin(Duration.ofSeconds(10));
            assertThat(seen).hasSize(2_000);
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).isEqualTo((byte) i);
            }
        }
        finally {
            other.shutdownNow();
        }
    }

    @Test
    @DisplayName("W2-R1 readAndDiscard reads to the end and drops the data")
    void w2r1_readAndDiscard() {
        ScriptedStream stream = new ScriptedStream("abcd", succeed("efgh"), "ijkl");
        assertThat(ByteStreams.readAndDiscard(stream)).isCompletedWithValue(null);
        assertThat(stream.readCalled).isEqualTo(4);
    }

    /**
     * A stream of one-byte chunks (byte i holds i), each returned at once or, with an executor, completed there. It
     * records the stack depth of its reads.
     */
    static final class CountingStream extends UnknownLengthStream {

        private final int chunks;
        private final @Nullable ExecutorService completer;
        private int next;
        int firstDepth = -1;
        int maxDepth;

        CountingStream(int chunks, @Nullable ExecutorService completer) {
            this.chunks = chunks;
            this.completer = completer;
        }

        @Override
        public CompletionStage<@Nullable ByteBuffer> read() {
            if (this.completer == null) {
                if (this.firstDepth < 0) {
                    this.firstDepth = Thread.currentThread().getStackTrace().length;
                }
                else if (this.next % 100_000 == 0 || this.next == this.chunks) {
                    this.maxDepth = Math.max(this.maxDepth, Thread.currentThread().getStackTrace().length);
                }
            }
            ByteBuffer chunk = (this.next < this.chunks) ? ByteBuffer.wrap(new byte[] {(byte) this.next++}) : null;
            if (this.completer == null) {
                return CompletableFuture.completedFuture(chunk);
            }
            return CompletableFuture.supplyAsync(() -> chunk, this.completer);
        }

        @Override
        public void close() {
            this.next = this.chunks;
        }
    }
}
