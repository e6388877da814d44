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
find_java() {
  if [[ -n "${JAVA:-}" ]]; then echo "$JAVA"; return; fi
  for candidate in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*/bin/java; do
    [[ -x "$candidate" ]] || continue
    major=$("$candidate" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [[ -n "$major" && "$major" -ge 25 ]]; then echo "$candidate"; return; fi
  done
  echo "no JDK 25 found: set JAVA=/path/to/jdk-25/bin/java" >&2
  exit 1
}

java_bin=$(find_java)
jar=benchmarks/target/benchmarks.jar
if [[ ! -f "$jar" ]]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
exec "$java_bin" --enable-native-access=ALL-UNNAMED -cp "$jar" io.ipcobjects.benchmarks.crash.KillTortureRun "$@"
