package dev.sluice.review;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import dev.sluice.PullProducer;
import dev.sluice.testing.Latches;

/**
 * Helpers for the StopThroughLoopReview* tests: a pull producer that logs its callbacks (with overlap detection) and
 * runs a hook inside its n-th resume; a manual executor queue run by hand.
 */
class StopThroughLoopReviewProducer implements PullProducer {

    private final List<String> events = new ArrayList<>();

    private final AtomicInteger inside = new AtomicInteger();

    private volatile boolean overlapped;

    private int resumes;

    private final IntConsumer onResume;

    private final RuntimeException stopFailure;

    StopThroughLoopReviewProducer(IntConsumer onResume) {
        this(onResume, null);
    }

    StopThroughLoopReviewProducer(IntConsumer onResume, RuntimeException stopFailure) {
        this.onResume = onResume;
        this.stopFailure = stopFailure;
    }

    private void enter(String what) {
        if (this.inside.incrementAndGet() != 1) {
            this.overlapped = true;
        }
        synchronized (this) {
            this.events.add(what);
        }
    }

    private void exit() {
        this.inside.decrementAndGet();
    }

    @Override
    public void resumeProducing() {
        enter("resume");
        try {
            int call;
            synchronized (this) {
                call = ++this.resumes;
            }
            this.onResume.accept(call);
        }
        finally {
            exit();
        }
    }

    @Override
    public void stopProducing() {
        enter("stop");
        try {
            if (this.stopFailure != null) {
                throw this.stopFailure;
            }
        }
        finally {
            exit();
        }
    }

    synchronized List<String> events() {
        return List.copyOf(this.events);
    }

    boolean overlapped() {
        return this.overlapped;
    }

    @Override
    public String toString() {
        return "StopThroughLoopReviewProducer";
    }

    /** Waits for a latch inside a callback; fails loudly instead of hanging. */
    static void await(CountDownLatch latch) {
        if (!Latches.awaitAtMost(latch, Duration.ofSeconds(10))) {
            throw new AssertionError("latch not opened within 10 s");
        }
    }

    /** A drain executor whose tasks the test runs by hand. */
    static final class Tasks {

        final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();

        void add(Runnable task) {
            this.queue.add(task);
        }

        void runAll() {
            for (Runnable task; (task = this.queue.poll()) != null;) {
                task.run();
            }
        }
    }
}
