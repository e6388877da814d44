#!/usr/bin/env bash
# Runs a JMH subset and the cross-process harness, both with JSON output, and draws PNG bar charts
# of ipc-objects beside the peers and floors measured in the same run (docs/performance.md).
#
#   benchmarks/run-charts.sh [--quick] [--channels] [--no-build] [--out=docs/charts]
#
# Full (about 6 minutes on 2 cores): JMH -f 1 -wi 3 -w 1s -i 5 -r 1s; harness 3 warm-up + 5 windows
# of 1000 ms (and 5 latency windows). --quick (about 3 minutes): JMH -wi 2 -w 500ms -i 3 -r 500ms;
# harness 1 warm-up + 3 windows of 300 ms. --channels adds the harness's @channels preset (the channels
# and the tensor ring beside their peers: 15 scenarios and their ping-pongs) to the harness part.
# Writes into the output directory: jmh.json, jmh.txt,
# harness.json, harness.txt and the charts (*.png). The charts are drawn from what ran even when a
# scenario failed; the exit code is then JMH's or the harness's.
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/jdk25.sh

quick=false
channels=()
build=true
out=docs/charts
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --channels) channels=(@channels) ;;
    --no-build) build=false ;;
    --out=*) out="${arg#--out=}" ;;
    *) echo "usage: benchmarks/run-charts.sh [--quick] [--channels] [--no-build] [--out=docs/charts]" >&2; exit 2 ;;
  esac
done

java_bin=$(find_java)
jar=benchmarks/target/benchmarks.jar
if $build || [[ ! -f "$jar" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
mkdir -p "$out"

# JMH: the uncontended lock and its CAS floor; copy into a shared tensor against the plain copy.
jmh_regex='io.ipcobjects.benchmarks.lock.LockBenchmark|io.ipcobjects.benchmarks.tensor.TensorCopyBenchmark.segmentTo'
if $quick; then
  jmh_opts=(-f 1 -wi 2 -w 500ms -i 3 -r 500ms -p size=1MiB,16MiB,256MiB)
  harness_opts=(--warmup=1 --windows=3 --window-ms=300)
else
  jmh_opts=(-f 1 -wi 3 -w 1s -i 5 -r 1s -p size=64KiB,1MiB,16MiB,256MiB)
  harness_opts=(--warmup=3 --windows=5 --window-ms=1000)
fi

jmh_rc=0
harness_rc=0
echo "== JMH: ${jmh_opts[*]} '$jmh_regex'"
"$java_bin" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dai.djl.offline=true \
  -jar "$jar" "$jmh_regex" "${jmh_opts[@]}" -rf json -rff "$out/jmh.json" | tee "$out/jmh.txt" || jmh_rc=$?

# The harness: every scenario between two ping-pong baselines; the round trips and the lock
# alternation also give per-operation latency percentiles.
echo "== harness: ${harness_opts[*]}"
"$java_bin" --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -cp "$jar" \
  io.ipcobjects.benchmarks.harness.Harness "${harness_opts[@]}" --json="$out/harness.json" \
  agrona-ring message-roundtrip lock-alternate lock-contend ${channels[@]+"${channels[@]}"} | tee "$out/harness.txt" || harness_rc=$?

echo "== charts"
"$java_bin" -Djava.awt.headless=true -cp "$jar" io.ipcobjects.benchmarks.charts.Charts \
  --harness="$out/harness.json" --jmh="$out/jmh.json" --out="$out"
if (( jmh_rc != 0 )); then echo "JMH failed (exit $jmh_rc)" >&2; exit "$jmh_rc"; fi
if (( harness_rc != 0 )); then echo "a harness scenario failed (exit $harness_rc): see $out/harness.txt" >&2; exit "$harness_rc"; fi
