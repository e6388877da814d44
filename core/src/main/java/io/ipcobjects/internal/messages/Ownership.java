package io.ipcobjects.internal.messages;

import io.ipcobjects.SharedTensor;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.structs.SharedObjects;
import java.util.HashMap;
import java.util.Map;

/**
 * Who holds the shared objects handed over by reference. A take that hands a shared object (a
 * container, a snapshot, a tensor, a live object) to its caller stamps the object's block header
 * with the taker's {@linkplain RegionContext#ownerStamp owner stamp}; a put that passes one on
 * clears it; destroying it frees the block and the stamp with it. So the blocks stamped with a
 * process's stamp are what it took and has not freed, which {@link #held} counts (and the
 * inspector shows, for dead processes too). All under the lock.
 */
public final class Ownership {
    private Ownership() {
    }

    /** The block of the shared object {@code value} is a view of, or -1 for a plain value. */
    public static long blockOf(Object value) {
        if (value instanceof ContainerView view) {
            return view.offset();
        }
        if (value instanceof SharedTensor tensor) {
            return tensor.blockOffset();
        }
        return SharedObjects.blockOf(value);
    }

    /** Marks {@code value}, just handed over by a take, as held by this handle's process. */
    public static void taken(RegionContext context, Object value) {
        long block = blockOf(value);
        if (block > 0 && context.ownerStamp() != 0) {
            context.allocator().stamp(block, context.ownerStamp());
        }
    }

    /** Clears the stamp of {@code value}, just put by reference: the channel holds it now. */
    public static void passedOn(RegionContext context, Object value) {
        long block = blockOf(value);
        if (block > 0) {
            context.allocator().stamp(block, 0);
        }
    }

    /** Objects and bytes held per owner stamp: {@code [objects, bytes]} by stamp. */
    public static Map<Integer, long[]> held(RegionContext context) {
        Map<Integer, long[]> held = new HashMap<>();
        context.allocator().forEachStamp((stamp, bytes) -> {
            long[] counts = held.computeIfAbsent(stamp, s -> new long[2]);
            counts[0]++;
            counts[1] += bytes;
        });
        return held;
    }
}
