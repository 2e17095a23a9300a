package dev.sluice;

import java.nio.ByteBuffer;

/**
 * Measures how much of a consumer's buffer an item takes. Water marks, buffer depth and every metric are in the units
 * of the consumer's weigher.
 *
 * @param <T> the type of item weighed
 */
@FunctionalInterface
public interface Weigher<T> {

    /**
     * Returns the weight of {@code item}: zero for an empty item (which the consumer then ignores), never negative.
     * A weigher must be cheap and give the same answer for an item until a sink consumes part of it.
     *
     * @param item the item
     * @return its weight
     */
    long weigh(T item);

    /** The unit of the weights, for metrics: {@code "bytes"} or {@code "items"}. */
    default String unit() {
        return "items";
    }

    /** Weighs a {@link ByteBuffer} by its remaining bytes. */
    @SuppressWarnings("unchecked")
    static Weigher<ByteBuffer> bytes() {
        return (Weigher<ByteBuffer>) (Weigher<?>) Weighers.BYTE_BUFFERS;
    }

    /** Weighs a byte array by its length. */
    @SuppressWarnings("unchecked")
    static Weigher<byte[]> byteArrays() {
        return (Weigher<byte[]>) (Weigher<?>) Weighers.BYTE_ARRAYS;
    }

    /** Weighs every item as 1. */
    static Weigher<Object> items() {
        return Weighers.ITEMS;
    }

    /**
     * Weighs {@link ByteBuffer}s by their remaining bytes, byte arrays by their length and anything else as 1: the
     * default when a consumer is given no weigher. Its unit is {@code "bytes"}, since a mix is rare and bytes the usual
     * case.
     */
    static Weigher<Object> standard() {
        return Weighers.STANDARD;
    }
}
