package io.ipcobjects.benchmarks.harness;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What both sides of one scenario run share: a run id (unique per parent process and scenario,
 * so names in {@code /dev/shm} never collide with other runs) and the scenario's parameters from
 * its spec ({@code lock-contend:wait=busySpin,burst=32}).
 */
public record RunContext(String runId, String scenario, Map<String, String> params) {

    public RunContext {
        params = Map.copyOf(params);
    }

    /** Parses {@code name[:key=value,key=value]}. */
    public static RunContext parse(String runId, String spec) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        Map<String, String> params = new LinkedHashMap<>();
        if (colon >= 0 && colon < spec.length() - 1) {
            for (String pair : spec.substring(colon + 1).split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("scenario parameter must be key=value: \"" + pair + "\" in " + spec);
                }
                params.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return new RunContext(runId, name, params);
    }

    /** The spec again, to hand to the child. */
    public String spec() {
        StringBuilder spec = new StringBuilder(scenario);
        String separator = ":";
        for (Map.Entry<String, String> e : params.entrySet()) {
            spec.append(separator).append(e.getKey()).append('=').append(e.getValue());
            separator = ",";
        }
        return spec.toString();
    }

    public String param(String key, String fallback) {
        return params.getOrDefault(key, fallback);
    }

    public long longParam(String key, long fallback) {
        String value = params.get(key);
        return value == null ? fallback : Long.parseLong(value);
    }

    public double doubleParam(String key, double fallback) {
        String value = params.get(key);
        return value == null ? fallback : Double.parseDouble(value);
    }

    /** A region name for this run ({@code SharedMemory.create/attach}). */
    public String regionName() {
        return "harness-" + runId;
    }

    /** A plain file in /dev/shm for this run, for scenarios that map their own memory. */
    public Path file(String suffix) {
        return Path.of("/dev/shm", "ipcobjects-harness-" + runId + "-" + suffix);
    }
}
