package dev.sluice.review;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import dev.sluice.PullProducer;
import dev.sluice.testing.Latches;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Helper of the OperatorStopReview* tests: a pull producer that logs its callbacks ("resume", "stop") and runs a hook
 * inside its n-th resumeProducing. Identity equality unless a subclass says otherwise.
 */
class OperatorStopReviewProducer implements PullProducer {

    private final List<String> events = new ArrayList<>();

    private final AtomicInteger resumes = new AtomicInteger();

    private final String label;

    volatile IntConsumer onResume = call -> {
    };

    OperatorStopReviewProducer(String label) {
        this.label = label;
    }

    @Override
    public void resumeProducing() {
        record("resume");
        this.onResume.accept(this.resumes.incrementAndGet());
    }

    @Override
    public void stopProducing() {
        record("stop");
    }

    private synchronized void record(String what) {
        this.events.add(what);
    }

    synchronized List<String> events() {
        return new ArrayList<>(this.events);
    }

    synchronized long stops() {
        return this.events.stream().filter("stop"::equals).count();
    }

    /** Whether a callback came after the first stopProducing. */
    synchronized List<String> afterFirstStop() {
        int first = this.events.indexOf("stop");
        return (first < 0) ? List.of() : new ArrayList<>(this.events.subList(first + 1, this.events.size()));
    }

    @Override
    public String toString() {
        return this.label;
    }

    static void await(CountDownLatch latch) {
        assertThat(Latches.awaitAtMost(latch, Duration.ofSeconds(10))).as("latch opened within 10 s").isTrue();
    }
}
