#!/usr/bin/env bash
# Event → action latency: from the POST of an event to the PATCH of its `kubernetes:label` action reaching the
# Kubernetes API simulator, at fixed offered rates (open loop), p50 / p99 / p99.9 / max, against the bare Camel
# route's POST round trip measured in the same rounds (ratio and offset). Separate processes: the bare route
# (bench/Bare.java); per Talon an API simulator (src/test/java/.../bench/ApiSimulator.java) and Talon itself
# (`java -jar JAR server` with the image's JVM flags and the jar's packaged config.yaml, plus a kubeconfig to its
# simulator and an intake token, as the shipped defaults require with a cluster); one load generator
# (src/test/java/.../bench/LatencyLoad.java) that warms each target up, then, for each step, lets them take turns,
# ROUNDS times. Summary: LatencySummary.java (medians over the rounds; ratio and offset to the bare route).
#
# Usage: [ROUNDS=n] [JAR="a.jar b.jar"] [HEAP="jvm flags"] [WARMUP=events] [JFR=1] bench/latency.sh [RATE SECONDS]...
#   steps: default 100 20 300 10 500 10 1000 10, after WARMUP (10,000) events at 500/s per target; ROUNDS: 3;
#   JAR: the Talon jars to compare, each with its lib/ beside it (default target/falco-talon.jar; e.g.
#   JAR="target/falco-talon.jar /work/before/falco-talon.jar"), at most four; HEAP: Talon's and the bare route's JVM
#   flags, default the jib jvmFlags of pom.xml with -XX:MaxRAM = the memory limit of kubernetes/deployment.yaml (what
#   the JVM sees in the pod); JFR=1 records a profile of each Talon. Ports: LATENCY_PORT (default 2830) for the bare
#   route, then a simulator and a Talon per jar (2831-2838). Talon reads its settings from the environment too
#   (e.g. WORKERS=16). From the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=("$@")
[ ${#STEPS[@]} -eq 0 ] && STEPS=(100 20 300 10 500 10 1000 10)
if [ $(( ${#STEPS[@]} % 2 )) -ne 0 ]; then echo "usage: bench/latency.sh [RATE SECONDS]..." >&2; exit 2; fi
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-10000}
BASE=${LATENCY_PORT:-2830}
JARS=(${JAR:-target/falco-talon.jar})
if [ ${#JARS[@]} -gt 4 ]; then echo "at most four jars" >&2; exit 2; fi
BARE_PORT=$BASE
if [ -z "${HEAP:-}" ]; then
  LIMIT=$(awk '/limits:/ {f = 1} f && /memory:/ {print $2; exit}' kubernetes/deployment.yaml | sed 's/Mi$/m/; s/Gi$/g/')
  FLAGS=$(sed -n '/<jvmFlags>/,/<\/jvmFlags>/ s:.*<jvmFlag>\(.*\)</jvmFlag>.*:\1:p' pom.xml | tr '\n' ' ')
  HEAP="-XX:MaxRAM=$LIMIT $FLAGS"
fi
# the simulator and the load generator: a fixed heap, so their own collections stay short (reported below); the
# generator's holds every request in flight when this machine stalls (256 MiB ran out at 1,000/s)
HELPER_JVM="-Xms256m -Xmx256m -XX:+UseParallelGC"
LOAD_JVM="-Xms768m -Xmx768m -XX:+UseParallelGC"
ROOT=$(pwd)
OUT=bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
REPORT="$OUT/latency-$STAMP.txt"
RESULTS="$OUT/latency-$STAMP.tsv"
LOGS="$ROOT/$OUT/latency-$STAMP"
mkdir -p "$LOGS"
for p in $(seq "$BASE" $((BASE + 2 * ${#JARS[@]}))); do
  if curl -s -o /dev/null "http://127.0.0.1:$p/"; then echo "port $p is in use: stop what listens there" >&2; exit 1; fi
done
[ -f target/falco-talon.jar ] || ./mvnw -q -B package -DskipTests
./mvnw -q -B test-compile
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)"

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
# the intake token Talon requires with a cluster (docs/security.md), and a kubeconfig to the simulator
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/token"
cat > "$WORK/kubeconfig.in" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: simulator
    cluster: {server: "http://127.0.0.1:@SIM_PORT@"}
users:
  - name: bench
    user: {token: bench}
contexts:
  - name: bench
    context: {cluster: simulator, user: bench, namespace: bench}
current-context: bench
EOF
cat > "$WORK/rules.yaml" <<'EOF'
- rule: quarantine
  match:
    rules: [Latency bench]
  actions:
    - action: label
      actionner: kubernetes:label
      parameters:
        labels: {falco.org/quarantined: "true"}
EOF

gc_summary() { # GC log → "N pauses, max X ms, total Y ms"
  awk '/Pause/ {v = $NF; sub("ms", "", v); n++; t += v; if (v + 0 > m) m = v + 0}
       END {printf "%d pauses, max %.1f ms, total %.0f ms", n, m, t}' "$1"
}

wait_up() { # pid url [curl flags]: until the url answers 200
  local pid=$1 url=$2; shift 2
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")" = 200 ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_bare() {
  java $HEAP -Xlog:gc:file="$LOGS/gc-bare.log" -cp "target/falco-talon.jar:target/lib/*" bench/Bare.java \
    "$BARE_PORT" > "$LOGS/bare.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_up "$pid" "http://127.0.0.1:$BARE_PORT/" -X POST -H 'Content-Type: application/json' -d '{}' \
    || { cat "$LOGS/bare.log" >&2; exit 1; }
  TARGETS+=(--target "bare=http://127.0.0.1:$BARE_PORT/,,$pid")
}

start_talon() { # jar label sim-port talon-port: its own simulator (its own Lease), then Talon
  local jar; jar=$(readlink -f "$1"); local label=$2 sim_port=$3 port=$4 dir="$WORK/$2"
  mkdir -p "$dir/results"
  java $HELPER_JVM -Xlog:gc:file="$LOGS/gc-sim-$label.log" -cp "$CP" \
    org.falcosecurity.talon.bench.ApiSimulator "$sim_port" > "$LOGS/sim-$label.log" 2>&1 &
  local sim=$!; PIDS+=("$sim")
  wait_up "$sim" "http://127.0.0.1:$sim_port/bench/clock" || { cat "$LOGS/sim-$label.log" >&2; exit 1; }
  sed "s/@SIM_PORT@/$sim_port/" "$WORK/kubeconfig.in" > "$dir/kubeconfig"
  # the jar's own packaged config.yaml (the shipped defaults); its file notifier writes here, not in /tmp
  unzip -p "$jar" config.yaml > "$dir/config.yaml"
  local jfr=()
  [ -n "${JFR:-}" ] && jfr=("-XX:StartFlightRecording=filename=$LOGS/talon-$label.jfr,settings=profile")
  # from its own directory (no routes/ there to replace the packaged routes); the environment as in the pod
  (cd "$dir" && exec env LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT="$port" KUBECONFIG="$dir/kubeconfig" \
    AUTH_TOKEN_FILE="$WORK/token" NOTIFIERS_FILE_DIRECTORY="$dir/results" NAMESPACE=falco POD_NAME=falco-talon-bench SERVICE_ACCOUNT=falco-talon \
    POD_IP=127.0.0.1 java $HEAP -Dtalon.archive=off "${jfr[@]}" -Xlog:gc:file="$LOGS/gc-talon-$label.log" \
    -jar "$jar" server -c config.yaml -r "$WORK/rules.yaml") > "$LOGS/talon-$label.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_up "$pid" "http://127.0.0.1:$port/healthz" || { tail -50 "$LOGS/talon-$label.log" >&2; exit 1; }
  # leader election (on by default with a cluster): until it leads, Talon forwards its events instead of acting
  for _ in $(seq 1 300); do
    curl -s "http://127.0.0.1:$port/readyz" | grep -q '"role":"leader"' && break
    sleep 0.2
  done
  TARGETS+=(--target "$label=http://127.0.0.1:$port/,http://127.0.0.1:$sim_port/,$pid")
  LABELS+=("$label")
}

{
  echo "# event -> action latency, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: ROUNDS=$ROUNDS ${JAR:+JAR=\"$JAR\" }bench/latency.sh ${STEPS[*]}   (warm-up $WARMUP events at 500/s per target)"
  echo "# Talon: java $HEAP -jar JAR server (packaged config.yaml, kubeconfig to the simulator, auth.token_file)"
  echo "# simulator: $HELPER_JVM; load generator: $LOAD_JVM; separate JVMs; clock: System.nanoTime (CLOCK_MONOTONIC)"
} | tee "$REPORT"
TARGETS=() LABELS=()
start_bare
k=0
for jar in "${JARS[@]}"; do
  # talon, talon2, ...: in the order of JAR (two jars are often both in a directory named target)
  label=talon; [ "$k" -gt 0 ] && label="talon$((k + 1))"
  echo "# $label = $jar" | tee -a "$REPORT"
  start_talon "$jar" "$label" $((BASE + 1 + 2 * k)) $((BASE + 2 + 2 * k))
  k=$((k + 1))
done
# (a failed generator still gets the summary of the steps it finished)
java $LOAD_JVM -Xlog:gc:file="$LOGS/gc-load.log" -cp "$CP" org.falcosecurity.talon.bench.LatencyLoad \
  "${TARGETS[@]}" --token "$WORK/token" --results "$RESULTS" --rounds "$ROUNDS" --warmup "$WARMUP" "${STEPS[@]}" \
  2>&1 | tee -a "$REPORT" || echo "# the load generator failed: the summary has the steps it finished" | tee -a "$REPORT"
{
  echo "# GC (whole run, warm-up included): bare route $(gc_summary "$LOGS/gc-bare.log"); load generator $(gc_summary "$LOGS/gc-load.log")"
  for label in "${LABELS[@]}"; do
    echo "#   $label ($(head -1 "$LOGS/gc-talon-$label.log" | sed 's/.*\] //')): $(gc_summary "$LOGS/gc-talon-$label.log"); its simulator $(gc_summary "$LOGS/gc-sim-$label.log")"
  done
} | tee -a "$REPORT"
java -cp "$CP" org.falcosecurity.talon.bench.LatencySummary "$RESULTS" | tee -a "$REPORT"
echo "report: $REPORT (per-step records: $RESULTS; logs, GC logs${JFR:+, JFR recordings}: $LOGS/)"
