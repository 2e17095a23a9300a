package dev.sluice.boot;

import dev.sluice.WaterMarks;

/**
 * Where a {@link BufferedConsumerFactory} finds the water marks configured for a consumer name.
 */
public interface ConsumerMarks {

    /**
     * The marks of the consumer called {@code name}, in {@code unit}.
     *
     * @param name the consumer's name
     * @param unit the unit its weigher counts in: {@code "bytes"} or {@code "items"}
     * @return the marks
     */
    WaterMarks waterMarks(String name, String unit);

    /** The unit the settings of {@code name} are written in, used when a consumer is built without a weigher. */
    default String configuredUnit(String name) {
        return "bytes";
    }
}
