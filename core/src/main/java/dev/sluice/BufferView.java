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

    /** The unit of every figure: {@code "bytes"} or {@code "items"}. */
    String unit();
}
