#!/usr/bin/env bash
# The long kill torture: kill -9 of a worker at random moments of heap work, 1000 times by
# default, checking the region after every takeover (io.ipcobjects.benchmarks.crash.KillTortureRun).
#
#   benchmarks/run-kill-torture.sh [kills=1000] [maxWorkMillis=120] [seed]
#
# Builds benchmarks/target/benchmarks.jar first if it is missing. Exit status 1 if any region was
# corrupted or any container inconsistent.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/jdk25.sh

java_bin=$(find_java)
jar=benchmarks/target/benchmarks.jar
if [[ ! -f "$jar" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
exec "$java_bin" --enable-native-access=ALL-UNNAMED -cp "$jar" io.ipcobjects.benchmarks.crash.KillTortureRun "$@"
