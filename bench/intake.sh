#!/usr/bin/env bash
# Intake throughput against a bare Camel platform-http route (bench/Bare.java), measured in the same run:
# rounds of "bare route, then Talon" for each case, alternating, and the medians of the 2xx rates and of the
# per-round ratios. Only 2xx answers count as accepted; non-2xx (429 / 503 from the bounded queues) are reported.
#
#   default   the repository's config.yaml (print_all_events: true, log_format: color, the file notifier,
#             watch_rules), only listen_address / listen_port changed; 200 rules that match nothing
#   quiet     the same with print_all_events: false
#   matched   the same config as default, deduplication off (every event is processed, not only the first), the file
#             notifier writing into the run's temporary directory and a webhook notifier posting to a loopback
#             receiver (bench/Receiver.java); the 200 rules plus one that matches with two dry-run actions and
#             notifiers [file, webhook] (bench/GenRules.java matched); every event names the same pod, so one worker
#             takes them all, in order (a burst from one pod)
#   spread    matched, the events naming 64 pods in turn (PODS; bench/post.lua): the workers share them
#   actions   matched without notifiers (default_notifiers: [], the rule names none): what the rule and its two dry-run
#             actions cost on their own, the part of the matched path that is not the notifiers (not a target case)
#   ceiling   not Talon: bench/Relay.java, a bare Camel route that for each event appends two lines to a file and
#             POSTs twice to the receiver, the least any Camel application must do for matched's two results to two
#             notifiers, with the receiver on the same cores; matched's and spread's rates over it are printed
#
# Usage: [ROUNDS=3] [CASES="default quiet matched spread actions ceiling"] [JAR="target/falco-talon.jar /work/before/falco-talon.jar"]
#        [PORT=2890] [HEAP="-Xms256m -Xmx256m"] bench/intake.sh [SECONDS]
# JAR may name several jars (each with its lib/ next to it): each is measured after the same bare-route run.
# Each JVM (the bare route's and Talon's) is warmed up with the same load until its JIT compiler threads are done
# (less than WARM_JIT_PCT % of a core over a 5 s step, at most WARM_MAX seconds), so that what is measured is the
# route, not the compiler: on two cores the compilers of a JVM this size take a core for 20-30 s under load.
# Talon's console goes to a directory of its own: not beside its rule files, where the rules watcher (watch_rules)
# would wake on every write of the log.
# Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
ROUNDS=${ROUNDS:-3}
CASES=${CASES:-default quiet matched spread}
PODS=${PODS:-64}
JARS=${JAR:-target/falco-talon.jar}
PORT=${PORT:-2890}
RECEIVER_PORT=${RECEIVER_PORT:-$((PORT + 1))}
HEAP=${HEAP:--Xms256m -Xmx256m}
RULES=${RULES:-200}
WARM_JIT_PCT=${WARM_JIT_PCT:-10}
WARM_MAX=${WARM_MAX:-90}
OUT=bench/results
mkdir -p "$OUT"
REPORT="$OUT/intake-$(date -u +%Y%m%dT%H%M%SZ).txt"
[ -f target/falco-talon.jar ] || ./mvnw -q -B package -DskipTests
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
for J in $JARS; do [ -f "$J" ] && [ -d "$(dirname "$J")/lib" ] || { echo "$J or its lib/ is missing" >&2; exit 1; }; done

WORK=$(mktemp -d)
mkdir -p "$WORK/logs"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp src/test/resources/events/terminal-shell.json "$WORK/event.json"
sed -e "s/^listen_address:.*/listen_address: 127.0.0.1/" -e "s/^listen_port:.*/listen_port: $PORT/" config.yaml \
    > "$WORK/default.yaml"
sed -e "s/^print_all_events:.*/print_all_events: false/" "$WORK/default.yaml" > "$WORK/quiet.yaml"
sed -e "s|^    directory:.*|    directory: $WORK/results|" "$WORK/default.yaml" > "$WORK/matched.yaml"
cat >> "$WORK/matched.yaml" <<YAML
  webhook:
    url: http://127.0.0.1:$RECEIVER_PORT/
deduplication:
  time_window_seconds: 0
YAML
# actions: the matched config with no notifier at all
sed -e '/^default_notifiers:/,/^  - file/c\default_notifiers: []' "$WORK/matched.yaml" > "$WORK/actions.yaml"
java bench/GenRules.java "$RULES" nomatch "$WORK/rules-nomatch.yaml"
java bench/GenRules.java "$RULES" dryrun "$WORK/rules-actions.yaml"
java bench/GenRules.java "$RULES" matched "$WORK/rules-matched.yaml"

