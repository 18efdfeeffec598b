#!/usr/bin/env bash
# Kafka scale-out throughput (BENCHMARKS.md "Kafka scale-out"): events/s that 1, 2 and 3 Talon replicas in one
# consumer group process from a topic, each event's action a simulated Kubernetes API call of API_MS milliseconds
# (10 ms, then 0 ms), its result sent to the `file` notifier; and the HTTP intake's rate in Kafka mode (every event
# acknowledged by the broker before its 200). Starts a single-node Kafka (KRaft) on loopback from the jars the
# tests use (target/kafka-node/lib), and the packaged Talon (target/falco-talon.jar).
#
# Each run first processes WARMUP events (the JIT compiles the path), then is timed on EVENTS more: from the first
# write of the fill to the moment the group has committed every record.
# Usage: bench/kafka.sh [EVENTS]   (default 3000 per run; run from the repository root; the intake part needs wrk)
# Env:   WORKERS (consumers per replica, default 1), PARTITIONS (default 12), API_MS_LIST (default "10 0"),
#        WARMUP (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-3000}
PODS=50
WORKERS=${WORKERS:-1}
PARTITIONS=${PARTITIONS:-12}
API_MS_LIST=${API_MS_LIST:-10 0}
WARMUP=${WARMUP:-2000}
HEAP=${HEAP:--Xms128m -Xmx256m}
BROKER_PORT=${BROKER_PORT:-29092}
CONTROLLER_PORT=$((BROKER_PORT + 1))
BOOTSTRAP=127.0.0.1:$BROKER_PORT
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/kafka-$(date -u +%Y%m%dT%H%M%SZ).txt"
[ -f target/falco-talon.jar ] || ./mvnw -q -B package -DskipTests
[ -d target/kafka-node/lib ] || ./mvnw -q -B generate-test-resources
LIB='target/kafka-node/lib/*'
load() { java -Dlog4j.configuration="file:$WORK/log4j.properties" -cp "$LIB" bench/KafkaLoad.java "$@"; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# --- the broker
cat > "$WORK/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$WORK/kafka-data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
printf 'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%%d] %%p %%m (%%c)%%n\n' > "$WORK/log4j.properties"
java -cp "$LIB" kafka.tools.StorageTool format -t "$(java -cp "$LIB" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
  -c "$WORK/server.properties" > "$WORK/format.log" 2>&1
java -Xms256m -Xmx512m -Dlog4j.configuration="file:$WORK/log4j.properties" -cp "$LIB" kafka.Kafka "$WORK/server.properties" \
  > "$WORK/broker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do load topic "$BOOTSTRAP" warmup 1 2>/dev/null && break; sleep 1; done

# --- Talon: one YAML actionner standing for a Kubernetes API call, the file notifier
mkdir -p "$WORK/routes"
cat > "$WORK/rules.yaml" <<'RULES'
- rule: Bench
  match:
    rules: [Terminal shell in container]
  actions:
    - action: Call the API
      actionner: bench:api
RULES

start_talon() { # index port topic group api_ms
  cat > "$WORK/routes/actionner-bench.camel.yaml" <<ROUTE
- route:
    id: actionner-bench-api
    from:
      uri: direct:actionner-bench-api
      steps:
        - delay:
            constant: "$5"
ROUTE
  cat > "$WORK/config-$1.yaml" <<YAML
listen_address: 127.0.0.1
listen_port: $2
print_all_events: false
watch_rules: false
log_format: text
workers: $WORKERS
routes_directory: $WORK/routes
default_notifiers: [file]
notifiers:
  file:
    directory: $WORK/out-$1
kafka:
  enabled: true
  brokers: $BOOTSTRAP
  topic: $3
  group_id: $4
YAML
  java $HEAP -jar target/falco-talon.jar server -c "$WORK/config-$1.yaml" -r "$WORK/rules.yaml" \
    > "$WORK/talon-$1.log" 2>&1 &
  PIDS+=($!)
  TALON_PIDS+=($!)
}

{
  echo "# Kafka scale-out throughput, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: bench/kafka.sh $EVENTS   (Kafka $(ls target/kafka-node/lib | sed -n 's/^kafka-clients-\(.*\)\.jar$/\1/p') single node, $PARTITIONS partitions, $PODS pods, $WORKERS consumer(s) per replica, $WARMUP events of warm-up per run, Talon JVM $HEAP)"
} | tee "$REPORT"

for API_MS in $API_MS_LIST; do
  for N in 1 2 3; do
    RUN="r$API_MS-$N"
    load topic "$BOOTSTRAP" "$RUN" "$PARTITIONS"
    TALON_PIDS=()
    for i in $(seq 1 "$N"); do start_talon "$i" $((2890 + i)) "$RUN" "$RUN" "$API_MS"; done
    # every replica's consumers in the group before the events arrive
    for _ in $(seq 1 120); do [ "$(load members "$BOOTSTRAP" "$RUN" 2>/dev/null || echo 0)" -ge $((N * WORKERS < PARTITIONS ? N * WORKERS : PARTITIONS)) ] && break; sleep 1; done
    load fill "$BOOTSTRAP" "$RUN" "$WARMUP" "$PODS" > /dev/null
    load drain "$BOOTSTRAP" "$RUN" "$RUN" 600 > /dev/null
    START=$(date +%s%3N)
    load fill "$BOOTSTRAP" "$RUN" "$EVENTS" "$PODS" > /dev/null
    END=$(load drain "$BOOTSTRAP" "$RUN" "$RUN" 600)
    MS=$((END - START))
    awk -v n="$N" -v a="$API_MS" -v e="$EVENTS" -v ms="$MS" \
      'BEGIN {printf "API %2d ms, %d replica(s): %6d events in %6.1f s = %7.0f events/s\n", a, n, e, ms / 1000, e * 1000 / ms}' \
      | tee -a "$REPORT"
    for p in "${TALON_PIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
  done
done

# --- the intake in Kafka mode: one replica, events acknowledged by the broker before each 200
if command -v wrk >/dev/null; then
  load topic "$BOOTSTRAP" intake "$PARTITIONS"
  TALON_PIDS=()
  start_talon 1 2891 intake intake 0
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:2891/healthz >/dev/null 2>&1 && break; sleep 0.5; done
  cp src/test/resources/events/terminal-shell.json "$WORK/event.json"
  EVENT="$WORK/event.json" wrk -t2 -c32 -d5s -s bench/post.lua http://127.0.0.1:2891/ > /dev/null
  OUTW=$(EVENT="$WORK/event.json" wrk -t2 -c32 -d15s --latency -s bench/post.lua http://127.0.0.1:2891/)
  RPS=$(echo "$OUTW" | awk '/Requests\/sec/ {print $2}')
  NON2XX=$(echo "$OUTW" | awk '/Non-2xx/ {print $5}')
  P99=$(echo "$OUTW" | awk '$1 == "99%" {print $2}')
  printf "HTTP intake, Kafka mode (acks=all), wrk -t2 -c32 -d15s: %s req/s, p99 %s, non-2xx: %s\n" "$RPS" "$P99" "${NON2XX:-0}" | tee -a "$REPORT"
  for p in "${TALON_PIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
fi
echo "report: $REPORT"
