#!/usr/bin/env bash
# Runs the cross-process harness (io.ipcobjects.benchmarks.harness.Harness) on a JDK 25.
#
#   benchmarks/run-harness.sh [--windows=5] [--warmup=3] [--max-warmup=13] [--window-ms=1000] [--quick] [--no-pin] [--no-baseline] \
#                             [--no-latency] [--json=results.json] \
#                             [scenario[:key=value,...] | @default | @fairness | @channels ...]
#
# Builds benchmarks/target/benchmarks.jar first if it is missing. The --add-exports flag is for
# the Agrona ring baseline (Agrona's UnsafeBuffer on JDK 25); the harness passes it on to its
# child JVMs. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/jdk25.sh

java_bin=$(find_java)
jar=benchmarks/target/benchmarks.jar
if [[ ! -f "$jar" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
exec "$java_bin" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -cp "$jar" \
  io.ipcobjects.benchmarks.harness.Harness "$@"
