#!/usr/bin/env bash
# Runs JMH benchmarks with -prof perfasm: the hottest compiled instructions, each with the Java
# methods it was inlined from, sampled by perf's cpu-clock (this kind of VM has no hardware
# counters).
#
#   benchmarks/profile-jmh.sh '<regex>' [JMH options...]
#   e.g. benchmarks/profile-jmh.sh 'ChannelBenchmark.putDrain' -f 1 -wi 3 -w 1 -i 4 -r 2 -p inline=112 -p msg=long
#
# Needs perf (Debian: linux-perf), gcc and Capstone (libcapstone-dev): builds HotSpot's
# disassembler plugin from benchmarks/src/main/c/hsdis-capstone.c into benchmarks/target/hsdis
# on first use, x86-64 only.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 ]]; then
  echo "usage: benchmarks/profile-jmh.sh '<regex>' [JMH options...]" >&2
  exit 2
fi
if [[ "$(uname -m)" != x86_64 ]]; then
  echo "profile-jmh.sh builds the x86-64 disassembler only; this is $(uname -m)" >&2
  exit 1
fi
for tool in perf gcc; do
  if ! command -v "$tool" >/dev/null; then
    echo "profile-jmh.sh needs $tool (Debian: apt-get install linux-perf gcc)" >&2
    exit 1
  fi
done
if [[ ! -f /usr/include/capstone/capstone.h ]]; then
  echo "profile-jmh.sh needs Capstone's headers (Debian: apt-get install libcapstone-dev)" >&2
  exit 1
fi

hsdis_dir=benchmarks/target/hsdis
if [[ ! -f "$hsdis_dir/hsdis-amd64.so" ]]; then
  mkdir -p "$hsdis_dir"
  gcc -O2 -shared -fPIC -o "$hsdis_dir/hsdis-amd64.so" benchmarks/src/main/c/hsdis-capstone.c -lcapstone
fi

regex=$1
shift
LD_LIBRARY_PATH="$PWD/$hsdis_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  exec benchmarks/run-jmh.sh "$regex" "$@" -prof 'perfasm:events=cpu-clock;hotThreshold=0.02;tooBigThreshold=4000'
