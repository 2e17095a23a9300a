package dev.sluice.twisted.web2;

import static dev.sluice.twisted.web2.ScriptedStream.fail;
import static dev.sluice.twisted.web2.ScriptedStream.succeed;
import static dev.sluice.twisted.web2.StreamTesting.isDone;
import static dev.sluice.twisted.web2.StreamTesting.now;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Port of {@code FallbackSplitTest} (W2-F1…F6), with the source {@code ['abcd', succeed('efgh'), 'ijkl']}. */
class FallbackSplitTest {

    private final ScriptedStream source = new ScriptedStream("abcd", succeed("efgh"), "ijkl");

    @Test
    @DisplayName("W2-F1/F2 test_split: split at 5 gives lengths 5 and unknown; left 'abcd', 'e'; right 'fgh', 'ijkl'")
    void w2f1_splitInsideAChunk() {
        ByteStream.Split split = ByteStream.fallbackSplit(this.source, 5);
        ByteStream left = split.before();
        ByteStream right = split.after();
        assertThat(left.length()).hasValue(5);
        assertThat(right.length()).isEmpty();

        assertThat(now(left.read())).isEqualTo("abcd");
        assertThat(now(left.read())).isEqualTo("e");
        assertThat(now(left.read())).isNull();

        assertThat(now(right.read())).isEqualTo("fgh");
        assertThat(now(right.read())).isEqualTo("ijkl");
        assertThat(now(right.read())).isNull();
    }

