package dev.sluice.twisted.task.testing;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when the test says so. Thread-safe. */
public final class ManualClock implements LongSupplier {

    private volatile long nanos;

    @Override
    public long getAsLong() {
        return this.nanos;
    }

    /** Moves the clock forward. */
    public synchronized void advance(Duration by) {
        this.nanos += by.toNanos();
    }
}
