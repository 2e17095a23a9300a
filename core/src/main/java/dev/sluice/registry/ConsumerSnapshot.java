package dev.sluice.registry;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A registered consumer at one moment. Buffer figures are in the consumer's weigher units, and are zero for a
 * consumer that has no buffer view; the pause figures are those its owner loop keeps for whatever producers it has
 * had.
 *
 * @param name its registry name
 * @param group the group it belongs to; a consumer registered on its own is a group of one, named like it
 * @param producer the registry name of its registered producer, or {@code null} when it has none or its producer is
 *        not in the registry
 * @param unit the unit of the figures: {@code "bytes"} or {@code "items"}
 * @param bufferedUnits units buffered now
 * @param highWaterMark the high-water mark
 * @param lowWaterMark the low-water mark
 * @param acceptedUnits units accepted since it was made
 * @param sentUnits units passed on to its sink since it was made
 * @param droppedUnits units dropped since it was made
 * @param producerPaused whether its producer is paused now (a push producer paused, or a pull producer held)
 * @param producerHeld whether an operator hold keeps its producer paused
 * @param pauseCount how many times its producers have been paused since it was made
 * @param pausedTime the total time its producers have spent paused since it was made, the current pause included
 * @param currentPause how long the current pause has lasted, zero when not paused
 * @param loopWaiting how long the consumer's loop has been waiting for its executor to run it, zero when it is not
 *        waiting: an executor that accepts the loop and never runs it (one shut down with {@code shutdownNow}) shows
 *        here, and the health contributor reports the consumer stalled
 */
public record ConsumerSnapshot(String name, String group, @Nullable String producer, String unit, long bufferedUnits,
        long highWaterMark, long lowWaterMark, long acceptedUnits, long sentUnits, long droppedUnits,
        boolean producerPaused, boolean producerHeld, long pauseCount, Duration pausedTime, Duration currentPause,
        Duration loopWaiting) {
}
