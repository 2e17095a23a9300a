package dev.sluice.twisted.pcp;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.sluice.Weigher;

/**
 * The type of chunk a pcp proxy carries, and what the proxy needs to know about it (PCP-7): how to merge buffered
 * chunks into one write, how much a chunk weighs (the unit of the buffer bound), and how to cut off the part of a chunk
 * a partial write has sent. (web2's streams carry {@link java.nio.ByteBuffer}s only and need nothing of the kind.)
 *
 * @param <T> the chunk type
 */
public final class ChunkType<T> {

    /** Cuts the unsent tail off a chunk of which {@code sent} units were written. */
    @FunctionalInterface
    public interface Tail<T> {

        /**
         * Returns what is left of {@code chunk} after its first {@code sent} units.
         *
         * @param chunk the chunk
         * @param sent the units already written, more than 0 and less than the chunk's weight
         * @return the rest
         */
        T after(T chunk, long sent);
    }

    private static final ChunkType<ByteBuffer> BYTE_BUFFERS = new ChunkType<>(ChunkType::concat, Weigher.bytes(),
            (chunk, sent) -> chunk.slice().position((int) sent).slice());

    private static final ChunkType<byte[]> BYTE_ARRAYS = new ChunkType<>(ChunkType::concatArrays, Weigher.byteArrays(),
            (chunk, sent) -> java.util.Arrays.copyOfRange(chunk, (int) sent, chunk.length));

    private static final ChunkType<String> STRINGS = new ChunkType<>(list -> String.join("", list), new Weigher<>() {
        @Override
        public long weigh(String item) {
            return item.length();
        }

        @Override
        public String unit() {
            return "chars";
        }
    }, (chunk, sent) -> chunk.substring((int) sent));

    private final Function<List<T>, T> joiner;

    private final Weigher<? super T> weigher;

    private final Tail<T> tail;

    private ChunkType(Function<List<T>, T> joiner, Weigher<? super T> weigher, Tail<T> tail) {
        this.joiner = joiner;
        this.weigher = weigher;
        this.tail = tail;
    }

    /** Byte buffers: joined into one new buffer, weighed by remaining bytes. */
    public static ChunkType<ByteBuffer> byteBuffers() {
        return BYTE_BUFFERS;
    }

    /** Byte arrays: concatenated, weighed by length. */
    public static ChunkType<byte[]> byteArrays() {
        return BYTE_ARRAYS;
    }

    /** Strings: concatenated, weighed by length in chars (Twisted's own tests use text). */
    public static ChunkType<String> strings() {
        return STRINGS;
    }

    /**
     * A chunk type for any class. A partial write ({@link ProducerConsumerProxy#writeSomeData}) of such a chunk is not
     * supported.
     *
     * @param joiner merges buffered chunks, in order, into one
     * @param weigher weighs a chunk
     * @param <T> the chunk type
     * @return the description
     */
    public static <T> ChunkType<T> of(Function<List<T>, T> joiner, Weigher<? super T> weigher) {
        return of(joiner, weigher, (chunk, sent) -> {
            throw new UnsupportedOperationException("partial writes of " + chunk.getClass().getName()
                    + " chunks need a Tail: use ChunkType.of(joiner, weigher, tail)");
        });
    }

    /**
     * A chunk type for any class, whose chunks partial writes can cut.
     *
     * @param joiner merges buffered chunks, in order, into one
     * @param weigher weighs a chunk
     * @param tail cuts off the sent part of a chunk
     * @param <T> the chunk type
     * @return the description
     */
    public static <T> ChunkType<T> of(Function<List<T>, T> joiner, Weigher<? super T> weigher, Tail<T> tail) {
        return new ChunkType<>(Objects.requireNonNull(joiner, "joiner"), Objects.requireNonNull(weigher, "weigher"),
                Objects.requireNonNull(tail, "tail"));
    }

    /** Merges {@code chunks} (not empty) into one; a single chunk is returned as it is. */
    T join(List<T> chunks) {
        return (chunks.size() == 1) ? chunks.get(0) : this.joiner.apply(List.copyOf(chunks));
    }

    long weigh(T chunk) {
        return this.weigher.weigh(chunk);
    }

    T tail(T chunk, long sent) {
        return this.tail.after(chunk, sent);
    }

    private static ByteBuffer concat(List<ByteBuffer> buffers) {
        int size = 0;
        for (ByteBuffer buffer : buffers) {
            size = Math.addExact(size, buffer.remaining());
        }
        ByteBuffer joined = ByteBuffer.allocate(size);
        for (ByteBuffer buffer : buffers) {
            joined.put(buffer.duplicate());
        }
        return joined.flip();
    }

    private static byte[] concatArrays(List<byte[]> arrays) {
        int size = 0;
        for (byte[] array : arrays) {
            size = Math.addExact(size, array.length);
        }
        byte[] joined = new byte[size];
        int at = 0;
        for (byte[] array : arrays) {
            System.arraycopy(array, 0, joined, at, array.length);
            at += array.length;
        }
        return joined;
    }
}