wait_up() {
  for _ in $(seq 1 900); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    curl -sf -XPOST "http://127.0.0.1:$PORT/" -H 'Content-Type: application/json' -d '{}' >/dev/null 2>&1 && return 0
    sleep 0.1; done
  echo "server did not start" >&2; return 1
}

jit_ticks() { # pid -> CPU ticks its JIT compiler threads have used so far
  local t sum=0
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in C1\ Compiler*|C2\ Compiler*)
      sum=$((sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0))) ;; esac
  done
  echo "$sum"
}

warm_up() { # pid pods -> 5 s steps of load until the JIT is quiet; prints the seconds it took
  local pid=$1 pods=$2 waited=0 before after hz; hz=$(getconf CLK_TCK)
  while :; do
    before=$(jit_ticks "$pid")
    PODS=$pods EVENT="$WORK/event.json" wrk -t2 -c32 -d5s -s bench/post.lua "http://127.0.0.1:$PORT/" >/dev/null
    after=$(jit_ticks "$pid"); waited=$((waited + 5))
    # percent of one core over the 5 s step
    [ $(( (after - before) * 100 / (5 * hz) )) -lt "$WARM_JIT_PCT" ] && break
    [ "$waited" -ge "$WARM_MAX" ] && break
  done
  echo "$waited"
}

run_wrk() { # label pid [pods] -> prints "<2xx per second> <non-2xx count> <warm-up seconds>"
  local pid=$2 pods=${3:-1} warm
  warm=$(warm_up "$pid" "$pods")
  local out; out=$(PODS=$pods EVENT="$WORK/event.json" wrk -t2 -c32 -d"${DURATION}s" --latency -s bench/post.lua "http://127.0.0.1:$PORT/")
  echo "## $1" >> "$REPORT.raw"; echo "$out" >> "$REPORT.raw"
  local total secs non2xx
  total=$(echo "$out" | awk '/requests in/ {print $1}')
  secs=$(echo "$out" | awk '/requests in/ {sub(/s,$/, "", $4); print $4}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}'); non2xx=${non2xx:-0}
  awk -v t="$total" -v s="$secs" -v n="$non2xx" -v w="$warm" 'BEGIN {printf "%.0f %d %d\n", (t - n) / s, n, w}'
}

