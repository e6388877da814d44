#!/usr/bin/env bash
# Runs the JMH benchmarks on a JDK 25 from any shell (the default java may be older).
#
#   benchmarks/run-jmh.sh ['<regex>'] [JMH options...]     e.g. benchmarks/run-jmh.sh LockBenchmark -f 1 -wi 3 -i 5
#   benchmarks/run-jmh.sh -l                                 lists the benchmarks
#
# Builds benchmarks/target/benchmarks.jar first if it is missing (or with REBUILD=1). Passes
# the flags the bindings need: native access (core's FFM calls, JavaCPP, DJL's JNI), Unsafe
# memory access for ND4J, DJL offline, and the export Agrona's buffers use on JDK 25.
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/jdk25.sh

java_bin=$(find_java)
jar=benchmarks/target/benchmarks.jar
if [[ ! -f "$jar" || "${REBUILD:-0}" == 1 ]]; then
  echo "building $jar ..." >&2
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
exec "$java_bin" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Dai.djl.offline=true -jar "$jar" "$@"
