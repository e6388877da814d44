package io.ipcobjects.internal.structs;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.UnexpectedTypeException;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.ValueSlots;
import io.ipcobjects.internal.lock.LockScope;
import io.ipcobjects.internal.memory.RegionMemory;

/**
 * What one view of a live shared object ({@link ObjectLayout}) holds, and the accessors its
 * generated class ({@link ObjectClassGenerator}) calls: a generated getter of field 3 of type
 * {@code int} is {@code return state.getInt(3);}, nothing more. Package-private: only the
 * generated classes, defined in this package, call it.
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li><b>Lock.</b> Every accessor runs under the region lock, as the live containers do: inside
 *       the caller's {@code acquire()} scope directly (a thread check, then the access), otherwise
 *       through {@link LockScope#call} for that one access. The generated class also runs each
 *       default (or concrete) method between {@link #enterMethod()} and {@link #exitMethod()},
 *       so a method is one critical section, nested in the caller's scope when there is one.</li>
 *   <li><b>Crash consistency.</b> Writes go through {@link RegionMemory}'s logged writes (a
 *       primitive's bits word, or a whole slot through the codec), so a process that dies in a
 *       scope leaves the object as it was when the scope began.</li>
 *   <li><b>Validity.</b> Each access compares the object's identity word with the one the view
 *       saw when it was made: a destroyed object (identity 0, or its block reused) throws
 *       {@link ObjectDestroyedException}; a closed handle throws
 *       {@code RegionClosedException} from the lock scope before memory is touched. A primitive
 *       slot whose kind is not the field's (a corrupted region) throws
 *       {@link CorruptedRegionException}; a reference slot holding a value of another type throws
 *       {@link UnexpectedTypeException} naming the field.</li>
 *   <li>Primitive accessors allocate nothing inside a scope.</li>
 * </ul>
 */
final class ObjectState {

    private static final long BITS = SlotLayout.BITS_OFFSET;
    private static final long KIND = SlotLayout.KIND_OFFSET;

    final RegionContext context;
    private final RegionMemory memory;
    private final LockScope scope;
    final long object;
    final long identity;
    final ObjectType type;
    private final long slots;

    /** A view's state; the caller checked the block (tag, size, identity, type) under the lock. */
    ObjectState(RegionContext context, long object, long identity, ObjectType type) {
        this.context = context;
        this.memory = context.memory();
        this.scope = context.scope();
        this.object = object;
        this.identity = identity;
        this.type = type;
        this.slots = object + ObjectLayout.SLOTS_OFFSET;
    }

    // ---- checks (under the lock) ----

    private void checkLive() {
        if (memory.getLong(object + ObjectLayout.IDENTITY_OFFSET) != identity) {
            throw destroyed();
        }
    }

    ObjectDestroyedException destroyed() {
        return new ObjectDestroyedException("the shared " + type.type().getName() + " at " + object + " was destroyed");
    }

    /** The slot of primitive field {@code index}, checked: the object lives and the slot holds {@code kind}. */
    private long primitiveSlot(int index, int kind) {
        checkLive();
        long slot = slots + index * SlotLayout.SLOT_BYTES;
        if (memory.getInt(slot + KIND) != kind) {
            throw new CorruptedRegionException("field " + type.field(index).name() + " of the shared " + type.type().getName()
                    + " holds a value of kind " + memory.getInt(slot + KIND) + ", not its " + type.field(index).type(), slot);
        }
        return slot;
    }

    private long bitsLocked(int index, int kind) {
        return memory.getLong(primitiveSlot(index, kind) + BITS);
    }

    private void putBitsLocked(int index, int kind, long bits) {
        memory.putLong(primitiveSlot(index, kind) + BITS, bits); // logged: undone if the scope dies
    }

    private long bits(int index, int kind) {
        if (scope.inScopeOperation()) {
            return bitsLocked(index, kind);
        }
        return scope.callLong(() -> bitsLocked(index, kind));
    }

    private void putBits(int index, int kind, long bits) {
        if (scope.inScopeOperation()) {
            putBitsLocked(index, kind, bits);
            return;
        }
        scope.run(() -> putBitsLocked(index, kind, bits));
    }

    // ---- primitive accessors: the generated getters and setters call these ----

    int getInt(int index) {
        return (int) bits(index, SlotKinds.INT);
    }

    void setInt(int index, int value) {
        putBits(index, SlotKinds.INT, value);
    }