    @Test
    @DisplayName("W2-F1 the after half's length is the source's length less the point when known")
    void w2f1_afterLengthFollowsAKnownSourceLength() {
        ByteStream.Split split = ByteStream.fallbackSplit(new BufferedStream(new MemoryStream(
                StreamTesting.bytes("abcdefghij"))), 4);
        assertThat(split.before().length()).hasValue(4);
        assertThat(split.after().length()).hasValue(6);
        assertThat(now(split.before().read())).isEqualTo("abcd");
        assertThat(now(split.before().read())).isNull();
        assertThat(now(split.after().read())).isEqualTo("efghij");
        assertThat(split.after().length()).hasValue(0);
        assertThatThrownBy(() -> ByteStream.fallbackSplit(new MemoryStream(new byte[3]), 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("split point (4) > length (3)");
    }

    @Test
    @DisplayName("W2-F3 test_split2: split at a chunk end: left's next read hands the source's next read to right")
    void w2f3_splitAtAChunkBoundary() {
        ByteStream.Split split = ByteStream.fallbackSplit(this.source, 4);
        ByteStream left = split.before();
        ByteStream right = split.after();
        assertThat(left.length()).hasValue(4);
        assertThat(right.length()).isEmpty();

        assertThat(now(left.read())).isEqualTo("abcd");
        assertThat(this.source.readCalled).isEqualTo(1);
        assertThat(now(left.read())).isNull();
        assertThat(this.source.readCalled).as("the hand-over read").isEqualTo(2);

        assertThat(now(right.read())).isEqualTo("efgh");
        assertThat(now(right.read())).isEqualTo("ijkl");
        assertThat(now(right.read())).isNull();
    }

    @Test
    @DisplayName("W2-F4 right's first read waits until left reaches the split point")
    void w2f4_rightWaitsForLeft() {
        ByteStream.Split split = ByteStream.fallbackSplit(this.source, 5);
        CompletionStage<@Nullable ByteBuffer> first = split.after().read();
        assertThat(isDone(first)).isFalse();
        assertThat(now(split.before().read())).isEqualTo("abcd");
        assertThat(isDone(first)).isFalse();
        assertThat(now(split.before().read())).isEqualTo("e");
        assertThat(now(first)).isEqualTo("fgh");
        assertThat(now(split.after().read())).isEqualTo("ijkl");
    }

    @Test
    @DisplayName("W2-F5 test_splitsplit: splitting the left half at 3 inserts a middle of length 2")
    void w2f5_splitTheLeftHalfAgain() {
        ByteStream.Split outer = ByteStream.fallbackSplit(this.source, 5);
        ByteStream.Split inner = outer.before().split(3);
        ByteStream left = inner.before();
        ByteStream middle = inner.after();
        ByteStream right = outer.after();
        assertThat(left.length()).hasValue(3);
        assertThat(middle.length()).hasValue(2);
        assertThat(right.length()).isEmpty();

        assertThat(now(left.read())).isEqualTo("abc");
        assertThat(now(left.read())).isNull();
        assertThat(now(middle.read())).isEqualTo("d");
        assertThat(now(middle.read())).isEqualTo("e");
        assertThat(now(middle.read())).isNull();
        assertThat(now(right.read())).isEqualTo("fgh");
        assertThat(now(right.read())).isEqualTo("ijkl");
        assertThat(now(right.read())).isNull();
    }

    @Test
    @DisplayName("W2-F5 splitting a half past its length is an IllegalArgumentException")
    void w2f5_splitPastTheHalfIsRejected() {
        ByteStream left = ByteStream.fallbackSplit(this.source, 5).before();
        assertThatThrownBy(() -> left.split(6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("split point (6) > length (5)");
    }

    @Test
    @DisplayName("W2-F6 test_closeboth: closing left then right closes the source once, with no reads")
    void w2f6_closeBoth() {
        ByteStream.Split split = ByteStream.fallbackSplit(this.source, 5);
        split.before().close();
        assertThat(this.source.closeCalled).isZero();
        split.after().close();
        assertThat(this.source.readCalled).isZero();
        assertThat(this.source.closeCalled).isEqualTo(1);
    }

    @Test
    @DisplayName("W2-F6 test_closeboth_rev: closing right then left closes the source once, with no reads")
    void w2f6_closeBothReversed() {
        ByteStream.Split split = ByteStream.fallbackSplit(this.source, 5);
        split.after().close();
        assertThat(this.source.closeCalled).isZero();
        split.before().close();
        assertThat(this.source.readCalled).isZero();
        assertThat(this.source.closeCalled).isEqualTo(1);
        split.before().close();
        split.after().close();
        assertThat(this.source.closeCalled).as("closing again").isEqualTo(1);
    }

    @Test
    @DisplayName("W2-F4 test_closeleft: after left is closed, right's first read discards the rest of left")
    void w2f4_closeLeftThenReadRight() {
        ByteStream.Split split = ByteStream.fallbackSplit(this.source, 5);
        split.before().close();
        assertThat(now(split.before().read())).isNull();
        assertThat(split.before().length()).hasValue(0);
        ByteStream right = split.after();
        assertThat(now(right.read())).isEqualTo("fgh");
        assertThat(now(right.read())).isEqualTo("ijkl");
        assertThat(now(right.read())).isNull();
    }

    @Test
    @DisplayName("W2-F4 closing left while right already waits discards the rest of left")
    void w2f4_closeLeftWhileRightWaits() {
        ByteStream.Split split = ByteStream.fallbackSplit(this.source, 5);
        CompletionStage<@Nullable ByteBuffer> first = split.after().read();
        assertThat(isDone(first)).isFalse();
        split.before().close();
        assertThat(now(first)).isEqualTo("fgh");
    }

    @Test
    @DisplayName("W2-F6 test_closeright: right closed first: left reads up to the split, then the source is closed")
    void w2f6_closeRightThenReadLeft() {
        ByteStream.Split split = ByteStream.fallbackSplit(this.source, 3);
        split.after().close();
        assertThat(now(split.before().read())).isEqualTo("abc");
        assertThat(now(split.before().read())).isNull();
        assertThat(this.source.closeCalled).isEqualTo(1);
        assertThat(now(split.after().read())).isNull();
    }

    @Test
    @DisplayName("W2-F2 a source that ends before the split point fails left's read, and right's")
    void w2f2_sourceTooShortFailsBothHalves() {
        ByteStream.Split split = ByteStream.fallbackSplit(new ScriptedStream("ab"), 5);
        CompletionStage<@Nullable ByteBuffer> right = split.after().read();
        assertThat(now(split.before().read())).isEqualTo("ab");
        assertThat(split.before().read().toCompletableFuture()).failsWithin(Duration.ZERO).withThrowableThat()
                .havingCause().isInstanceOf(IllegalArgumentException.class)
                .withMessageContaining("Ran out of data for a split");
        assertThat(right.toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    @DisplayName("W2-F2 a failed source read fails left's read and right's first read")
    void w2f2_failedReadFailsBothHalves() {
        IllegalStateException boom = new IllegalStateException("boom");
        ByteStream.Split split = ByteStream.fallbackSplit(new ScriptedStream("ab", fail(boom)), 5);
        assertThat(now(split.before().read())).isEqualTo("ab");
        assertThat(split.before().read().toCompletableFuture()).failsWithin(Duration.ZERO).withThrowableThat()
                .havingRootCause().isSameAs(boom);
        assertThat(split.after().read().toCompletableFuture()).failsWithin(Duration.ZERO).withThrowableThat()
                .havingRootCause().isSameAs(boom);
    }

    @Test
    @DisplayName("W2-F4 a left read that completes later hands its tail to right when it completes")
    void w2f4_asynchronousSourceRead() {
        CompletableFuture<@Nullable ByteBuffer> later = new CompletableFuture<>();
        ByteStream.Split split = ByteStream.fallbackSplit(new ScriptedStream(later, "tail"), 2);
        CompletionStage<@Nullable ByteBuffer> left = split.before().read();
        CompletionStage<@Nullable ByteBuffer> right = split.after().read();
        assertThat(isDone(left)).isFalse();
        later.complete(StreamTesting.bytes("abcd"));
        assertThat(now(left)).isEqualTo("ab");
        assertThat(now(right)).isEqualTo("cd");
        assertThat(now(split.after().read())).isEqualTo("tail");
    }
}
