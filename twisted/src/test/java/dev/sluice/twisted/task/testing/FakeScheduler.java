package dev.sluice.twisted.task.testing;

import java.util.ArrayList;
import java.util.List;

import dev.sluice.twisted.task.TickScheduler;

/**
 * A {@link TickScheduler} whose ticks the test runs by hand, like Twisted's {@code FakeScheduler}: {@link #pump()}
 * runs the ticks scheduled so far. Single-threaded.
 */
public final class FakeScheduler implements TickScheduler {

    private final List<Runnable> work = new ArrayList<>();

    private int scheduledCount;

    @Override
    public Cancellable schedule(Runnable tick) {
        this.work.add(tick);
        this.scheduledCount++;
        return () -> this.work.remove(tick);
    }

    /** Runs the ticks scheduled before this call (ticks they schedule wait for the next pump). */
    public void pump() {
        List<Runnable> now = new ArrayList<>(this.work);
        this.work.clear();
        now.forEach(Runnable::run);
    }

    /**
     * Pumps until nothing is scheduled, at most {@code maxPumps} times.
     *
     * @return the number of pumps made
     */
    public int pumpUntilIdle(int maxPumps) {
        int pumps = 0;
        while (!this.work.isEmpty() && pumps < maxPumps) {
            pump();
            pumps++;
        }
        return pumps;
    }

    /** The number of ticks scheduled and not yet run or cancelled. */
    public int pending() {
        return this.work.size();
    }

    /** The number of ticks ever scheduled. */
    public int scheduledCount() {
        return this.scheduledCount;
    }
}
