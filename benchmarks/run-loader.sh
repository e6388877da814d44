#!/usr/bin/env bash
# Loader throughput beside DJL's and DL4J's in-process loading, and a training epoch both ways
# (io.ipcobjects.benchmarks.loader.LoaderComparison), on a JDK 25 from any shell.
#
#   benchmarks/run-loader.sh [--samples N] [--batch N] [--blur N] [--workers N] [--epochs N] [--train]
#
# Builds benchmarks/target/benchmarks.jar first if it is missing (or with REBUILD=1).
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/jdk25.sh

java_bin=$(find_java)
jar=benchmarks/target/benchmarks.jar
if [[ ! -f "$jar" || "${REBUILD:-0}" == 1 ]]; then
  echo "building $jar ..." >&2
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
exec "$java_bin" -Xmx2g --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Dai.djl.offline=true \
  -cp "$jar" io.ipcobjects.benchmarks.loader.LoaderComparison "$@"