bare() {
  java $HEAP -cp "target/falco-talon.jar:target/lib/*" bench/Bare.java "$PORT" > "$WORK/bare.log" 2>&1 &
  local pid=$!; wait_up
  run_wrk "round $1 bare route" "$pid"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

relay() { # round -> the ceiling of the matched case: bench/Relay.java, two lines to a file and two POSTs per event
  java -cp "target/lib/*" bench/Receiver.java "$RECEIVER_PORT" > "$WORK/receiver.log" 2>&1 & local rpid=$!
  java $HEAP -cp "target/falco-talon.jar:target/lib/*" bench/Relay.java "$PORT" "$RECEIVER_PORT" \
      "$WORK/relay.jsonl" > "$WORK/relay.log" 2>&1 &
  local pid=$!; wait_up
  run_wrk "round $1 ceiling bench/Relay.java" "$pid"
  kill "$pid" "$rpid"; wait "$pid" "$rpid" 2>/dev/null || true; rm -f "$WORK/relay.jsonl"
}

talon() { # round case jar
  local cfg=$2 pods=1; [ "$2" = spread ] && cfg=matched pods=$PODS
  local rules="$WORK/rules-nomatch.yaml"; [ "$cfg" = matched ] && rules="$WORK/rules-matched.yaml"
  [ "$cfg" = actions ] && rules="$WORK/rules-actions.yaml"
  local rpid=""
  if [ "$cfg" = matched ]; then
    java -cp "target/lib/*" bench/Receiver.java "$RECEIVER_PORT" > "$WORK/receiver.log" 2>&1 & rpid=$!
    rm -rf "$WORK/results"
  fi
  # from the run's own directory: an application.properties in the working directory (the repository's) would
  # override the jar's packaged one, and another jar would run with this checkout's settings
  local jar; jar=$(realpath "$3")
  # -Dtalon.archive=off: the server in this JVM, whose pid the warm-up watches (not relaunched on target/talon.jsa)
  (cd "$WORK" && exec java $HEAP -Dtalon.archive=off -jar "$jar" server -c "$WORK/$cfg.yaml" -r "$rules" \
      > "$WORK/logs/talon.log" 2>&1) &
  local pid=$!; wait_up
  run_wrk "round $1 $2 $3" "$pid" "$pods"
  if [ "$cfg" = matched ]; then # what reached the notifiers, and what the bounded notifier queues dropped
    curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^falco_talon_notifications_total' | tr '\n' ' ' \
        | sed 's/^/    notifications: /' >> "$REPORT" || true; echo >> "$REPORT"
  fi
  curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^falco_talon_log_events_dropped_total' \
      | sed 's/^/    /' >> "$REPORT" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ -z "$rpid" ] || { kill "$rpid"; wait "$rpid" 2>/dev/null || true; }
}

{
  echo "# intake throughput against the bare route, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024/1024)" GiB"}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# command: ROUNDS=$ROUNDS CASES=\"$CASES\" JAR=\"$JARS\" bench/intake.sh $DURATION   (wrk -t2 -c32 -d${DURATION}s after a warm-up until the JIT uses < $WARM_JIT_PCT % of a core, at most $WARM_MAX s; JVM $HEAP, $RULES rules)"
} | tee "$REPORT"

declare -A RATIOS RATES NON2XX
BARES=""
for R in $(seq 1 "$ROUNDS"); do
  for C in $CASES; do
    bare "$R" > "$WORK/result"; read -r B _ W < "$WORK/result"; BARES="$BARES $B"
    printf "round %d  %-8s bare route %8d 2xx/s  (warm-up %d s)\n" "$R" "$C" "$B" "$W" | tee -a "$REPORT"
    JL=$JARS; [ "$C" = ceiling ] && JL=bench/Relay.java
    for J in $JL; do
      if [ "$C" = ceiling ]; then relay "$R" > "$WORK/result"; else talon "$R" "$C" "$J" > "$WORK/result"; fi
      read -r T N W < "$WORK/result"
      K="$C|$J"
      RATES[$K]="${RATES[$K]:-} $T"; NON2XX[$K]="${NON2XX[$K]:-} $N"
      RATIOS[$K]="${RATIOS[$K]:-} $(awk -v t="$T" -v b="$B" 'BEGIN {printf "%.3f", t / b}')"
      printf "round %d  %-8s %-40s %8d 2xx/s  non-2xx %7d  ratio %.2f  (warm-up %d s)\n" "$R" "$C" "$J" "$T" \
          "$N" "$(awk -v t="$T" -v b="$B" 'BEGIN {print t / b}')" "$W" | tee -a "$REPORT"
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m}'; }
{
  echo "# medians over $ROUNDS rounds (ratio: median of the per-round ratios to the bare route run just before)"
  printf "%-8s %-40s %10s 2xx/s\n" bare "bench/Bare.java" "$(echo "$BARES" | median)"
  for C in $CASES; do JL=$JARS; [ "$C" = ceiling ] && JL=bench/Relay.java; for J in $JL; do K="$C|$J"
    printf "%-8s %-40s %10s 2xx/s  non-2xx %s  ratio %s  (ratios:%s)\n" "$C" "$J" "$(echo "${RATES[$K]}" | median)" \
        "$(echo "${NON2XX[$K]}" | median)" "$(echo "${RATIOS[$K]}" | median)" "${RATIOS[$K]}"
  done; done
  # the matched cases against what the machine allows them: per round, their 2xx/s over the ceiling's
  if [[ " $CASES " == *" ceiling "* ]]; then
    read -ra CEIL <<< "${RATES[ceiling|bench/Relay.java]}"
    for C in matched spread; do [[ " $CASES " == *" $C "* ]] || continue
      for J in $JARS; do read -ra M <<< "${RATES[$C|$J]}"; OF=""
        for i in "${!M[@]}"; do OF="$OF $(awk -v m="${M[$i]}" -v c="${CEIL[$i]}" 'BEGIN {printf "%.3f", m / c}')"; done
        printf "%-8s / ceiling  %-40s %s  (per round:%s)\n" "$C" "$J" "$(echo "$OF" | median)" "$OF"
      done
    done
  fi
} | tee -a "$REPORT"
echo "report: $REPORT (raw wrk output: $REPORT.raw)"
