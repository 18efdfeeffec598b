#!/usr/bin/env bash
# Before and after in one run: every benchmark of issue 19 on this checkout's jar and on the jar of an earlier commit,
# each against the bare Camel route measured in the same run (the scripts below alternate the bare route and Talon
# themselves). What BENCHMARKS.md reports as "before / after" comes from one run of this script.
#
#   1. ready time and RSS (bench/startup.sh): run once from this checkout and once from a checkout of BEFORE, so that
#      each reads its own config.yaml, routes, image JVM flags (pom.xml) and memory limit (kubernetes/deployment.yaml)
#   2. intake (bench/intake.sh): both jars in the same rounds, each from an empty directory (its packaged settings)
#   3. event -> API request latency (bench/latency.sh): both jars in the same rounds, with this checkout's image flags
#   4. the container image's start (.ci/image-check, this checkout only; needs root)
#
# Usage: [STEPS="startup intake latency image"] [RUNS=3] [SECONDS_PER_RUN=10] bench/before-after.sh BEFORE_COMMIT   (from the repository root; needs
# wrk and hey: apt-get install wrk hey). The earlier commit is checked out and built under bench/results/before-<sha>.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?usage: bench/before-after.sh BEFORE_COMMIT}
STEPS=${STEPS:-startup intake latency image}
SHA=$(git rev-parse --short "$BEFORE^{commit}")
ROOT=$(pwd)
DIR="$ROOT/bench/results/before-$SHA"
mkdir -p bench/results
if [ ! -f "$DIR/target/falco-talon.jar" ]; then
  rm -rf "$DIR" && git worktree prune
  git worktree add -q --detach "$DIR" "$SHA"
  (cd "$DIR" && ./mvnw -q -B package -DskipTests)
fi
[ -f target/falco-talon.jar ] || ./mvnw -q -B package -DskipTests
# the earlier checkout runs today's benchmark scripts, with its own settings
cp bench/startup.sh bench/Bare.java bench/GenRules.java "$DIR/bench/"
echo "# before/after, $(date -u +%Y-%m-%dT%H:%M:%SZ): after = $(git rev-parse --short HEAD), before = $SHA"
for step in $STEPS; do
  case "$step" in
    startup)
      echo "## startup and footprint, after"; bench/startup.sh "${RUNS:-3}"
      echo "## startup and footprint, before ($SHA)"; "$DIR/bench/startup.sh" "${RUNS:-3}" ;;
    intake)
      echo "## intake"; JAR="target/falco-talon.jar $DIR/target/falco-talon.jar" bench/intake.sh "${SECONDS_PER_RUN:-10}" ;;
    latency)
      echo "## latency"; JAR="target/falco-talon.jar $DIR/target/falco-talon.jar" bench/latency.sh ;;
    image)
      # the image's start against the bare route on the image's own runtime and flags (after only: the image-check of
      # BEFORE did not time it); needs root, as .ci/image-check does
      echo "## image"; IMAGE_START_ROUNDS=${RUNS:-3} bash .ci/image-check ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
