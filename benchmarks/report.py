#!/usr/bin/env python3
"""Turns JMH JSON results of the Sluice benchmarks into one merged JSON file, a Markdown summary with the ratios to
each peer, and an SVG plot of scenarios 1 and 2. Standard library only.

usage: report.py [--mode quick|full] [--json OUT] [--svg OUT] [--markdown OUT] RESULT.json [RESULT.json ...]
"""
import argparse
import json
import math
import os
import platform
import statistics
from collections import defaultdict

PKG = "dev.sluice.benchmarks."
S1 = "SameThreadPipeBenchmark"
S2 = "CrossThreadHandOffBenchmark"
S3 = "FileToChannelBenchmark"
S4 = "MetricsOverheadBenchmark"
S5 = "MemoryBoundBenchmark"
S6 = "PauseLatencyBenchmark"


def load(paths):
    runs = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            runs.extend(json.load(f))
    return runs


def split(run):
    cls, method = run["benchmark"][len(PKG):].split(".")
    return cls, method


def select(runs, cls, **params):
    out = {}
    for run in runs:
        c, m = split(run)
        if c != cls:
            continue
        p = run.get("params", {})
        if all(p.get(k) == str(v) for k, v in params.items()):
            out[m] = run
    return out


def param_values(runs, cls, name):
    values = []
    for run in runs:
        if split(run)[0] == cls:
            v = run.get("params", {}).get(name)
            if v is not None and v not in values:
                values.append(v)
    return values


def score(run):
    return run["primaryMetric"]["score"]


def error(run):
    e = run["primaryMetric"]["scoreError"]
    return 0.0 if e is None or (isinstance(e, float) and math.isnan(e)) else e


def fmt_rate(value):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:.1f}"


def cell(run):
    if run is None:
        return "n/a"
    return f"{fmt_rate(score(run))} ± {fmt_rate(error(run))}"


def ratio(a, b):
    if a is None or b is None or score(b) == 0:
        return "n/a"
    r = score(a) / score(b)
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def secondary_raw(run, name):
    """Per-iteration values of a secondary metric, flattened over forks."""
    metric = run.get("secondaryMetrics", {}).get(name)
    if metric is None:
        return []
    return [v for fork in metric.get("rawData", []) for v in fork]


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def section_s1(runs):
    rows = []
    for size in param_values(runs, S1, "chunkSize"):
        for work in param_values(runs, S1, "sinkWork"):
            r = select(runs, S1, chunkSize=size, sinkWork=work)
            if not r:
                continue
            s = r.get("sluice")
            rows.append([f"{int(size) // 1024} KiB", work, cell(r.get("direct")), cell(s), cell(r.get("vertx")),
                         cell(r.get("reactor")), ratio(s, r.get("direct")), ratio(s, r.get("vertx")),
                         ratio(s, r.get("reactor"))])
    return "### Scenario 1: same-thread pipe (chunks/s)\n\n" + table(
        ["chunk", "sink work", "direct", "Sluice", "Vert.x Pipe", "Reactor limitRate", "Sluice / direct",
         "Sluice / Vert.x", "Sluice / Reactor"], rows)


def section_s2(runs):
    rows = []
    for size in param_values(runs, S2, "chunkSize"):
        r = select(runs, S2, chunkSize=size)
        s = r.get("sluice")
        rows.append([f"{int(size) // 1024} KiB", cell(r.get("arrayBlockingQueue")), cell(s),
                     cell(r.get("submissionPublisher")), cell(r.get("reactor")),
                     ratio(s, r.get("arrayBlockingQueue")), ratio(s, r.get("submissionPublisher")),
                     ratio(s, r.get("reactor"))])
    return "### Scenario 2: cross-thread hand-off (chunks/s)\n\n" + table(
        ["chunk", "ArrayBlockingQueue", "Sluice", "SubmissionPublisher", "Reactor publishOn", "Sluice / ABQ",
         "Sluice / SubmissionPublisher", "Sluice / Reactor"], rows)


