package io.ipcobjects;

import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.session.Handle;
import io.ipcobjects.internal.structs.TypeRegistry;

/**
 * The tests' way into a handle's internals: test code only, in the API package so it can use
 * {@link SharedMemory}'s package-private {@code handle()}. Nothing in main code exposes these.
 */
@SuppressWarnings("exports") // test code: it hands internal types to tests in the internal packages
public final class TestAccess {
    private TestAccess() {
    }

    public static Handle handle(SharedMemory shm) {
        return shm.handle();
    }

    public static RegionContext context(SharedMemory shm) {
        return shm.handle().context();
    }

    public static TypeRegistry types(SharedMemory shm) {
        return shm.handle().types();
    }
}
