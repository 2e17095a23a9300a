#!/usr/bin/env bash
# Runs every Sluice benchmark scenario against its peers and writes the JMH JSON, a Markdown summary with the ratios
# and an SVG plot of scenarios 1 and 2 to benchmarks/results/. See docs/benchmarks.md.
#
#   benchmarks/run.sh quick   # 1 fork, 2 warm-up and 3 measured 1 s iterations, 256 MiB file, 2 s memory runs
#   benchmarks/run.sh full    # the annotations' settings: 3 forks, 5 + 5 iterations, 1 GiB file, 10 s memory runs
#
# Anything after the mode is passed to JMH (for example a JVM: -jvm /usr/lib/jvm/java-25/bin/java).
set -euo pipefail

mode="${1:-quick}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

case "$mode" in
    quick)
        throughput=(-f 1 -wi 2 -w 1s -i 3 -r 1s -p fileSizeMiB=256)
        bound=(-f 1 -wi 0 -i 1 -p durationMs=2000)
        ;;
    full)
        throughput=()
        bound=()
        ;;
    *)
        echo "usage: benchmarks/run.sh [quick|full] [JMH options...]" >&2
        exit 2
        ;;
esac

./mvnw -q -pl benchmarks -am package -DskipTests
jar=benchmarks/target/benchmarks.jar
results=benchmarks/results
parts="$(mktemp -d)"
trap 'rm -rf "$parts"' EXIT
mkdir -p "$results"

java -jar "$jar" 'SameThreadPipe|CrossThreadHandOff|FileToChannel|MetricsOverhead|PauseLatency' \
    "${throughput[@]}" -rf json -rff "$parts/throughput.json" "$@"
java -jar "$jar" 'MemoryBound' "${bound[@]}" -rf json -rff "$parts/bound.json" "$@"

python3 benchmarks/report.py --mode "$mode" --json "$results/$mode.json" --svg "$results/$mode.svg" \
    --markdown "$results/$mode.md" "$parts/throughput.json" "$parts/bound.json"
echo "wrote $results/$mode.json, $results/$mode.md and $results/$mode.svg"
