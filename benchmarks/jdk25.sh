# Sourced by the benchmark scripts: find_java prints a JDK 25 (or newer) java binary, from $JAVA,
# $JAVA_HOME or /usr/lib/jvm, or fails saying how to point at one.
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
