#!/usr/bin/env bash
# S7, many slow clients of one large file, every side on Tomcat and on Jetty in one run: SluiceBody (zero-copy, and the
# non-blocking path as a file kept off sendfile and as a stream body) against ResponseEntity<FileSystemResource> on
# platform and on virtual threads and StreamingResponseBody. Servers in their own JVMs, the NIO clients in this one.
# Prints one table with the ratios against the best peer and the issue's targets evaluated; writes
# benchmarks/results/http-slow-clients-<mode>.md and .svg. See docs/benchmarks.md.
#
#   benchmarks/run-http.sh --quick          # 300 slow clients, 3 s windows, one server JVM per container and thread
#                                           # kind: about 2 minutes for all 12 sides
#   benchmarks/run-http.sh                  # full: 1 000 slow clients, 20 s windows, one server JVM per side: ~10 min
#   benchmarks/run-http.sh [--java PATH] [--no-build] [--quick] [--container tomcat|jetty]... [side...]
#
# Sides: sluice-zero-copy sluice-nonblocking sluice-stream streaming resource resource-virtual (default: all);
# containers: tomcat and jetty (default: both). The JDK is $JAVA_HOME/bin/java, else java on the PATH, unless --java;
# the resource-virtual side needs JDK 21 or later, e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64.
# --no-build skips the Maven build (compile and class path, about half a minute) when the module is up to date.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
java=""
build=true
args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --java) java="${2:?--java needs the path of a java binary}"; shift 2 ;;
        --no-build) build=false; shift ;;
        *) args+=("$1"); shift ;;
    esac
done
if [[ -z "$java" && -n "${JAVA_HOME:-}" ]]; then
    java="$JAVA_HOME/bin/java"
elif [[ -z "$java" ]]; then
    java="$(command -v java || true)"
fi
if [[ -z "$java" || ! -x "$java" ]]; then
    echo "run-http.sh: no java binary at '${java}': set JAVA_HOME or pass --java PATH" >&2
    exit 2
fi
echo "run-http.sh: servers and driver run on $("$java" -version 2>&1 | head -1)" >&2

if $build; then
    # compile is enough: the class path names the reactor modules' target/classes (no uber-jar needed)
    ./mvnw -q -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
fi
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
ulimit -n 20000 2>/dev/null || true
start=$SECONDS
"$java" -Xmx512m -cp "$cp" dev.sluice.benchmarks.http.ManySlowClients "$java" "${args[@]}"
echo "run-http.sh: the benchmark took $((SECONDS - start)) s of wall clock (build not counted)" >&2
