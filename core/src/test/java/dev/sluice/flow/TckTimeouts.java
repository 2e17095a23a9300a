package dev.sluice.flow;

/** Timeouts of the TCK suites: short enough to keep the build quick, long enough for a loaded 2-core machine. */
final class TckTimeouts {

    /** How long the TCK waits for a signal, and for the absence of one. */
    static final long DEFAULT_MILLIS = 300;

    /** How long the TCK waits for a cancelled subscriber to become unreachable (§3.13). */
    static final long GC_MILLIS = 1_000;

    private TckTimeouts() {
    }
}
