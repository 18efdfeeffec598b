#!/usr/bin/env bash
# Intake throughput: events/s that `server` accepts, with 10, 200 and 2,000 rules, for events that match nothing and
# for events that match a dry-run rule; and the same load on a bare Camel platform-http route (the ceiling).
# Usage: bench/intake.sh [DURATION_SECONDS]   (run from the repository root; needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20}
PORT=${PORT:-2890}
HEAP=${HEAP:--Xms256m -Xmx256m}
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/intake-$(date -u +%Y%m%dT%H%M%SZ).txt"
[ -f target/falco-talon.jar ] || ./mvnw -q -B package -DskipTests
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp src/test/resources/events/terminal-shell.json "$WORK/event.json"
cat > "$WORK/config.yaml" <<YAML
listen_address: 127.0.0.1
listen_port: $PORT
print_all_events: false
watch_rules: false
log_format: text
deduplication:
  time_window_seconds: 0
YAML

wait_up() {
  for _ in $(seq 1 900); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    curl -sf -XPOST "http://127.0.0.1:$PORT/" -H 'Content-Type: application/json' -d '{}' >/dev/null 2>&1 && return 0
    sleep 0.1; done
  echo "server did not start" >&2; return 1
}

run_wrk() { # label
  EVENT="$WORK/event.json" wrk -t2 -c32 -d5s -s bench/post.lua "http://127.0.0.1:$PORT/" >/dev/null # warm-up
  local out; out=$(EVENT="$WORK/event.json" wrk -t2 -c32 -d"${DURATION}s" --latency -s bench/post.lua "http://127.0.0.1:$PORT/")
  local rps non2xx; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}'); non2xx=${non2xx:-0}
  printf "%-34s %10s req/s  non-2xx: %s\n" "$1" "$rps" "$non2xx" | tee -a "$REPORT" >&2
  echo "$out" >> "$REPORT.raw"
  echo "$rps"
}

{
  echo "# intake throughput, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: bench/intake.sh $DURATION   (wrk -t2 -c32 -d${DURATION}s, JVM $HEAP)"
} | tee "$REPORT"

java $HEAP -cp 'target/falco-talon.jar:target/lib/*' bench/Ceiling.java "$PORT" > "$WORK/ceiling.log" 2>&1 &
CPID=$!; wait_up
CEILING=$(run_wrk "ceiling (bare platform-http route)" | tail -1)
kill "$CPID"; wait "$CPID" 2>/dev/null || true

for N in 10 200 2000; do
  for CASE in nomatch dryrun; do
    java bench/GenRules.java "$N" "$CASE" "$WORK/rules.yaml"
    java $HEAP -jar target/falco-talon.jar server -c "$WORK/config.yaml" -r "$WORK/rules.yaml" > "$WORK/talon-$N-$CASE.log" 2>&1 &
    TPID=$!; wait_up
    RPS=$(run_wrk "talon $N rules, $CASE" | tail -1)
    awk -v r="$RPS" -v c="$CEILING" 'BEGIN {printf "  ratio to ceiling: %.2f\n", r / c}' | tee -a "$REPORT"
    kill "$TPID"; wait "$TPID" 2>/dev/null || true
  done
done
echo "report: $REPORT (raw wrk output: $REPORT.raw)"
