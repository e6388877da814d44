package io.ipcobjects.internal.structs;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueSlots;
import io.ipcobjects.internal.memory.RegionMemory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Live shared objects ({@link ObjectLayout}): made by {@code Access.newObject}, stored in slots
 * by reference, read back as views of a generated class ({@link ObjectType}), freed with the last
 * reference or by {@code destroy}. All methods run under the region lock.
 *
 * <h2>Ownership</h2>
 * As for live containers: an object is held by the slots that refer to it and by the creator's
 * view; storing a view of this region adds a reference, overwriting or destroying the slot drops
 * one, and the last drop frees the object and releases its fields. A taken message passes its
 * slot's reference to the taker. {@link #destroyView} frees at once, whatever the count; an
 * object being freed has identity 0 first, so one that holds itself is freed once.
 *
 * <h2>Reading: only allowed types, and only matching ones</h2>
 * A view is made only for a type the reading handle allows ({@code StoredClasses}: types this
 * process stored, or named by {@code SharedMemoryOptions.withAllowedClasses}); the class is loaded
 * without being initialized before it is checked. Its field table (names and declared types) must
 * be exactly the stored one; otherwise the read fails naming the first field that differs, and
 * nothing is generated or run.
 */
public final class SharedObjects {
    private SharedObjects() {
    }

    /** Most references an object may count (as for containers). */
    private static final long MAX_REFERENCES = 1L << 48;

    // ---- creating ----

    /**
     * A new object of {@code type} with every field at its default: primitives 0 or false,
     * {@code List}, {@code Set} and {@code Map} fields a new empty live container, others null.
     * One reference: the caller's view. On failure nothing stays allocated.
     */
    public static <T> T create(RegionContext context, Class<T> type) {
        ObjectType objectType = ObjectType.of(type);
        RegionMemory memory = context.memory();
        TypeRegistry types = TypeRegistry.of(context);
        long mark = types.mark();
        int count = objectType.fieldCount();
        long object = context.allocator().allocate(ObjectLayout.blockBytes(count), BlockTypes.SHARED_OBJECT);
        long identity = ThreadLocalRandom.current().nextLong() | 1;
        memory.putLong(object + ObjectLayout.IDENTITY_OFFSET, identity);
        memory.putLong(object + ObjectLayout.REFERENCES_OFFSET, 1);
        memory.putLong(object + ObjectLayout.TYPE_ENTRY_OFFSET, 0);
        memory.putLong(object + ObjectLayout.FIELD_COUNT_OFFSET, count);
        memory.fill(object + ObjectLayout.SLOTS_OFFSET, count * SlotLayout.SLOT_BYTES, (byte) 0);
        try {
            for (int i = 0; i < count; i++) {
                ObjectType.FieldInfo field = objectType.field(i);
                long slot = ObjectLayout.slotOffset(object, i);
                if (field.primitiveKind() >= 0) {
                    memory.putIntIntLong(slot + SlotLayout.KIND_OFFSET, field.primitiveKind(), 0, 0);
                } else if (field.type() == List.class) {
                    ValueSlots.write(context, slot, new ArrayList<>());
                } else if (field.type() == Set.class) {
                    ValueSlots.write(context, slot, new HashSet<>());
                } else if (field.type() == Map.class) {
                    ValueSlots.write(context, slot, new HashMap<>());
                }
            }
            memory.putLong(object + ObjectLayout.TYPE_ENTRY_OFFSET, types.entryFor(objectType));
            return type.cast(objectType.newView(new ObjectState(context, object, identity, objectType)));
        } catch (RuntimeException | Error e) {
            destroy(context, object, 0);
            types.rollbackTo(mark);
            throw e;
        }
    }

    // ---- the codec's side ----

    /** The state of {@code value} if it is a live object view, else null. */
    static ObjectState stateOf(Object value) {
        return value instanceof ObjectLive live ? live.ipcobjects$state() : null;
    }

    /** Whether {@code value} is a view of a live object (of any region). */
    /** The block of the live object {@code value} is a view of, or -1 if it is none. */
    public static long blockOf(Object value) {
        return value instanceof ObjectLive live ? live.ipcobjects$state().object : -1;
    }

