package dev.sluice.registry;

import org.jspecify.annotations.Nullable;

/**
 * A registered consumer at one moment. Buffer figures are in the consumer's weigher units, and are zero for a
 * consumer that has no buffer view.
 *
 * @param name its registry name
 * @param producer the registry name of its registered producer, or {@code null}
 * @param unit the unit of the figures: {@code "bytes"} or {@code "items"}
 * @param bufferedUnits units buffered now
 * @param highWaterMark the high-water mark
 * @param lowWaterMark the low-water mark
 * @param acceptedUnits units accepted since it was made
 * @param sentUnits units passed on to its sink since it was made
 * @param droppedUnits units dropped since it was made
 */
public record ConsumerSnapshot(String name, @Nullable String producer, String unit, long bufferedUnits,
        long highWaterMark, long lowWaterMark, long acceptedUnits, long sentUnits, long droppedUnits) {
}