def section_s3(runs):
    rows = []
    for size in param_values(runs, S3, "fileSizeMiB"):
        r = select(runs, S3, fileSizeMiB=size)
        mib = int(size)

        def mibs(run):
            if run is None:
                return "n/a"
            return f"{score(run) * mib:.0f} ± {error(run) * mib:.0f}"

        s = r.get("sluice")
        rows.append([f"{mib} MiB", mibs(r.get("transferTo")), mibs(r.get("inputStreamTransferTo")), mibs(s),
                     ratio(s, r.get("transferTo")), ratio(s, r.get("inputStreamTransferTo"))])
    return "### Scenario 3: file to a discarding channel (MiB/s)\n\n" + table(
        ["file", "FileChannel.transferTo", "InputStream.transferTo", "Sluice FileSender", "Sluice / transferTo",
         "Sluice / InputStream"], rows)


def section_s4(runs):
    r = {(run["params"].get("drain", "executor"), run["params"]["meters"]): run
         for run in runs if split(run)[0] == S4}
    rows = []
    for drain in ("executor", "inline"):
        none = r.get((drain, "none"))
        for name in ("none", "simple", "prometheus"):
            run = r.get((drain, name))
            if run is None:
                continue
            cost = "—" if name == "none" or none is None else f"{(1 - score(run) / score(none)) * 100:.1f} %"
            rows.append([drain, name, cell(run), ratio(run, none), cost])
    return ("### Scenario 4: metrics overhead on scenario 2 (chunks/s)\n\n"
            "One fork each: for error bars that mean something run benchmarks/scenario4.py (paired rounds).\n\n"
            + table(["drain", "meter registry", "Sluice", "ratio to none", "cost"], rows))


def section_s5(runs):
    rows = []
    for run in runs:
        cls, method = split(run)
        if cls != S5:
            continue
        peaks = secondary_raw(run, "peakBytes")
        bounds = secondary_raw(run, "boundBytes")
        pauses = secondary_raw(run, "pauses")
        if not peaks:
            continue
        ratios = [p / b for p, b in zip(peaks, bounds) if b]
        worst = max(ratios)
        over = max(p - b for p, b in zip(peaks, bounds))
        rows.append([method, f"{int(bounds[0])}", f"{int(max(peaks))}", f"{worst:.3f}", f"{over / 1024:.0f}",
                     f"{statistics.mean(pauses):.0f}", str(len(peaks))])
    return "### Scenario 5: memory bound, producer 100× faster than the consumer\n\n" + table(
        ["side", "bound (bytes)", "peak in flight (bytes)", "peak / bound (worst run)", "over the bound (1 KiB chunks)",
         "waits per run", "runs"], rows)


