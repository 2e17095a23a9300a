package dev.sluice.benchmarks.http;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The results as Markdown: one table with the ratios against the best peer on the same container and the issue's
 * targets evaluated, and one of the costs behind them (allocation, CPU, collections per MiB sent).
 *
 * <p>The best peer is, per container, the peer ({@code streaming}, {@code resource}, {@code resource-virtual}) with
 * the most fast-client throughput, and separately the one with the lowest p99 time to first byte. The heap target is
 * against {@code resource-virtual}'s growth on the same container.
 */
final class ResultTable {

    /** A Sluice side's heap growth under slow clients must stay within this fraction of virtual threads' growth. */
    static final double HEAP_TARGET = 0.5;

    private final List<SideResult> results;

    ResultTable(List<SideResult> results) {
        this.results = results;
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| container | side | slow clients served at once | server platform threads (peak)"
                + " | heap after GC, idle → under load (MiB) | heap growth × virtual threads' | aggregate MiB/s"
                + " | fast clients MiB/s | fast × best peer | p99 time to first byte | p99 TTFB × best peer"
                + " | targets (Sluice) |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (SideResult r : this.results) {
            Optional<SideResult> fastest = bestFast(r.container());
            Optional<SideResult> firstByte = bestFirstByte(r.container());
            Optional<SideResult> virtual = find(r.container(), Side.RESOURCE_VIRTUAL);
            // no peer served a fast client: any throughput meets the target, the ratio is infinite
            double fastRatio = fastest.map(best -> (best.fast() > 0) ? r.fast() / best.fast()
                    : (r.fast() > 0) ? Double.POSITIVE_INFINITY : Double.NaN).orElse(Double.NaN);
            double heapRatio = virtual.filter(v -> v.heapGrowth() > 0)
                .map(v -> (double) r.heapGrowth() / v.heapGrowth())
                .orElse(Double.NaN);
            double firstByteRatio = firstByte.map(best -> ratio(r.p99FirstByteNanos(), best.p99FirstByteNanos()))
                .orElse(Double.NaN);
            out.append(String.format(Locale.ROOT, "| %s | %s | %d of %d | %d (%d) | %.0f → %.0f (%+.0f) | %s | %.1f"
                    + " | %.1f | %s | %s | %s | %s |\n", r.container().label, r.side().label, r.served(),
                    r.slowClients(), r.threads(), r.peakThreads(), r.heapIdle() / SideResult.MIB,
                    r.heapLoaded() / SideResult.MIB, r.heapGrowth() / SideResult.MIB, times(heapRatio), r.aggregate()
                            / SideResult.MIB, r.fast() / SideResult.MIB, times(fastRatio),
                    firstByte(r.p99FirstByteNanos()), times(firstByteRatio),
                    r.side().isSluice() ? targets(r, fastRatio, heapRatio, firstByte) : "peer"));
        }
        for (Container container : containers()) {
            out.append('\n').append(String.format(Locale.ROOT, "Best peer on %s: fast clients %s, p99 time to first"
                    + " byte %s.", container.label,
                    bestFast(container).filter(b -> b.fast() > 0).map(b -> b.side().label + " " + mibs(b.fast()))
                        .orElse("none (no peer served a fast client)"),
                    bestFirstByte(container).map(b -> (b.p99FirstByteNanos() == Long.MAX_VALUE)
                        ? "never (more than 1 % of every peer's clients got no byte)"
                        : b.side().label + " " + firstByte(b.p99FirstByteNanos())).orElse("none")));
        }
        out.append("\n\n| container | side | server allocation per MiB sent | server CPU per MiB sent"
                + " | collections in the window |\n|---|---|---|---|---|\n");
        for (SideResult r : this.results) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %.1f MiB | %.2f ms | %d |\n", r.container().label,
                    r.side().label, r.allocatedPerMib() / SideResult.MIB, r.cpuMillisPerMib(), r.collections()));
        }
        return out.toString();
    }

    /** The four targets for one Sluice side, each ✓ or ✗. */
    private static String targets(SideResult r, double fastRatio, double heapRatio,
            Optional<SideResult> bestFirstByte) {
        boolean fast = !Double.isNaN(fastRatio) && fastRatio >= r.side().fastTarget;
        boolean heap = !Double.isNaN(heapRatio) && heapRatio <= HEAP_TARGET;
        boolean firstByte = bestFirstByte.isEmpty()
                || r.p99FirstByteNanos() <= bestFirstByte.get().p99FirstByteNanos();
        return String.format(Locale.ROOT, "fast ≥ %.1f× %s · heap ≤ 0.5× %s · all served %s · p99 TTFB %s",
                r.side().fastTarget, mark(fast), mark(heap), mark(r.servedAll()), mark(firstByte));
    }

    private Optional<SideResult> bestFast(Container container) {
        return peers(container).max(Comparator.comparingDouble(SideResult::fast));
    }

    private Optional<SideResult> bestFirstByte(Container container) {
        return peers(container).min(Comparator.comparingLong(SideResult::p99FirstByteNanos));
    }

    private java.util.stream.Stream<SideResult> peers(Container container) {
        return this.results.stream().filter(r -> r.container() == container && !r.side().isSluice());
    }

    private Optional<SideResult> find(Container container, Side side) {
        return this.results.stream().filter(r -> r.container() == container && r.side() == side).findFirst();
    }

    private List<Container> containers() {
        return this.results.stream().map(SideResult::container).distinct().toList();
    }

    private static double ratio(long value, long best) {
        if (value == Long.MAX_VALUE || best == Long.MAX_VALUE) { // "never" has no ratio but 1 against itself
            return (value == best) ? 1.0 : (value == Long.MAX_VALUE) ? Double.POSITIVE_INFINITY : Double.NaN;
        }
        return (best > 0) ? (double) value / best : Double.NaN;
    }

    /** A ratio; "n/a" where there is none (a peer's "never", no peer that served anyone). */
    private static String times(double ratio) {
        if (Double.isNaN(ratio)) {
            return "n/a";
        }
        return Double.isInfinite(ratio) ? "∞" : String.format(Locale.ROOT, "%.2f×", ratio);
    }

    static String firstByte(long nanos) {
        return (nanos == Long.MAX_VALUE) ? "never" : String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }

    private static String mibs(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1f MiB/s", bytesPerSecond / SideResult.MIB);
    }

    private static String mark(boolean met) {
        return met ? "✓" : "✗";
    }
}
