package dev.sluice;

/**
 * A live, thread-safe view of a consumer's buffer, read by the registry and by metrics. Every figure is in the units
 * of the consumer's {@link Weigher}; each read is a volatile read with no lock and no allocation.
 */
public interface BufferView {

    /** Units buffered now: accepted and not yet taken by the sink. */
    long bufferedUnits();

    /** The high-water mark. */
    long highWaterMark();

    /** The low-water mark. */
    long lowWaterMark();

    /** Units accepted by {@code write} since the consumer was made. */
    long acceptedUnits();

    /** Units taken by the sink since the consumer was made. */
    long sentUnits();

    /** Units dropped: written after the consumer had gone, or still buffered when it was lost or aborted. */
    long droppedUnits();

    /**
     * Whether the consumer wants more data now: no operator hold, and the buffer is not above its high-water mark
     * (nor, after crossing it, still above the low one). What {@code write} returns. The default reads the depth
     * against the high-water mark only; Sluice's consumers override it with their own state.
     */
    default boolean isWritable() {
        return bufferedUnits() <= highWaterMark();
    }

    /** The unit of every figure: {@code "bytes"} or {@code "items"}. */
    String unit();
}
