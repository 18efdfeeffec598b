#!/usr/bin/env bash
# Startup and footprint: time from `java -jar ... server` to the first 200 on /healthz, RSS idle and under load
# (5,000 events/s with hey), jar and dependency size; with the shipped JVM settings and with class data sharing.
# Usage: bench/startup.sh [RUNS]   (from the repository root; needs hey: apt-get install hey)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
PORT=${PORT:-2891}
# the image's JVM flags (pom.xml, jib) in the Deployment's 512 MiB memory limit (kubernetes/deployment.yaml)
HEAP=${HEAP:--XX:MaxRAM=512m -XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError}
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/startup-$(date -u +%Y%m%dT%H%M%SZ).txt"
[ -f target/falco-talon.jar ] || ./mvnw -q -B package -DskipTests
command -v hey >/dev/null || { echo "hey is missing: apt-get install hey" >&2; exit 1; }

if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is in use: stop what listens there" >&2; exit 1; fi
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/pid" ] && kill "$(cat "$WORK/pid")" 2>/dev/null; cp "$WORK/talon.log" "$OUT/startup-last-talon.log" 2>/dev/null; rm -rf "$WORK"' EXIT
cp src/test/resources/events/terminal-shell.json "$WORK/event.json"
# deduplication off: every event of the load (always the same one) is planned and its dry-run action runs
printf 'listen_address: 127.0.0.1\nlisten_port: %s\nprint_all_events: false\nlog_format: text\ndeduplication:\n  time_window_seconds: 0\n' \
  "$PORT" > "$WORK/config.yaml"
java bench/GenRules.java 200 dryrun "$WORK/rules.yaml"

now_ms() { date +%s%3N; }

start_once() { # extra JVM flags...; prints ms to first 200 on /healthz
  local t0; t0=$(now_ms)
  java $HEAP "$@" -jar target/falco-talon.jar server -c "$WORK/config.yaml" -r "$WORK/rules.yaml" > "$WORK/talon.log" 2>&1 &
  PID=$!
  echo "$PID" > "$WORK/pid"   # called in $(...): the caller reads the pid from here
  until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/talon.log" >&2; exit 1; }
    sleep 0.02
  done
  echo $(( $(now_ms) - t0 ))
}

stop() { PID=$(cat "$WORK/pid"); kill "$PID"; while kill -0 "$PID" 2>/dev/null; do sleep 0.1; done; }

rss_mib() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status"; }

measure() { # label, JVM flags...
  local label=$1; shift
  local times=()
  for _ in $(seq 1 "$RUNS"); do times+=("$(start_once "$@")"); stop; done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
  local median; median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  start_once "$@" >/dev/null   # not in $(...): sets PID
  sleep 5
  local idle; idle=$(rss_mib "$PID")
  # 5,000 events/s for 30 s: 50 workers x 100 requests/s
  hey -z 30s -c 50 -q 100 -m POST -T application/json -D "$WORK/event.json" "http://127.0.0.1:$PORT/" > "$WORK/hey.txt" &
  local HPID=$! peak=0
  while kill -0 "$HPID" 2>/dev/null; do r=$(rss_mib "$PID"); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.5; done
  local rps; rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/hey.txt")
  local codes; codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s%s ", $1, $2}' "$WORK/hey.txt")
  stop
  printf '%-28s start to first 200: median %5d ms (runs: %s)  RSS idle %4d MiB  RSS peak under load %4d MiB  (%s req/s, %s)\n' \
    "$label" "$median" "$sorted" "$idle" "$peak" "$rps" "$codes" | tee -a "$REPORT"
}

{
  echo "# startup and footprint, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: bench/startup.sh $RUNS   (JVM $HEAP; 200 rules; load: hey -z 30s -c 50 -q 100)"
  echo "# size: falco-talon.jar $(du -k target/falco-talon.jar | cut -f1) KiB, lib/ $(du -sk target/lib | cut -f1) KiB in $(ls target/lib | wc -l) jars"
} | tee "$REPORT"

measure "default"
# AppCDS: record the classes of one run, then start from the archive
java $HEAP -XX:ArchiveClassesAtExit="$WORK/talon.jsa" -jar target/falco-talon.jar server -c "$WORK/config.yaml" \
  -r "$WORK/rules.yaml" > "$WORK/cds.log" 2>&1 &
PID=$!; echo "$PID" > "$WORK/pid"
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do sleep 0.05; done
curl -s -XPOST -H 'Content-Type: application/json' -d @"$WORK/event.json" "http://127.0.0.1:$PORT/" >/dev/null; sleep 2; stop
measure "AppCDS" -XX:SharedArchiveFile="$WORK/talon.jsa"
measure "AppCDS + C1 only" -XX:SharedArchiveFile="$WORK/talon.jsa" -XX:TieredStopAtLevel=1
echo "report: $REPORT"
