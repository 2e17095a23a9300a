package dev.sluice.torture;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Broken invariants seen during a torture run, by invariant: how often each broke and the first few messages in full,
 * so that a failure says which rule broke, where, and with which figures. Thread-safe; reporting never throws, so
 * a check inside a producer callback cannot change what the consumer under test does next.
 */
final class Violations {

    private static final int KEPT_PER_INVARIANT = 3;

    private final Map<String, LongAdder> counts = new ConcurrentSkipListMap<>();

    private final Queue<String> firstMessages = new ConcurrentLinkedQueue<>();

    private final Map<String, AtomicInteger> kept = new ConcurrentSkipListMap<>();

    /**
     * Records that {@code invariant} broke.
     *
     * @param invariant a short name, such as "per-writer FIFO (DESIGN §4.4)"
     * @param detail what was seen, with the figures
     */
    void report(String invariant, String detail) {
        report(invariant, () -> detail);
    }

    /** Like {@link #report(String, String)}, building the detail only for the messages kept. */
    void report(String invariant, java.util.function.Supplier<String> detail) {
        this.counts.computeIfAbsent(invariant, key -> new LongAdder()).increment();
        if (this.kept.computeIfAbsent(invariant, key -> new AtomicInteger()).incrementAndGet() <= KEPT_PER_INVARIANT) {
            this.firstMessages.add("[" + invariant + "] " + detail.get() + " (thread "
                    + Thread.currentThread().getName() + ")");
        }
    }

    /** How many violations were reported, of every invariant. */
    long total() {
        return this.counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    boolean isEmpty() {
        return this.counts.isEmpty();
    }

    /** One line per broken invariant with its count, then the first few messages of each. */
    String summary() {
        StringBuilder text = new StringBuilder("broken invariants:");
        this.counts.forEach((invariant, count) -> text.append("\n  ").append(invariant).append(": ").append(count.sum())
                .append(" time(s)"));
        text.append("\nfirst messages:");
        for (String message : this.firstMessages) {
            text.append("\n  ").append(message);
        }
        return text.toString();
    }
}
