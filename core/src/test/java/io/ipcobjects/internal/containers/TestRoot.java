package io.ipcobjects.internal.containers;

import io.ipcobjects.Access;

/**
 * Hands a value to another process in tests: stored under one well-known name, so the region's
 * verification sees it reached from the name directory like any stored value.
 */
final class TestRoot {
    private TestRoot() {
    }

    private static final String NAME = "test-root";

    static void publish(Access a, Object value) {
        a.put(NAME, value);
    }

    static <T> T read(Access a) {
        return a.get(NAME);
    }
}
