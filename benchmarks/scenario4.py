#!/usr/bin/env python3
"""Scenario 4 (metrics overhead) as a paired comparison, for error bars that mean something on a shared machine.

Each round runs the three variants (none, simple, prometheus) one JMH fork each, back to back and in a shuffled order,
so that whatever else the machine is doing at that moment weighs on all three alike. The cost of metrics is computed
per round (1 - variant / none, from the means of the measured iterations) and then over rounds: mean and a 95 %
confidence interval (Student's t), and, because other work on the machine now and then slows one fork of a round by
tens of per cent, the median with a 95 % bootstrap interval, which such a round cannot drag. Standard library only.

    benchmarks/scenario4.py [--rounds 8] [--drain executor,inline] [--warmups 3] [--iterations 4] [--cpu]
                            [--jar benchmarks/target/benchmarks.jar] [--json out.json] [-- extra JMH options]

--drain executor is scenario 2's cross-thread pipe; inline runs the same pause/resume cycle on one thread (see the
benchmark's javadoc). Each round runs every drain mode.

--cpu adds JMH's perfnorm profiler with the software event task-clock (Linux perf; no hardware counters needed): the
CPU time the fork's threads spent per chunk, which other work on the machine slows far less than the wall-clock score
(a fork that waits for a core is not charged for the wait). Every round prints both, and the summary pairs both.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile

VARIANTS = ["none", "simple", "prometheus"]

# two-sided 95 % Student t quantiles by degrees of freedom
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
       11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086,
       25: 2.060, 30: 2.042}


def t95(df):
    keys = [k for k in sorted(T95) if k <= df]
    return T95[keys[-1]] if keys else T95[1]


CPU_EVENT = "task-clock"


def run_variant(jar, drain, variant, warmups, iterations, extra):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = out.name
    try:
        subprocess.run(["java", "-jar", jar, "MetricsOverheadBenchmark", "-p", "meters=" + variant, "-p", "drain=" + drain, "-f", "1",
                        "-wi", str(warmups), "-w", "1s", "-i", str(iterations), "-r", "1s", "-rf", "json",
                        "-rff", path] + extra, check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            result = json.load(f)[0]
        raw = [value for fork in result["primaryMetric"]["rawData"] for value in fork]
        cpu = result.get("secondaryMetrics", {}).get(CPU_EVENT)
        # perfnorm reports task-clock in milliseconds per operation
        cpu_ns = cpu["score"] * 1e6 if cpu else None
        return statistics.mean(raw), cpu_ns, result
    finally:
        os.unlink(path)


def interval(values):
    mean = statistics.mean(values)
    if len(values) < 2:
        return mean, float("nan")
    return mean, t95(len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5


def median_interval(values, resamples=10000):
    rng = random.Random(4)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
    return statistics.median(values), medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def print_table(drains, values, figure, cost_name, cost_of, show):
    """One Markdown row per drain mode and variant: the median figure, and the cost against none paired by round."""
    print(f"| drain | meter registry | {figure} | {cost_name} vs none, paired: median [95 % bootstrap CI] "
          f"| {cost_name}: mean ± 95 % CI |")
    print("|---|---|---|---|---|")
    for drain in drains:
        for variant in VARIANTS:
            median = statistics.median(values[(drain, variant)])
            if variant == "none":
                robust, cost = "—", "—"
            else:
                paired = [100 * cost_of(v, n) for v, n in zip(values[(drain, variant)], values[(drain, "none")])]
                cost_mean, cost_half = interval(paired)
                middle, low, high = median_interval(paired)
                robust = f"{middle:+.1f} % [{low:+.1f} %, {high:+.1f} %]"
                cost = f"{cost_mean:+.1f} % ± {cost_half:.1f} %"
            print(f"| {drain} | {variant} | {show(median)} | {robust} | {cost} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--drain", default="executor,inline")
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--jar", default="benchmarks/target/benchmarks.jar")
    parser.add_argument("--json")
    parser.add_argument("--cpu", action="store_true", help="also measure CPU time per chunk (perf task-clock)")
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args()
    drains = args.drain.split(",")
    extra = args.extra + (["-prof", "perfnorm:events=" + CPU_EVENT] if args.cpu else [])

    scores = {(drain, variant): [] for drain in drains for variant in VARIANTS}
    cpus = {(drain, variant): [] for drain in drains for variant in VARIANTS}
    results = []
    for round_number in range(1, args.rounds + 1):
        for drain in drains:
            order = VARIANTS[:]
            random.shuffle(order)
            for variant in order:
                score, cpu_ns, result = run_variant(args.jar, drain, variant, args.warmups, args.iterations, extra)
                scores[(drain, variant)].append(score)
                cpus[(drain, variant)].append(cpu_ns)
                results.append(result)
            none = scores[(drain, "none")][-1]
            rates = ", ".join(f"{v} {scores[(drain, v)][-1] / 1e6:.3f}" for v in VARIANTS)
            costs = ", ".join(f"{v} {100 * (1 - scores[(drain, v)][-1] / none):+.1f} %" for v in VARIANTS[1:])
            line = f"round {round_number} {drain}: M chunks/s {rates}; cost {costs}"
            if args.cpu:
                cpu_none = cpus[(drain, "none")][-1]
                times = ", ".join(f"{v} {cpus[(drain, v)][-1]:.1f}" for v in VARIANTS)
                cpu_costs = ", ".join(f"{v} {100 * (cpus[(drain, v)][-1] / cpu_none - 1):+.1f} %"
                                      for v in VARIANTS[1:])
                line += f" | CPU ns/chunk {times}; CPU cost {cpu_costs}"
            print(line + f" | load {os.getloadavg()[0]:.1f}", file=sys.stderr)

    print_table(drains, scores, "chunks/s (median of rounds)", "cost", lambda s, n: 1 - s / n,
                lambda median: f"{median / 1e6:.3f} M")
    if args.cpu:
        print()
        print_table(drains, cpus, "CPU ns/chunk (median of rounds)", "CPU cost", lambda c, n: c / n - 1,
                    lambda median: f"{median:.1f}")
    print(f"\n{args.rounds} rounds; each round one fork per drain mode and variant, variants in shuffled order, "
          f"{args.warmups} × 1 s warm-up, {args.iterations} × 1 s measured")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
