package io.ipcobjects.collections;

import io.ipcobjects.Access;
import io.ipcobjects.values.ValueSlots;

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
        ValueSlots.write(a.sharedMemory().context(), slot, value);
        a.setUserRoot(slot);
    }

    @SuppressWarnings("unchecked")
    static <T> T read(Access a) {
        return (T) ValueSlots.read(a.sharedMemory().context(), a.userRoot());
    }
}
