package dev.sluice.benchmarks.http;

/**
 * What one side measured in its window.
 *
 * @param container where it ran
 * @param side what it ran
 * @param slowClients the slow clients connected
 * @param served slow clients that received bytes during the window
 * @param threads the server's live platform threads at the end of the window
 * @param peakThreads the peak since the idle reading
 * @param heapIdle heap used after GC before the load, bytes
 * @param heapLoaded heap used after GC at the end of the window, bytes
 * @param aggregate body bytes per second, all clients
 * @param fast body bytes per second, the fast clients
 * @param p99FirstByteNanos the 99th percentile of every client's time to its first body byte; {@link Long#MAX_VALUE}
 *        when more than 1 % got none
 * @param allocatedPerMib bytes allocated by the server per MiB of body sent, in the window
 * @param cpuMillisPerMib server CPU time (user and system) per MiB of body sent, in the window
 * @param collections garbage collections in the window
 */
record SideResult(Container container, Side side, int slowClients, long served, long threads, long peakThreads,
        long heapIdle, long heapLoaded, double aggregate, double fast, long p99FirstByteNanos, double allocatedPerMib,
        double cpuMillisPerMib, long collections) {

    static final double MIB = 1024.0 * 1024.0;

    long heapGrowth() {
        return this.heapLoaded - this.heapIdle;
    }

    /** One line for the console while the run goes on. */
    String summary() {
        return String.format(java.util.Locale.ROOT, "%s %s: %d of %d slow served, fast %.1f MiB/s, heap %.0f → %.0f MiB,"
                + " p99 TTFB %s, %d threads", this.container.label, this.side.label, this.served, this.slowClients,
                this.fast / MIB, this.heapIdle / MIB, this.heapLoaded / MIB,
                ResultTable.firstByte(this.p99FirstByteNanos), this.threads);
    }

    boolean servedAll() {
        return this.served >= this.slowClients;
    }
}
