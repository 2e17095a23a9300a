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

    /**
     * A read a little longer than a chunk takes a buffer of twice the chunk, not of the largest grown size: a slow
     * client's last grown read may be held for seconds (S7 on Jetty: one 64 KiB buffer per slow client for 32 KiB reads).
     */
    @Test
    void aGrownReadTakesTheSmallestGrownSizeThatHoldsIt() {
        ChunkPool pool = new ChunkPool(1, 16, 1, 64);
        ByteBuffer twice = pool.take(20);
        assertThat(twice.capacity()).isEqualTo(32);
        assertThat(twice.limit()).isEqualTo(20);
        ByteBuffer fourTimes = pool.take(33);
        assertThat(fourTimes.capacity()).isEqualTo(64);
        pool.give(twice);
        pool.give(fourTimes);

        assertThat(pool.take(32)).isSameAs(twice);
        assertThat(pool.take(64)).isSameAs(fourTimes);
        assertThat(new ChunkPool(1, 16, 1, 48).take(40).capacity()).as("the largest size as given").isEqualTo(48);
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
