#!/usr/bin/env bash
# Runs the cross-process harness (io.ipcobjects.benchmarks.harness.Harness) on a JDK 25.
#
#   benchmarks/run-harness.sh [--windows=5] [--warmup=3] [--max-warmup=13] [--window-ms=1000] [--quick] [--no-pin] [--no-baseline] \
#                             [--no-latency] [--interleave] [--json=results.json] \
#                             [scenario[:key=value,...] | @default | @fairness | @channels ...]
#
# --interleave sets every scenario up at once and measures them one window each in turn, the
# other children stopped, each beside its peer round by round (docs/performance.md, "Interleaved
# runs").
#
# Builds benchmarks/target/benchmarks.jar first if it is missing. The --add-exports flag is for
# the Agrona ring baseline (Agrona's UnsafeBuffer on JDK 25); the harness passes it on to its
# child JVMs, with every other flag of its own. See docs/performance.md.
#
# HARNESS_HEAP_OPTS, empty by default, adds JVM options to both JVMs; for example
# HARNESS_HEAP_OPTS="-Xms1g -Xmx1g -XX:+AlwaysPreTouch" runs them with a fixed heap touched in
# full at start-up, as a latency-sensitive service is run: a JVM that allocates per message
# otherwise pays a page fault the first time it touches each 4 KiB page of its young generation
# (docs/performance.md, "What a round trip loses to page faults").
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/jdk25.sh

java_bin=$(find_java)
jar=benchmarks/target/benchmarks.jar
if [[ ! -f "$jar" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
heap_opts=${HARNESS_HEAP_OPTS:-}
# shellcheck disable=SC2086 # the options are words
exec "$java_bin" $heap_opts --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -cp "$jar" \
  io.ipcobjects.benchmarks.harness.Harness "$@"
