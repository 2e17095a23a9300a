package dev.sluice.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Bounded waits for callbacks that take a moment in a test, never long enough to hang the build. */
public final class Latches {

    private Latches() {
    }

    /**
     * Waits until {@code latch} is open or {@code most} has passed, whichever comes first; keeps the interrupt.
     *
     * @return whether the latch opened
     */
    public static boolean awaitAtMost(CountDownLatch latch, Duration most) {
        try {
            return latch.await(most.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
