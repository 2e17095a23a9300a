package dev.sluice.registry;

/**
 * A live, thread-safe view of one group of a {@link ProducerRegistry}, for meters read at scrape time. Nothing is
 * recorded for it on any data path: every figure is computed when asked, from the figures the members' consumers keep
 * on their owner loops.
 *
 * <p>Counters ({@link #pauseCount()}, {@link #pausedNanos()}, {@link #errors()}, {@link #acceptedUnits()},
 * {@link #sentUnits()}, {@link #droppedUnits()}) never go down while the group exists: a member that leaves adds what
 * it had reached to the group's own total. A group exists while it has members; one made again after its last member
 * left starts from zero. Gauges ({@link #producersPaused()}, {@link #longestCurrentPauseNanos()},
 * {@link #bufferedUnits()}, {@link #highWaterMark()}) sum or compare the members of the moment.
 */
public interface GroupView {

    /** The group's name: a meter tag value. */
    String name();

    /** Whether a producer has ever been a member of this group (so its producer meters make sense). */
    boolean hasProducers();

    /** Whether a consumer has ever been a member of this group (so its consumer meters make sense). */
    boolean hasConsumers();

    /** How many producers are members now. */
    int producerCount();

    /** How many consumers are members now. */
    int consumerCount();

    /** How many of its producers are paused now. */
    int producersPaused();

    /** The longest pause in progress among its producers, in nanoseconds; 0 when none is paused. */
    long longestCurrentPauseNanos();

    /** How many times its producers have been paused. */
    long pauseCount();

    /** Time its producers have spent paused, pauses in progress included, in nanoseconds. */
    long pausedNanos();

    /** Callbacks of its producers that threw. */
    long errors();

    /** The unit of the buffer figures, {@code "bytes"} or {@code "items"}: that of its first consumer with a buffer. */
    String unit();

    /** Units buffered by its consumers now. */
    long bufferedUnits();

    /** The sum of its consumers' high-water marks, to plot beside {@link #bufferedUnits()}. */
    long highWaterMark();

    /** Units accepted by its consumers. */
    long acceptedUnits();

    /** Units its consumers passed on to their sinks. */
    long sentUnits();

    /** Units its consumers dropped. */
    long droppedUnits();
}
