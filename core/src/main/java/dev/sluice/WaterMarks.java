package dev.sluice;

/**
 * The two thresholds of a consumer's buffer, in weigher units. A push producer is paused when a write takes the
 * buffer strictly above {@code high} (Twisted's FD-8) and resumed when draining brings it down to {@code low} or below.
 * The gap between them keeps a producer from being paused and resumed on every chunk.
 *
 * <p>The default is 64 KiB / 32 KiB: Twisted's {@code bufferSize} for the high mark, half of it for the low mark as in
 * Netty and Vert.x. Twisted itself resumes only when the buffer is empty: {@link #twisted(long)}.
 *
 * @param high the high-water mark, not negative
 * @param low the low-water mark, not negative and not above {@code high}
 */
public record WaterMarks(long high, long low) {

    /** 64 KiB high, 32 KiB low. */
    public static final WaterMarks DEFAULT = new WaterMarks(64 * 1024, 32 * 1024);

    /**
     * Checks the marks.
     *
     * @throws IllegalArgumentException if a mark is negative or {@code low > high}, naming the values
     */
    public WaterMarks {
        if (high < 0) {
            throw new IllegalArgumentException("high-water mark must not be negative, was " + high);
        }
        if (low < 0) {
            throw new IllegalArgumentException("low-water mark must not be negative, was " + low);
        }
        if (low > high) {
            throw new IllegalArgumentException(
                    "low-water mark (" + low + ") must not be above the high-water mark (" + high + ")");
        }
    }

    /** Marks with the given high mark and a low mark of half of it. */
    public static WaterMarks ofHigh(long high) {
        return new WaterMarks(high, high / 2);
    }

    /** Twisted's marks: pause above {@code high}, resume only when the buffer is empty. */
    public static WaterMarks twisted(long high) {
        return new WaterMarks(high, 0);
    }
}
