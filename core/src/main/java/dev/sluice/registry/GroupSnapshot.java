package dev.sluice.registry;

import java.time.Duration;

/**
 * A group of the registry at one moment: the sums over the producers and consumers that are its members now, plus,
 * for the totals, what members that have left had reached when they left. See {@link GroupView} for each figure.
 *
 * @param name the group's name
 * @param producers how many producers are members now
 * @param consumers how many consumers are members now
 * @param producersPaused how many of its producers are paused now
 * @param pauseCount pauses of its producers
 * @param pausedTime time its producers have spent paused, current pauses included
 * @param longestCurrentPause the longest pause in progress among its producers, zero when none is paused
 * @param errors callbacks of its producers that threw
 * @param unit the unit of the buffer figures: {@code "bytes"} or {@code "items"}
 * @param bufferedUnits units buffered by its consumers now
 * @param highWaterMark the sum of its consumers' high-water marks
 * @param acceptedUnits units accepted by its consumers
 * @param sentUnits units its consumers passed on to their sinks
 * @param droppedUnits units its consumers dropped
 */
public record GroupSnapshot(String name, int producers, int consumers, int producersPaused, long pauseCount,
        Duration pausedTime, Duration longestCurrentPause, long errors, String unit, long bufferedUnits,
        long highWaterMark, long acceptedUnits, long sentUnits, long droppedUnits) {

    static GroupSnapshot of(GroupView group) {
        int[] producers = (group instanceof Group members) ? members.producersAndPaused()
                : new int[] {group.producerCount(), group.producersPaused()};
        return new GroupSnapshot(group.name(), producers[0], group.consumerCount(), producers[1], group.pauseCount(), Duration.ofNanos(group.pausedNanos()),
                Duration.ofNanos(group.longestCurrentPauseNanos()), group.errors(), group.unit(),
                group.bufferedUnits(), group.highWaterMark(), group.acceptedUnits(), group.sentUnits(),
                group.droppedUnits());
    }
}
