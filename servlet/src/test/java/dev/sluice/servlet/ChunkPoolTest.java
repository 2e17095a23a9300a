package dev.sluice.servlet;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ChunkPoolTest {

    @Test
    void aBufferGivenBackIsTheNextOneTakenAndComesBackCleared() {
        ChunkPool pool = new ChunkPool(1, 16);
        ByteBuffer first = pool.take(16);
        first.put(new byte[10]).flip();
        pool.give(first);

        ByteBuffer again = pool.take(16);

        assertThat(again).isSameAs(first);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(16);
        assertThat(pool.take(16)).isNotSameAs(first); // taken already: a new one
    }

    @Test
    void onlyBuffersOfTheChunkSizeAreKept() {
        ChunkPool pool = new ChunkPool(4, 16);
        ByteBuffer grown = pool.take(64);
        assertThat(grown.capacity()).isEqualTo(64);
        pool.give(grown);

        assertThat(pool.take(64)).isNotSameAs(grown);
        assertThat(pool.take(16).capacity()).isEqualTo(16);
    }

    @Test
    void aGrownReadTakesAKeptGrownBufferLimitedToItsLength() {
        ChunkPool pool = new ChunkPool(1, 16, 1, 64);
        ByteBuffer grown = pool.take(40);
        assertThat(grown.capacity()).isEqualTo(64);
        assertThat(grown.limit()).isEqualTo(40);
        pool.give(grown);

        ByteBuffer again = pool.take(64);
        assertThat(again).isSameAs(grown);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(64);
        assertThat(pool.take(100).capacity()).isEqualTo(100); // beyond the grown size: neither kept nor pooled
        assertThat(pool.take(16).capacity()).isEqualTo(16);
    }

    @Test
    void aFullPoolDropsWhatIsGiven() {
        ChunkPool pool = new ChunkPool(1, 16);
        ByteBuffer kept = ByteBuffer.allocate(16);
        ByteBuffer dropped = ByteBuffer.allocate(16);
        pool.give(kept);
        pool.give(dropped);

        assertThat(pool.take(16)).isSameAs(kept);
        assertThat(pool.take(16)).isNotSameAs(dropped);
    }

    @Test
    void sizesMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ChunkPool(0, 16)).withMessageContaining("slots");
        assertThatIllegalArgumentException().isThrownBy(() -> new ChunkPool(1, 0)).withMessageContaining("chunkSize");
        assertThatIllegalArgumentException().isThrownBy(() -> new ChunkPool(1, 16, 1, 8))
            .withMessageContaining("grownSize");
    }
}