    long getLong(int index) {
        return bits(index, SlotKinds.LONG);
    }

    void setLong(int index, long value) {
        putBits(index, SlotKinds.LONG, value);
    }

    boolean getBoolean(int index) {
        return bits(index, SlotKinds.BOOLEAN) != 0;
    }

    void setBoolean(int index, boolean value) {
        putBits(index, SlotKinds.BOOLEAN, value ? 1 : 0);
    }

    double getDouble(int index) {
        return Double.longBitsToDouble(bits(index, SlotKinds.DOUBLE));
    }

    void setDouble(int index, double value) {
        putBits(index, SlotKinds.DOUBLE, Double.doubleToRawLongBits(value));
    }

    float getFloat(int index) {
        return Float.intBitsToFloat((int) bits(index, SlotKinds.FLOAT));
    }

    void setFloat(int index, float value) {
        putBits(index, SlotKinds.FLOAT, Float.floatToRawIntBits(value));
    }

    short getShort(int index) {
        return (short) bits(index, SlotKinds.SHORT);
    }

    void setShort(int index, short value) {
        putBits(index, SlotKinds.SHORT, value);
    }

    byte getByte(int index) {
        return (byte) bits(index, SlotKinds.BYTE);
    }

    void setByte(int index, byte value) {
        putBits(index, SlotKinds.BYTE, value);
    }

    char getChar(int index) {
        return (char) bits(index, SlotKinds.CHAR);
    }

    void setChar(int index, char value) {
        putBits(index, SlotKinds.CHAR, value);
    }

    // ---- reference accessors ----

    Object get(int index) {
        if (scope.inScopeOperation()) {
            return getLocked(index);
        }
        return scope.call(() -> getLocked(index));
    }

    private Object getLocked(int index) {
        checkLive();
        Object value = ValueSlots.read(context, slots + index * SlotLayout.SLOT_BYTES);
        Class<?> declared = type.fieldType(index);
        if (value != null && !declared.isInstance(value)) {
            throw new UnexpectedTypeException("field " + type.field(index).name() + " of the shared " + type.type().getName(),
                    declared, value.getClass());
        }
        return value;
    }

    void set(int index, Object value) {
        if (scope.inScopeOperation()) {
            setLocked(index, value);
            return;
        }
        scope.run(() -> setLocked(index, value));
    }

    private void setLocked(int index, Object value) {
        checkLive();
        long mark = context.savepoints().mark();
        try {
            ValueSlots.write(context, slots + index * SlotLayout.SLOT_BYTES, value); // the old value is released
        } catch (RuntimeException | Error e) {
            context.savepoints().rollbackTo(mark); // type entries the value registered
            throw e;
        }
    }

    // ---- methods: one critical section each ----

    /** Before a default or concrete method of the view: takes a hold of the lock (reentrant inside a scope). */
    void enterMethod() {
        if (!scope.enter(Long.MAX_VALUE)) {
            throw new WaitTimeoutException("could not take the lock of region " + context.path());
        }
    }

    /** After the method, whether it returned or threw: lets go of that hold (the last one commits). */
    void exitMethod() {
        scope.exit();
    }

    // ---- Object methods of the view ----

    /** {@code Type{field=value, ...}}, read under the lock in one piece. */
    String describe() {
        return scope.call(() -> {
            if (memory.getLong(object + ObjectLayout.IDENTITY_OFFSET) != identity) {
                return type.type().getSimpleName() + "{destroyed}";
            }
            StringBuilder text = new StringBuilder(type.type().getSimpleName()).append('{');
            for (int i = 0; i < type.fieldCount(); i++) {
                if (i > 0) {
                    text.append(", ");
                }
                Object value = type.field(i).primitiveKind() >= 0
                        ? ValueSlots.read(context, slots + i * SlotLayout.SLOT_BYTES) : getLocked(i);
                text.append(type.field(i).name()).append('=').append(value instanceof ObjectLive live
                        ? live.ipcobjects$state().type.type().getSimpleName() + "@" + live.ipcobjects$state().object : value);
            }
            return text.append('}').toString();
        });
    }

    /** Views are equal when they show the same object of the same attachment. */
    boolean sameObject(Object other) {
        return other instanceof ObjectLive live && live.ipcobjects$state().context == context
                && live.ipcobjects$state().object == object && live.ipcobjects$state().identity == identity;
    }

    int hash() {
        return Long.hashCode(object * 31 + identity);
    }
}
