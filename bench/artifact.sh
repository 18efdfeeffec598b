#!/usr/bin/env bash
# Artifact throughput and memory: one SIZE MiB artifact (default 100) spooled and uploaded by Talon's aws:s3 output
# to a real S3 API server (S3Proxy in a second JVM, filesystem backend); time, throughput, and the JVM's heap and RSS
# growth during it against the artifact's size (it must not grow by the artifact).
# Usage: [HEAP="jvm flags"] bench/artifact.sh [SIZE_MIB]   (from the repository root; HEAP default -Xmx256m)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/artifact-$(date -u +%Y%m%dT%H%M%SZ).txt"
./mvnw -q -B test-compile
CP=$(./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
{
  echo "# artifact to S3, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: ${HEAP:+HEAP=\"$HEAP\" }bench/artifact.sh $* (Talon JVM ${HEAP:--Xmx256m}; S3Proxy in a second JVM)"
} | tee "$REPORT"
java ${HEAP:--Xmx256m} -Dlog4j2.configurationFile=log4j2-cli.xml \
  -cp "target/test-classes:target/classes:$CP" org.falcosecurity.talon.bench.ArtifactBench "$@" 2>&1 | tee -a "$REPORT"
echo "report: $REPORT"