    public static boolean isView(Object value) {
        return value instanceof ObjectLive;
    }

    /**
     * Stores a view of this region as one more reference; returns false for anything that is
     * not a live object view.
     *
     * @throws UnsupportedTypeException a view of another region (it is not copied), or a key
     */
    static boolean encode(RegionContext context, Object value, SlotValue out, boolean frozen) {
        ObjectState state = stateOf(value);
        if (state == null) {
            return false;
        }
        if (frozen) {
            throw new UnsupportedTypeException(value.getClass(), "a live shared object cannot be a map key or set element");
        }
        if (state.context != context) {
            throw new UnsupportedTypeException(state.type.type(), "a live object of another region (or another handle) is "
                    + "not copied: make one here with newObject(" + state.type.type().getSimpleName()
                    + ".class) and set its fields");
        }
        retain(context, state);
        out.set(SlotKinds.OBJECT, 0, state.object);
        return true;
    }

    /** Whether a view's object can take one more reference: it lives, its block and its count are sound. */
    private static void retain(RegionContext context, ObjectState state) {
        RegionMemory memory = context.memory();
        if (memory.getLong(state.object + ObjectLayout.IDENTITY_OFFSET) != state.identity) {
            throw state.destroyed();
        }
        checkBlock(context, state.object);
        memory.putLong(state.object + ObjectLayout.REFERENCES_OFFSET, checkedReferences(context, state.object) + 1);
    }

    private static long checkedReferences(RegionContext context, long object) {
        long references = context.memory().getLong(object + ObjectLayout.REFERENCES_OFFSET);
        if (references < 1 || references >= MAX_REFERENCES) {
            throw new CorruptedRegionException("shared object counts " + references + " references",
                    object + ObjectLayout.REFERENCES_OFFSET);
        }
        return references;
    }

    /** Checks the block's tag and that its field count fits it; returns the field count. */
    private static long checkBlock(RegionContext context, long object) {
        long capacity = context.allocator().checkBlock(object, BlockTypes.SHARED_OBJECT);
        long count = context.memory().getLong(object + ObjectLayout.FIELD_COUNT_OFFSET);
        if (count < 0 || count > (capacity - ObjectLayout.SLOTS_OFFSET) / SlotLayout.SLOT_BYTES) {
            throw new CorruptedRegionException("shared object of " + count + " fields does not fit its block", object);
        }
        return count;
    }

    /** The view of the object at {@code object} (a slot of kind {@code OBJECT}). */
    static Object view(RegionContext context, long object) {
        long count = checkBlock(context, object);
        long identity = context.memory().getLong(object + ObjectLayout.IDENTITY_OFFSET);
        if (identity == 0) {
            throw new ObjectDestroyedException("the shared object at " + object + " was destroyed");
        }
        ObjectType type = type(context, object, count);
        return type.newView(new ObjectState(context, object, identity, type));
    }

    /**
     * The type of the object at {@code object}, from its type entry: resolved before by this
     * attachment, or loaded (if allowed) and its field table compared with the stored one.
     */
    private static ObjectType type(RegionContext context, long object, long count) {
        TypeRegistry types = TypeRegistry.of(context);
        long entry = context.memory().getLong(object + ObjectLayout.TYPE_ENTRY_OFFSET);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        ObjectType known = types.resolvedObjectType(entry, loader);
        if (known != null && known.fieldCount() == count) {
            return known;
        }
        long length = types.descriptorLength(entry, count, object); // checks tag, length and field count
        String[] lines = new String(types.bytes(entry, length), StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length != count + 1) {
            throw new CorruptedRegionException("type descriptor names " + (lines.length - 1) + " fields, the object has "
                    + count, object);
        }
        Class<?> loaded = context.classes().load(lines[0], object); // allowed, loaded, not initialized
        ObjectType type;
        try {
            type = ObjectType.of(loaded);
        } catch (UnsupportedTypeException e) {
            throw new IpcObjectsException("the shared object at " + object + " is a " + lines[0]
                    + ", which is not a live object type in this process: " + e.getMessage());
        }
        String[] stored = Arrays.copyOfRange(lines, 1, lines.length);
        String mismatch = mismatch(stored, type.descriptorLines());
        if (mismatch != null) {
            throw new IpcObjectsException("the shared " + lines[0] + " at " + object + " does not match " + lines[0]
                    + " in this process: " + mismatch + "; both processes must use the same version of the type");
        }
        types.rememberResolvedObject(entry, loader, type);
        return type;
    }

