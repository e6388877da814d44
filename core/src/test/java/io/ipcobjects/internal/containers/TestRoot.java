package io.ipcobjects.internal.containers;

import io.ipcobjects.TestAccess;
import io.ipcobjects.Access;
import io.ipcobjects.internal.codec.ValueSlots;

/**
 * Hands a value to another process in tests before the message queue and the name directory
 * exist: one slot in a raw block, whose offset goes into the header's user root.
 */
final class TestRoot {
    private TestRoot() {
    }

    static void publish(Access a, Object value) {
        long slot = a.allocate(ValueSlots.SLOT_BYTES);
        a.block(slot).fill((byte) 0);
        ValueSlots.write(TestAccess.context(a.sharedMemory()), slot, value);
        a.setUserRoot(slot);
    }

    @SuppressWarnings("unchecked")
    static <T> T read(Access a) {
        return (T) ValueSlots.read(TestAccess.context(a.sharedMemory()), a.userRoot());
    }
}
