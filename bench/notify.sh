#!/usr/bin/env bash
# Notifications to a remote webhook: what Talon delivers when each POST takes a network round trip. Open loop: wrk
# offers about RATE matching events a second (each names its own pod and matches a rule with two dry-run actions, so
# two results per event go to the notifiers [file, webhook]); bench/Receiver.java answers every POST after
# LATENCY_MS, as an endpoint that far away would. Over SECONDS after a warm-up, per Talon jar: results offered to the
# webhook, POSTs delivered per second, the share delivered, and what its bounded queue dropped. A notifier delivers
# at most `workers` / round trip a second (one worker, 20 ms: 50 a second); the ratio here is delivered / offered,
# not a ratio to the bare route (nothing in the bare route waits for a round trip).
#
# Usage: [JAR="target/falco-talon.jar /work/before/target/falco-talon.jar"] [LATENCY_MS=20] [RATE=100]
#        [WORKERS="4 16"] bench/notify.sh [SECONDS]
#   WORKERS: notifiers.webhook.workers values to run the first jar with, besides its default (an older jar without
#   the setting runs once, with its single consumer). Needs wrk (apt-get install wrk). From the repository root.
set -euo pipefail
DURATION=${1:-30}
JARS=${JAR:-target/falco-talon.jar}
LATENCY_MS=${LATENCY_MS:-20}
RATE=${RATE:-100}
WORKERS=${WORKERS:-16}
PORT=${PORT:-2890}
RECEIVER_PORT=$((PORT + 1))
CONNECTIONS=4
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/notify-$(date -u +%Y%m%dT%H%M%SZ).txt"
[ -f target/falco-talon.jar ] || ./mvnw -q -B package -DskipTests
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

WORK=$(mktemp -d)
mkdir -p "$WORK/logs"
# KEEP=1 keeps the run's directory (configs, Talon's console per run) and prints where it is
trap 'kill $(jobs -p) 2>/dev/null || true; if [ -n "${KEEP:-}" ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi' EXIT
cp src/test/resources/events/terminal-shell.json "$WORK/event.json"
sed -e "s/^listen_address:.*/listen_address: 127.0.0.1/" -e "s/^listen_port:.*/listen_port: $PORT/" \
    -e "s/^print_all_events:.*/print_all_events: false/" -e "s|^    directory:.*|    directory: $WORK/results|" \
    config.yaml > "$WORK/config.yaml"
cat >> "$WORK/config.yaml" <<YAML
  webhook:
    url: http://127.0.0.1:$RECEIVER_PORT/hook
deduplication:
  time_window_seconds: 0
YAML
java bench/GenRules.java 200 matched "$WORK/rules.yaml"

metric() { # name -> the webhook's falco_talon_notifications_total{status=name}
  curl -s "http://127.0.0.1:$PORT/metrics" \
      | awk -v s="status=\"$1\"" '/^falco_talon_notifications_total/ && /notifier="webhook"/ && index($0, s) {print $2}' \
      | awk '{printf "%.0f", $1}'
}

offer() { # seconds -> events/s wrk got answered
  PODS=100000 EVENT="$WORK/event.json" DELAY_MS=$((CONNECTIONS * 1000 / RATE)) \
      wrk -t1 -c"$CONNECTIONS" -d"$1"s -s bench/post.lua "http://127.0.0.1:$PORT/" | awk '/Requests\/sec/ {print $2}'
}

run() { # jar label [env...]
  local jar label=$2; jar=$(realpath "$1"); shift 2
  java -cp "target/lib/*" bench/Receiver.java "$RECEIVER_PORT" "$LATENCY_MS" > "$WORK/logs/receiver.log" 2>&1 & local rpid=$!
  # in a directory of its own: from the repository root, an older jar would take today's routes/ for its own
  (cd "$WORK" && exec env "$@" java -Xms256m -Xmx256m -Dtalon.archive=off -jar "$jar" server \
      -c "$WORK/config.yaml" -r "$WORK/rules.yaml" > "$WORK/logs/talon.log" 2>&1) & local tpid=$!
  for _ in $(seq 1 900); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  offer 10 >/dev/null
  local sent0 dropped0 rate sent1 dropped1
  sent0=$(metric sent); dropped0=$(metric dropped)
  rate=$(offer "$DURATION")
  sent1=$(metric sent); dropped1=$(metric dropped)
  cp "$WORK/logs/talon.log" "$WORK/logs/talon-$(echo "$label" | tr -c "a-z0-9\n" _).log"
  kill "$tpid"; wait "$tpid" 2>/dev/null || true; kill "$rpid"; wait "$rpid" 2>/dev/null || true
  awk -v l="$label" -v r="$rate" -v s=$((sent1 - sent0)) -v d=$((dropped1 - dropped0)) -v t="$DURATION" 'BEGIN {
    printf "%-58s offered %5.0f events/s = %5.0f results/s   delivered %5.0f POSTs/s  (%3.0f %%)   dropped %6d\n",
      l, r, 2 * r, s / t, 100 * s / (2 * r * t), d }' | tee -a "$REPORT"
}

{
  echo "# notifications to a webhook $LATENCY_MS ms away, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
  echo "# command: JAR=\"$JARS\" LATENCY_MS=$LATENCY_MS RATE=$RATE WORKERS=\"$WORKERS\" bench/notify.sh $DURATION"
} | tee "$REPORT"
first=1
for J in $JARS; do
  run "$J" "$J"
  if [ "$first" = 1 ]; then
    for w in $WORKERS; do run "$J" "$J workers=$w" NOTIFIERS_WEBHOOK_WORKERS="$w"; done
  fi
  first=0
done
echo "report: $REPORT"
