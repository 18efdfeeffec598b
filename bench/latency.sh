#!/usr/bin/env bash
# Event → action latency: POST of an event to the label action's PATCH reaching the Kubernetes API simulator, at
# 100, 300, 500 and 1,000 events/s (open loop, in that order), p50 / p99 / p99.9. Talon, the simulator and the load share one JVM.
# Usage: [WORKERS=n] bench/latency.sh [RATE SECONDS]...   (default: 100 20 300 10 500 10 1000 10; from the
# repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/latency-$(date -u +%Y%m%dT%H%M%SZ).txt"
./mvnw -q -B test-compile
CP=$(./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
{
  echo "# event -> action latency, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: ${WORKERS:+WORKERS=$WORKERS }bench/latency.sh $* (JVM -Xms512m -Xmx1g; Talon, API simulator and load generator in one JVM)"
} | tee "$REPORT"
# the load generator's JDK HttpClient completes responses on the common fork-join pool, which on 2 cores has a
# parallelism of 1 and then starts a thread per response: give it 2 (Talon itself does not use that pool)
java -Xms512m -Xmx1g -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -Dlog4j2.configurationFile=log4j2-cli.xml \
  -cp "target/test-classes:target/classes:$CP" org.falcosecurity.talon.bench.LatencyBench "$@" 2>&1 | tee -a "$REPORT"
echo "report: $REPORT"
