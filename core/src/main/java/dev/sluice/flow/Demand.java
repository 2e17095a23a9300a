package dev.sluice.flow;

/** Reactive Streams demand arithmetic: demand saturates at {@code Long.MAX_VALUE}, which means unbounded (§3.17). */
final class Demand {

    private Demand() {
    }

    /** {@code current + n}, or {@code Long.MAX_VALUE} when that overflows; both are not negative. */
    static long add(long current, long n) {
        long sum = current + n;
        return (sum < 0) ? Long.MAX_VALUE : sum;
    }
}
