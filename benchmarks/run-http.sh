#!/usr/bin/env bash
# Many slow clients of one large file: SluiceBody against ResponseEntity<FileSystemResource> (platform and virtual
# threads) and StreamingResponseBody, each server in its own JVM, the NIO clients in this one. Takes about 2 minutes
# per side. Writes benchmarks/results/http-slow-clients.md. See docs/benchmarks.md.
#
#   benchmarks/run-http.sh [--java PATH] [side...]    # default: $JAVA_HOME/bin/java, else java on the PATH; all sides
#   JAVA_HOME=/usr/lib/jvm/some-jdk-25 benchmarks/run-http.sh
# The virtual-thread side needs JDK 21 or later.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
java=""
if [[ "${1:-}" == "--java" ]]; then
    java="${2:?--java needs the path of a java binary}"
    shift 2
elif [[ -n "${JAVA_HOME:-}" ]]; then
    java="$JAVA_HOME/bin/java"
else
    java="$(command -v java || true)"
fi
if [[ -z "$java" || ! -x "$java" ]]; then
    echo "run-http.sh: no java binary at '${java}': set JAVA_HOME or pass --java PATH" >&2
    exit 2
fi
echo "run-http.sh: servers and driver run on $("$java" -version 2>&1 | head -1)" >&2

./mvnw -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
ulimit -n 20000 2>/dev/null || true
"$java" -Xmx512m -cp "$cp" dev.sluice.benchmarks.http.ManySlowClients "$java" "$@"
