#!/usr/bin/env bash
# Many slow clients of one large file: SluiceBody against ResponseEntity<FileSystemResource> (platform and virtual
# threads) and StreamingResponseBody, each server in its own JVM, the NIO clients in this one. Takes about 2 minutes
# per side. Writes benchmarks/results/http-slow-clients.md. See docs/benchmarks.md.
#
#   benchmarks/run-http.sh [java-binary [side...]]    # default: the JDK 25 below if present, else java; all sides
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
java="${1:-}"
if [[ -z "$java" ]]; then
    if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
        java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java   # virtual threads need JDK 21+
    else
        java=java
    fi
fi
shift || true

./mvnw -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
ulimit -n 20000 2>/dev/null || true
"$java" -Xmx512m -cp "$cp" dev.sluice.benchmarks.http.ManySlowClients "$java" "$@"
