package dev.sluice.servlet;

/** What the servlet module counts for measurements, read by the load driver of the autoconfigure tests. */
public final class LoadCounters {

    private LoadCounters() {
    }

    /** The container's {@code onWritePossible} calls to every {@link ServletOutputConsumer} so far. */
    public static long writePossibleCalls() {
        return ServletOutputConsumer.writePossibleCalls.sum();
    }
}
