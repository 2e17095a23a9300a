package dev.sluice.benchmarks.http;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The results as an SVG of horizontal bars, written without a plotting library: one row per container and side, three
 * panels (fast clients' throughput, heap growth under load, p99 time to first byte). Sluice's sides are blue, peers
 * grey; a side whose p99 is "never" gets a full red bar.
 */
final class BarChart {

    private static final int LABEL_WIDTH = 220;

    private static final int PANEL_WIDTH = 250;

    private static final int PANEL_GAP = 30;

    private static final int ROW_HEIGHT = 20;

    private static final int TOP = 50;

    private final List<SideResult> results;

    private final String title;

    BarChart(List<SideResult> results, String title) {
        this.results = results;
        this.title = title;
    }

    String svg() {
        int height = TOP + this.results.size() * ROW_HEIGHT + 20;
        int width = LABEL_WIDTH + 3 * (PANEL_WIDTH + PANEL_GAP);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">\n", width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        svg.append(text(8, 18, escape(this.title), "font-weight=\"bold\""));
        for (int i = 0; i < this.results.size(); i++) {
            SideResult r = this.results.get(i);
            svg.append(text(8, TOP + i * ROW_HEIGHT + 14, r.container().label + " · " + r.side().label, ""));
        }
        panel(svg, 0, "fast clients, MiB/s", r -> r.fast() / SideResult.MIB, "%.0f");
        panel(svg, 1, "heap growth under load, MiB", r -> Math.max(0, r.heapGrowth()) / SideResult.MIB, "%.0f");
        panel(svg, 2, "p99 time to first byte, s",
                r -> (r.p99FirstByteNanos() == Long.MAX_VALUE) ? Double.POSITIVE_INFINITY
                        : r.p99FirstByteNanos() / 1e9, "%.2f");
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void panel(StringBuilder svg, int index, String heading, ToDoubleFunction<SideResult> value,
            String format) {
        int left = LABEL_WIDTH + index * (PANEL_WIDTH + PANEL_GAP);
        double max = this.results.stream().mapToDouble(value).filter(Double::isFinite).max().orElse(1);
        max = (max > 0) ? max : 1;
        svg.append(text(left, TOP - 10, heading, "font-weight=\"bold\""));
        int barArea = PANEL_WIDTH - 50;
        for (int i = 0; i < this.results.size(); i++) {
            SideResult r = this.results.get(i);
            double v = value.applyAsDouble(r);
            int y = TOP + i * ROW_HEIGHT + 3;
            boolean never = Double.isInfinite(v);
            int length = never ? barArea : (int) Math.round(barArea * v / max);
            String fill = never ? "#d62728" : r.side().isSluice() ? "#1f77b4" : "#999999";
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
                    left, y, Math.max(length, 1), ROW_HEIGHT - 6, fill));
            String label = never ? "never" : String.format(Locale.ROOT, format, v);
            svg.append(text(left + length + 4, y + 11, label, ""));
        }
    }

    private static String text(int x, int y, String content, String attributes) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" %s>%s</text>\n", x, y, attributes, content);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
