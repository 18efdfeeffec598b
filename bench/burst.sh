#!/usr/bin/env bash
# A burst of matching events from one pod, with the JVM flags and memory limit the image and manifests ship: what
# the intake accepts, what share of the time goes to garbage collection, the RSS peak, and whether the JVM lives.
#
# Every event names the same pod and matches a rule with two dry-run actions and notifiers [file, webhook] (the
# `matched` case of bench/intake.sh), offered by wrk as fast as it can: the one worker of that pod cannot keep up,
# its queue fills and stays full (the intake answers 429 beyond it). The events waiting in a full queue are what a
# 128 MiB heap must hold. The bare Camel route runs with the same flags just before each Talon, for the ratio.
#
# Usage: [ROUNDS=3] [JAR="target/falco-talon.jar /work/before/target/falco-talon.jar"] [PORT=2890] bench/burst.sh [SECONDS]
# Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-30}
ROUNDS=${ROUNDS:-3}
JARS=${JAR:-target/falco-talon.jar}
PORT=${PORT:-2890}
RECEIVER_PORT=$((PORT + 1))
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/burst-$(date -u +%Y%m%dT%H%M%SZ).txt"
[ -f target/falco-talon.jar ] || ./mvnw -q -B package -DskipTests
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

# the shipped flags, as bench/startup.sh reads them: jib's jvmFlags (without the image's archive path) and the
# Deployment's memory limit as MaxRAM
IMAGE_FLAGS=$(sed -n 's:.*<jvmFlag>\(.*\)</jvmFlag>.*:\1:p' pom.xml | grep -v SharedArchiveFile | tr '\n' ' ')
LIMIT=$(awk '/limits:/ {l=1} l && /memory:/ {print $2; exit}' kubernetes/deployment.yaml)
case "$LIMIT" in *Mi) MAXRAM="${LIMIT%Mi}m" ;; *Gi) MAXRAM="${LIMIT%Gi}g" ;; *) echo "limit $LIMIT?" >&2; exit 1 ;; esac
FLAGS="-XX:MaxRAM=$MAXRAM $IMAGE_FLAGS"

WORK=$(mktemp -d)
mkdir -p "$WORK/logs"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp src/test/resources/events/terminal-shell.json "$WORK/event.json"
sed -e "s/^listen_address:.*/listen_address: 127.0.0.1/" -e "s/^listen_port:.*/listen_port: $PORT/" \
    -e "s|^    directory:.*|    directory: $WORK/results|" config.yaml > "$WORK/matched.yaml"
printf '  webhook:\n    url: http://127.0.0.1:%s/\ndeduplication:\n  time_window_seconds: 0\n' "$RECEIVER_PORT" \
    >> "$WORK/matched.yaml"
java bench/GenRules.java 200 matched "$WORK/rules.yaml"
java -cp "target/lib/*" bench/Receiver.java "$RECEIVER_PORT" > "$WORK/receiver.log" 2>&1 &

wait_up() {
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    curl -sf -XPOST "http://127.0.0.1:$PORT/" -d '{}' >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server did not start" >&2; return 1
}

load() { # pid gclog -> "<2xx/s> <non-2xx/s> <gc % of the time> <rss peak MiB> <alive>"
  local pid=$1 gclog=$2 peak=0 r skip
  skip=$(wc -l < "$gclog")
  PODS=1 EVENT="$WORK/event.json" wrk -t2 -c32 -d"${DURATION}s" -s bench/post.lua "http://127.0.0.1:$PORT/" \
      > "$WORK/wrk.out" 2>&1 &
  local w=$!
  while kill -0 "$w" 2>/dev/null; do
    r=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$peak" ] && peak=$r; sleep 0.5
  done
  cat "$WORK/wrk.out" >> "$REPORT.raw"
  local total secs non2xx alive=yes
  total=$(awk '/requests in/ {print $1}' "$WORK/wrk.out"); total=${total:-0}
  secs=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$WORK/wrk.out"); secs=${secs:-$DURATION}
  non2xx=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.out"); non2xx=${non2xx:-0}
  kill -0 "$pid" 2>/dev/null || alive=NO
  # the pauses logged during the load (-Xlog:gc, uptime-stamped), as a share of its duration
  local gc; gc=$(tail -n +$((skip + 1)) "$gclog" \
      | awk -v s="$secs" '/Pause/ {v=$NF; sub(/ms/, "", v); t += v} END {printf "%.0f", t / 10 / s}')
  awk -v t="$total" -v n="$non2xx" -v s="$secs" -v g="$gc" -v p="$peak" -v a="$alive" \
      'BEGIN {printf "%.0f %.0f %s %d %s\n", (t - n) / s, n / s, g, p, a}'
}

{
  echo "# a burst from one pod with the image's flags, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: ROUNDS=$ROUNDS JAR=\"$JARS\" bench/burst.sh $DURATION   (wrk -t2 -c32, one pod; JVM $FLAGS)"
} | tee "$REPORT"

for R in $(seq 1 "$ROUNDS"); do
  java $FLAGS -Xlog:gc:file="$WORK/gc-bare.log" -cp "target/falco-talon.jar:target/lib/*" bench/Bare.java "$PORT" \
      > "$WORK/bare.log" 2>&1 &
  BPID=$!; wait_up
  read -r B BN BG BP BA < <(load "$BPID" "$WORK/gc-bare.log")
  kill "$BPID"; wait "$BPID" 2>/dev/null || true
  printf "round %d  bare route %-32s %7d 2xx/s                      gc %3s %%  rss peak %4d MiB\n" "$R" "" "$B" "$BG" "$BP" \
      | tee -a "$REPORT"
  for J in $JARS; do
    jar=$(realpath "$J"); rm -rf "$WORK/results"
    (cd "$WORK" && exec java $FLAGS -Xlog:gc:file="$WORK/gc.log" -Dtalon.archive=off -jar "$jar" server \
        -c "$WORK/matched.yaml" -r "$WORK/rules.yaml" > "$WORK/logs/talon.log" 2>&1) &
    TPID=$!; wait_up
    read -r T N G P A < <(load "$TPID" "$WORK/gc.log")
    printf "round %d  %-43s %7d 2xx/s  ratio %.3f  429 %6d/s  gc %3s %%  rss peak %4d MiB  alive %s\n" "$R" "$J" "$T" \
        "$(awk -v t="$T" -v b="$B" 'BEGIN {print t / b}')" "$N" "$G" "$P" "$A" | tee -a "$REPORT"
    kill "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null || true
  done
done
echo "report: $REPORT (raw wrk output: $REPORT.raw)"