    /** The first difference between the stored field lines and the reader's ({@code name type}), or null. */
    private static String mismatch(String[] stored, String[] here) {
        Map<String, String> storedTypes = new HashMap<>();
        for (String line : stored) {
            int space = line.indexOf(' ');
            storedTypes.put(space < 0 ? line : line.substring(0, space), space < 0 ? "?" : line.substring(space + 1));
        }
        Map<String, String> hereTypes = new HashMap<>();
        for (String line : here) {
            int space = line.indexOf(' ');
            hereTypes.put(line.substring(0, space), line.substring(space + 1));
        }
        for (String line : here) {
            String name = line.substring(0, line.indexOf(' '));
            String stype = storedTypes.get(name);
            if (stype == null) {
                return "field " + name + " is declared here but not stored";
            }
            if (!stype.equals(hereTypes.get(name))) {
                return "field " + name + " is stored as " + stype + " but declared here as " + hereTypes.get(name);
            }
        }
        for (String line : stored) {
            int space = line.indexOf(' ');
            String name = space < 0 ? line : line.substring(0, space);
            if (!hereTypes.containsKey(name)) {
                return "field " + name + " is stored but not declared here";
            }
        }
        return Arrays.equals(stored, here) ? null : "the fields are stored in another order";
    }

    // ---- lifetime ----

    /** Drops one reference to the object; the last one frees it. */
    static void release(RegionContext context, long object, int depth) {
        checkBlock(context, object);
        RegionMemory memory = context.memory();
        if (memory.getLong(object + ObjectLayout.IDENTITY_OFFSET) == 0) {
            return; // being destroyed further up: it holds itself
        }
        long references = checkedReferences(context, object) - 1;
        if (references > 0) {
            memory.putLong(object + ObjectLayout.REFERENCES_OFFSET, references);
            return;
        }
        destroy(context, object, depth);
    }

    /** Frees the object now and releases its fields. */
    static void destroy(RegionContext context, long object, int depth) {
        if (depth > ValueSlots.MAX_RELEASE_DEPTH) {
            throw new CorruptedRegionException("values nest deeper than " + ValueSlots.MAX_RELEASE_DEPTH + " levels", object);
        }
        long count = checkBlock(context, object);
        RegionMemory memory = context.memory();
        if (memory.getLong(object + ObjectLayout.IDENTITY_OFFSET) == 0) {
            return;
        }
        memory.putLong(object + ObjectLayout.IDENTITY_OFFSET, 0);
        SlotValue slot = new SlotValue();
        for (long i = 0; i < count; i++) {
            slot.readFrom(memory, ObjectLayout.slotOffset(object, i));
            ValueSlots.release(context, slot.kind, slot.aux, slot.bits, depth + 1);
        }
        context.allocator().free(object);
    }

    /**
     * {@code Access.destroy}: frees the view's object now, if it is a live object view of this
     * region; returns false if {@code view} is no live object view at all.
     *
     * @throws IllegalArgumentException a view of another region or handle
     * @throws ObjectDestroyedException the object was destroyed already
     */
    public static boolean destroyView(RegionContext context, Object view) {
        ObjectState state = stateOf(view);
        if (state == null) {
            return false;
        }
        if (state.context != context) {
            throw new IllegalArgumentException("destroy() takes a view of this region handle; this shared "
                    + state.type.type().getName() + " belongs to another");
        }
        if (context.memory().getLong(state.object + ObjectLayout.IDENTITY_OFFSET) != state.identity) {
            throw state.destroyed();
        }
        destroy(context, state.object, 0);
        return true;
    }

    /** How many references the view's object counts (for tests and tools). */
    public static long references(Object view) {
        ObjectState state = stateOf(view);
        if (state == null) {
            throw new IllegalArgumentException(view + " is not a live shared object");
        }
        return state.context.scope().callLong(() -> checkedReferences(state.context, state.object));
    }
}
