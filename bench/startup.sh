#!/usr/bin/env bash
# Startup and footprint, against a bare Camel route measured in the same run:
#  1. ready time: from the launch to the first 200 on /healthz, RUNS rounds, each round (in this order) the bare route
#     (bench/Bare.java), `java -jar JAR server` exactly as README says (shipped config.yaml; LISTEN_ADDRESS and
#     LISTEN_PORT set to loopback and this benchmark's port), the bare route with the image's JVM flags, and Talon with
#     the image's JVM flags and 200 rules; medians and their ratios to the bare route with the same flags;
#  2. RSS 5 s after start (idle) and its peak during 30 s of `hey -z 30s -c 50 -q 100` (5,000 events/s offered;
#     deduplication off, so each event matches a dry-run rule and runs two actions), with the image's JVM flags; and
#     the requests/s accepted; and how long the idle `java -jar` Talons took to stop on SIGTERM.
# The image's JVM flags are read from pom.xml (jib <jvmFlags>), the memory limit from kubernetes/deployment.yaml
# (given to the JVM as -XX:MaxRAM, which is what the container's limit is to it).
# Usage: [JAR=path/to/falco-talon.jar] [PORT=2891] bench/startup.sh [RUNS]   (from the repository root; needs hey)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
PORT=${PORT:-2891}
JAR=${JAR:-target/falco-talon.jar}
LIB="$(dirname "$JAR")/lib"
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/startup-$(date -u +%Y%m%dT%H%M%SZ).txt"
[ -f "$JAR" ] || ./mvnw -q -B package -DskipTests
command -v hey >/dev/null || { echo "hey is missing: apt-get install hey" >&2; exit 1; }

# the shipped flags: jib's jvmFlags, and the Deployment's memory limit as MaxRAM (320Mi -> 320m)
IMAGE_FLAGS=$(sed -n 's:.*<jvmFlag>\(.*\)</jvmFlag>.*:\1:p' pom.xml | tr '\n' ' ')
LIMIT=$(awk '/limits:/ {l=1} l && /memory:/ {print $2; exit}' kubernetes/deployment.yaml)
case "$LIMIT" in *Mi) MAXRAM="${LIMIT%Mi}m" ;; *Gi) MAXRAM="${LIMIT%Gi}g" ;; *) echo "limit $LIMIT?" >&2; exit 1 ;; esac
FLAGS="-XX:MaxRAM=$MAXRAM $IMAGE_FLAGS"

if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is in use: stop what listens there" >&2; exit 1; fi
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; cp "$WORK/talon.log" "$OUT/startup-last-talon.log" 2>/dev/null; rm -rf "$WORK"' EXIT
cp src/test/resources/events/terminal-shell.json "$WORK/event.json"
printf 'listen_address: 127.0.0.1\nlisten_port: %s\nprint_all_events: false\nlog_format: text\ndeduplication:\n  time_window_seconds: 0\n' \
  "$PORT" > "$WORK/config.yaml"
java bench/GenRules.java 200 dryrun "$WORK/rules.yaml"
javac -d "$WORK/bare" -cp "$JAR:$LIB/*" bench/Bare.java

now_ms() { date +%s%3N; }

# start CMD...: runs it in the background (PID), prints the ms until /healthz answers 200
start() {
  local t0; t0=$(now_ms)
  "$@" > "$WORK/talon.log" 2>&1 &
  PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/talon.log" >&2; exit 1; }
    sleep 0.01
  done
  echo $(( $(now_ms) - t0 ))
}
stop() { # SIGTERM, and the ms until the process is gone in $WORK/stop
  local t0; t0=$(now_ms); kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; echo $(( $(now_ms) - t0 )) > "$WORK/stop"
}
rss_mib() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

bare=() talon=() bare_f=() talon_f=() stops=()
for _ in $(seq 1 "$RUNS"); do
  # start() runs in the current shell (not $(...)) so that PID is kept; its time is read back from a file
  start java -cp "$WORK/bare:$JAR:$LIB/*" Bare "$PORT" > "$WORK/t"; stop; bare+=("$(cat "$WORK/t")")
  LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT=$PORT start java -jar "$JAR" server > "$WORK/t"; stop; talon+=("$(cat "$WORK/t")")
  stops+=("$(cat "$WORK/stop")")
  # shellcheck disable=SC2086
  start java $FLAGS -cp "$WORK/bare:$JAR:$LIB/*" Bare "$PORT" > "$WORK/t"; stop; bare_f+=("$(cat "$WORK/t")")
  # shellcheck disable=SC2086
  start java $FLAGS -jar "$JAR" server -c "$WORK/config.yaml" -r "$WORK/rules.yaml" > "$WORK/t"; stop
  talon_f+=("$(cat "$WORK/t")")
done

# shellcheck disable=SC2086
start java $FLAGS -jar "$JAR" server -c "$WORK/config.yaml" -r "$WORK/rules.yaml" > /dev/null
sleep 5
IDLE=$(rss_mib "$PID")
# 5,000 events/s for 30 s: 50 workers x 100 requests/s
hey -z 30s -c 50 -q 100 -m POST -T application/json -D "$WORK/event.json" "http://127.0.0.1:$PORT/" > "$WORK/hey.txt" &
HPID=$! PEAK=0
while kill -0 "$HPID" 2>/dev/null; do r=$(rss_mib "$PID"); [ "$r" -gt "$PEAK" ] && PEAK=$r; sleep 0.5; done
RPS=$(awk '/Requests\/sec/ {print $2}' "$WORK/hey.txt")
CODES=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s%s ", $1, $2}' "$WORK/hey.txt")
ACCEPTED=$(awk '/Status code distribution/ {f=1; next} f && /\[200\]/ {printf "%.0f", $2 / 30}' "$WORK/hey.txt")
stop

mb=$(median "${bare[@]}") mt=$(median "${talon[@]}") mbf=$(median "${bare_f[@]}") mtf=$(median "${talon_f[@]}")
{
  echo "# startup and footprint, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: bench/startup.sh $RUNS   (jar $JAR; image flags: $FLAGS)"
  echo "# size: $(basename "$JAR") $(du -k "$JAR" | cut -f1) KiB, lib/ $(du -sk "$LIB" | cut -f1) KiB in $(ls "$LIB" | wc -l) jars"
  printf 'ready, bare route                          median %5d ms (runs: %s)\n' "$mb" "${bare[*]}"
  printf 'ready, java -jar %s server       median %5d ms (runs: %s)  ratio to the bare route %s\n' \
    "$(basename "$JAR")" "$mt" "${talon[*]}" "$(ratio "$mt" "$mb")"
  printf 'stop of an idle java -jar server (SIGTERM to exit)    median %5d ms (runs: %s)\n' "$(median "${stops[@]}")" "${stops[*]}"
  printf 'ready, bare route, image flags             median %5d ms (runs: %s)\n' "$mbf" "${bare_f[*]}"
  printf 'ready, Talon, image flags, 200 rules       median %5d ms (runs: %s)  ratio to the bare route %s\n' \
    "$mtf" "${talon_f[*]}" "$(ratio "$mtf" "$mbf")"
  printf 'RSS, image flags: idle %d MiB, peak under 5,000 events/s offered %d MiB (limit %s); %s req/s answered, %s/s accepted (%s)\n' \
    "$IDLE" "$PEAK" "$LIMIT" "$RPS" "$ACCEPTED" "$CODES"
} | tee "$REPORT"
echo "report: $REPORT"