def section_s6(runs):
    rows = []
    for run in runs:
        cls, _ = split(run)
        if cls != S6:
            continue
        cycles = sum(secondary_raw(run, "cycles"))

        def mean(name):
            total = sum(secondary_raw(run, name))
            return "—" if not cycles or total == 0 else f"{total / cycles:.0f}"

        rows.append([run["params"]["threading"], cell(run), mean("pauseNsSum"), mean("resumeNsSum"),
                     mean("wakeNsSum"), f"{cycles:.0f}"])
    return "### Scenario 6: pause and resume latency (Sluice, 1 KiB chunks, 64 KiB / 32 KiB marks)\n\n" + table(
        ["drain", "cycles/s", "pause mean (ns)", "resume mean (ns)", "wake mean (ns)", "cycles measured"], rows)


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def environment(runs, mode):
    first = runs[0]
    return table(["", ""], [
        ["mode", mode],
        ["JMH", first.get("jmhVersion", "?")],
        ["JDK", f"{first.get('vmName', '?')} {first.get('jdkVersion', '?')} ({first.get('vmVersion', '?')})"],
        ["machine", f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"],
        ["settings", f"{first.get('forks')} fork(s), {first.get('warmupIterations')} × {first.get('warmupTime')} "
                     f"warm-up, {first.get('measurementIterations')} × {first.get('measurementTime')} measured "
                     f"(throughput scenarios)"],
    ])


def svg_plot(runs, path):
    groups = []
    for size in param_values(runs, S1, "chunkSize"):
        for work in param_values(runs, S1, "sinkWork"):
            r = select(runs, S1, chunkSize=size, sinkWork=work)
            groups.append((f"S1 same-thread, {int(size) // 1024} KiB, sink {work}",
                           [(n, r.get(m)) for n, m in (("direct", "direct"), ("Sluice", "sluice"),
                                                        ("Vert.x Pipe", "vertx"), ("Reactor limitRate", "reactor"))]))
    for size in param_values(runs, S2, "chunkSize"):
        r = select(runs, S2, chunkSize=size)
        groups.append((f"S2 cross-thread, {int(size) // 1024} KiB",
                       [(n, r.get(m)) for n, m in (("ArrayBlockingQueue", "arrayBlockingQueue"), ("Sluice", "sluice"),
                                                    ("SubmissionPublisher", "submissionPublisher"),
                                                    ("Reactor publishOn", "reactor"))]))
    colours = {"Sluice": "#d9480f", "direct": "#868e96", "ArrayBlockingQueue": "#868e96"}
    other = "#4c6ef5"
    values = [score(run) for _, bars in groups for _, run in bars if run]
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    left, width, bar_h, gap = 190, 560, 16, 26
    height = 60 + sum(len(b) * bar_h + gap for _, b in groups) + 40

    def x(v):
        return left + (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * width

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 120}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">Sluice vs peers, scenarios 1 and 2 '
           f'(chunks/s, log scale; whiskers: 99.9% error)</text>']
    decade = lo
    while decade <= hi:
        gx = x(decade)
        out.append(f'<line x1="{gx:.1f}" y1="35" x2="{gx:.1f}" y2="{height - 30}" stroke="#dee2e6"/>')
        out.append(f'<text x="{gx:.1f}" y="{height - 15}" text-anchor="middle">{fmt_rate(decade)}</text>')
        decade *= 10
    y = 50
    for title, bars in groups:
        out.append(f'<text x="10" y="{y}" font-weight="bold">{title}</text>')
        y += 6
        for name, run in bars:
            out.append(f'<text x="{left - 6}" y="{y + bar_h - 4}" text-anchor="end">{name}</text>')
            if run:
                s, e = score(run), error(run)
                out.append(f'<rect x="{left}" y="{y}" width="{x(s) - left:.1f}" height="{bar_h - 3}" '
                           f'fill="{colours.get(name, other)}"/>')
                if e > 0:
                    out.append(f'<line x1="{x(max(s - e, lo)):.1f}" y1="{y + (bar_h - 3) / 2}" x2="{x(s + e):.1f}" '
                               f'y2="{y + (bar_h - 3) / 2}" stroke="black"/>')
                out.append(f'<text x="{x(s + e) + 4:.1f}" y="{y + bar_h - 4}">{fmt_rate(s)}</text>')
            y += bar_h
        y += gap - 6
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+")
    parser.add_argument("--mode", default="?")
    parser.add_argument("--json")
    parser.add_argument("--svg")
    parser.add_argument("--markdown")
    args = parser.parse_args()
    runs = load(args.results)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(runs, f, indent=1)
    sections = [environment(runs, args.mode)]
    present = {split(run)[0] for run in runs}
    for cls, fn in ((S1, section_s1), (S2, section_s2), (S3, section_s3), (S4, section_s4), (S5, section_s5),
                    (S6, section_s6)):
        if cls in present:
            sections.append(fn(runs))
    text = "\n\n".join(sections) + "\n"
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(text)
    if args.svg and (S1 in present or S2 in present):
        svg_plot(runs, args.svg)


if __name__ == "__main__":
    main()
