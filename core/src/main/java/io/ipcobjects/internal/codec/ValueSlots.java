package io.ipcobjects.internal.codec;

import static io.ipcobjects.internal.codec.SlotLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.memory.RegionMemory;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The value codec: a value slot ({@link SlotLayout}, {@value #SLOT_BYTES} bytes) holds any
 * supported value, small ones inline and the rest as the offset of a block it owns.
 * Containers, the message queue and the name directory all store their values in slots.
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li>All methods run under the region lock (the caller holds it): plain reads and writes.</li>
 *   <li>Inline kinds ({@link SlotKinds#isInline}) are written and read with no block and no Java
 *       allocation beyond the box the caller hands in or gets back.</li>
 *   <li>Failure atomicity: {@link #write} stores the whole new value first (allocating its
 *       blocks; a failure frees what was allocated), then writes the slot, then releases what the
 *       slot held before. An unsupported type or a full region leaves the slot and the heap as
 *       they were.</li>
 *   <li>Ownership: a slot owns the blocks of its value; live containers are reference counted,
 *       because a view of this region stored elsewhere is stored as a reference, not a copy.</li>
 *   <li>Everything read from the region is validated (block tags, lengths, kinds), and every
 *       read runs within the handle's {@link DecodeBudget} (bytes, blocks, nesting up to
 *       {@link #MAX_DEPTH}, cycles), so a corrupted or hostile region gives
 *       {@link CorruptedRegionException}, never a crash, an endless recursion or an
 *       {@code OutOfMemoryError} from slots that share a block.</li>
 *   <li>Classes a value names (enums, and structs through their family) are loaded only if the
 *       handle's {@link StoredClasses} allows them, and never initialized by loading.</li>
 * </ul>
 */
public final class ValueSlots {
    private ValueSlots() {
    }

    public static final long SLOT_BYTES = SlotLayout.SLOT_BYTES;

    /** Deepest nesting of values written or read; deeper means a cycle or a corrupted region. */
    public static final int MAX_DEPTH = 256;

    /**
     * Deepest level a release reaches in a sound region. A store bounds a value's nesting by
     * {@link #MAX_DEPTH} counted from the slot it is stored in, and that slot may be an element
     * of a container nested deep by reference. A destruction counts from where it began, so it
     * sees the value that much deeper. Containers are destroyed at most
     * {@link DeferredDestroys#FROM_DEPTH} + 1 deep (deeper ones wait for a shallower
     * destruction), their elements one level below, and each element's value at most
     * {@link #MAX_DEPTH} levels below that. Deeper means a cycle or a corrupted region.
     */
    public static final int MAX_RELEASE_DEPTH = DeferredDestroys.FROM_DEPTH + 2 + MAX_DEPTH;

    /**
     * Encodes {@code value} into the slot at {@code slotOffset}. If storing fails (unsupported
     * type, out of memory) the slot is unchanged and nothing stays allocated. A slot must start
     * zeroed (null): whatever it holds is released when it is overwritten.
     */
    public static void write(RegionContext context, long slotOffset, Object value) {
        assert context.mayRead() : "the region lock is not held";
        RegionMemory memory = context.memory();
        int oldKind = memory.getInt(slotOffset + KIND_OFFSET);
        int oldAux = memory.getInt(slotOffset + AUX_OFFSET);
        long oldBits = memory.getLong(slotOffset + BITS_OFFSET);
        if (!writeInline(memory, slotOffset, value)) {
            SlotValue encoded = encode(context, value, new SlotValue(), 0, false);
            encoded.writeTo(memory, slotOffset);
        }
        if (!SlotKinds.isInline(oldKind)) {
            release(context, oldKind, oldAux, oldBits, 0);
        }
    }

    /** Decodes the slot: plain values are copied out, containers and tensors come back as live views. */
    public static Object read(RegionContext context, long slotOffset) {
        assert context.mayRead() : "the region lock is not held";
        RegionMemory memory = context.memory();
        int kind = memory.getInt(slotOffset + KIND_OFFSET);
        // The common inline kinds first, in a method small enough for the JIT to inline into the
        // caller, so the box it returns can often be scalar-replaced.
        switch (kind) {
            case SlotKinds.NULL:
                return null;
            case SlotKinds.LONG:
                return memory.getLong(slotOffset + BITS_OFFSET);
            case SlotKinds.INT:
                return (int) memory.getLong(slotOffset + BITS_OFFSET);
            case SlotKinds.DOUBLE:
                return Double.longBitsToDouble(memory.getLong(slotOffset + BITS_OFFSET));
            default:
                return decode(context, kind, memory.getInt(slotOffset + AUX_OFFSET), memory.getLong(slotOffset + BITS_OFFSET));
        }
    }

    /** Frees what the slot's value owns (recursively) and sets the slot to null. */
    public static void destroy(RegionContext context, long slotOffset) {
        assert context.mayRead() : "the region lock is not held";
        RegionMemory memory = context.memory();
        int kind = memory.getInt(slotOffset + KIND_OFFSET);
        int aux = memory.getInt(slotOffset + AUX_OFFSET);
        long bits = memory.getLong(slotOffset + BITS_OFFSET);
        memory.putIntIntLong(slotOffset, 0, 0, 0L); // one undo entry, under the key the slot's writes share
        if (!SlotKinds.isInline(kind)) {
            release(context, kind, aux, bits, 0);
        }
    }

    /**
     * Releases a value that no slot refers to any more, as the last writes of an operation that
     * has made all of its own: a container whose last reference this is may then be destroyed in
     * committed steps, and a takeover finishes it if the process dies half-way
     * ({@link DestructionSteps}).
     */
    public static void releaseDetached(RegionContext context, int kind, int aux, long bits) {
        if (SlotKinds.isInline(kind)) {
            return;
        }
        if (kind == SlotKinds.LIST || kind == SlotKinds.MAP || kind == SlotKinds.SET) {
            context.destructionSteps().runAsRoot(kind, bits, false, () -> release(context, kind, aux, bits, 0));
        } else {
            release(context, kind, aux, bits, 0);
        }
    }

    /**
     * The slot's value as the caller of a removing operation gets it back ({@code remove},
     * {@code set}, {@code put}): like {@link #read}, but a container the slot holds the last
     * reference to comes back as a plain Java copy, since it is freed right after.
     */
    public static Object readForRemoval(RegionContext context, long slotOffset) {
        assert context.mayRead() : "the region lock is not held";
        RegionMemory memory = context.memory();
        int kind = memory.getInt(slotOffset + KIND_OFFSET);
        int aux = memory.getInt(slotOffset + AUX_OFFSET);
        long bits = memory.getLong(slotOffset + BITS_OFFSET);
        if (context.kinds().isRegistered(kind)) {
            DecodeBudget budget = context.budget();
            budget.begin();
            try {
                return context.kinds().owner(kind, bits).decodeForRemoval(context, kind, aux, bits);
            } finally {
                budget.end();
            }
        }
        return decode(context, kind, aux, bits);
    }

    /** Stores a {@code Long} without boxing, releasing what the slot held. */
    public static void writeLong(RegionContext context, long slotOffset, long value) {
        writePrimitive(context, slotOffset, SlotKinds.LONG, value);
    }

    /** Stores a {@code Double} without boxing, releasing what the slot held. */
    public static void writeDouble(RegionContext context, long slotOffset, double value) {
        writePrimitive(context, slotOffset, SlotKinds.DOUBLE, Double.doubleToRawLongBits(value));
    }

    private static void writePrimitive(RegionContext context, long slotOffset, int kind, long bits) {
        RegionMemory memory = context.memory();
        int oldKind = memory.getInt(slotOffset + KIND_OFFSET);
        int oldAux = memory.getInt(slotOffset + AUX_OFFSET);
        long oldBits = memory.getLong(slotOffset + BITS_OFFSET);
        memory.putIntIntLong(slotOffset + KIND_OFFSET, kind, 0, bits);
        if (!SlotKinds.isInline(oldKind)) {
            release(context, oldKind, oldAux, oldBits, 0);
        }
    }

    // ---- inline values: no block, no allocation ----

    /** Writes {@code value} into the slot if it is an inline kind; returns false (slot untouched) otherwise. */
    public static boolean writeInline(RegionMemory memory, long slot, Object value) {
        int kind = inlineKind(value);
        if (kind < 0) {
            return false;
        }
        memory.putIntIntLong(slot + KIND_OFFSET, kind, inlineAux(kind, value), inlineBits(kind, value));
        return true;
    }

    /** Whether {@code value} is of an inline kind: {@link #writeInline} would store it in the slot itself. */
    public static boolean isInline(Object value) {
        return inlineKind(value) >= 0;
    }

    /**
     * {@link #writeInline} of a value {@link #isInline} accepted, to a slot that
     * {@link RegionMemory#logBefore} covered in this window (written without asking the log again).
     */
    public static void writeInlineLogged(RegionMemory memory, long slot, Object value) {
        int kind = inlineKind(value);
        if (kind < 0) {
            throw new IllegalArgumentException(value.getClass().getName() + " is not stored inline");
        }
        memory.putIntIntLongLogged(slot + KIND_OFFSET, kind, inlineAux(kind, value), inlineBits(kind, value));
    }

    /** Fills {@code out} for an inline value; returns false for a value that needs a block. */
    public static boolean encodeInline(Object value, SlotValue out) {
        int kind = inlineKind(value);
        if (kind < 0) {
            return false;
        }
        out.set(kind, inlineAux(kind, value), inlineBits(kind, value));
        return true;
    }

    /** The inline kind of {@code value}, or -1 if it needs a block. Most frequent kinds first. */
    private static int inlineKind(Object value) {
        if (value == null) {
            return SlotKinds.NULL;
        }
        if (value instanceof Long) {
            return SlotKinds.LONG;
        }
        if (value instanceof Integer) {
            return SlotKinds.INT;
        }
        if (value instanceof Double) {
            return SlotKinds.DOUBLE;
        }
        if (value instanceof String s) {
            return isShortString(s) ? SlotKinds.SHORT_STRING : -1;
        }
        if (value instanceof Boolean) {
            return SlotKinds.BOOLEAN;
        }
        if (value instanceof Float) {
            return SlotKinds.FLOAT;
        }
        if (value instanceof Short) {
            return SlotKinds.SHORT;
        }
        if (value instanceof Byte) {
            return SlotKinds.BYTE;
        }
        if (value instanceof Character) {
            return SlotKinds.CHAR;
        }
        if (value instanceof Instant) {
            return SlotKinds.INSTANT;
        }
        if (value instanceof LocalDate) {
            return SlotKinds.LOCAL_DATE;
        }
        if (value instanceof LocalTime) {
            return SlotKinds.LOCAL_TIME;
        }
        if (value instanceof LocalDateTime) {
            return SlotKinds.LOCAL_DATE_TIME;
        }
        if (value instanceof Duration) {
            return SlotKinds.DURATION;
        }
        if (value instanceof Period) {
            return SlotKinds.PERIOD;
        }
        if (value instanceof ZoneOffset) {
            return SlotKinds.ZONE_OFFSET;
        }
        return -1;
    }

    private static long inlineBits(int kind, Object value) {
        return switch (kind) {
            case SlotKinds.LONG -> (Long) value;
            case SlotKinds.INT -> (Integer) value;
            case SlotKinds.DOUBLE -> Double.doubleToRawLongBits((Double) value);
            case SlotKinds.BOOLEAN -> (Boolean) value ? 1 : 0;
            case SlotKinds.FLOAT -> Float.floatToRawIntBits((Float) value);
            case SlotKinds.SHORT -> (Short) value;
            case SlotKinds.BYTE -> (Byte) value;
            case SlotKinds.CHAR -> (Character) value;
            case SlotKinds.INSTANT -> ((Instant) value).getEpochSecond();
            case SlotKinds.LOCAL_DATE -> ((LocalDate) value).toEpochDay();
            case SlotKinds.LOCAL_TIME -> ((LocalTime) value).toNanoOfDay();
            case SlotKinds.LOCAL_DATE_TIME -> ((LocalDateTime) value).toEpochSecond(ZoneOffset.UTC);
            case SlotKinds.DURATION -> ((Duration) value).getSeconds();
            case SlotKinds.PERIOD -> ((long) ((Period) value).getYears() << 32) | (((Period) value).getMonths() & 0xFFFFFFFFL);
            case SlotKinds.SHORT_STRING -> shortStringBits((String) value);
            default -> 0; // NULL; ZONE_OFFSET keeps its seconds in aux
        };
    }

    private static int inlineAux(int kind, Object value) {
        return switch (kind) {
            case SlotKinds.INSTANT -> ((Instant) value).getNano();
            case SlotKinds.LOCAL_DATE_TIME -> ((LocalDateTime) value).getNano();
            case SlotKinds.DURATION -> ((Duration) value).getNano();
            case SlotKinds.PERIOD -> ((Period) value).getDays();
            case SlotKinds.ZONE_OFFSET -> ((ZoneOffset) value).getTotalSeconds();
            case SlotKinds.SHORT_STRING -> ((String) value).length();
            default -> 0;
        };
    }

    /** Whether {@code s} is stored inline ({@link SlotKinds#SHORT_STRING}): short, and Latin-1 throughout. */
    public static boolean isShortString(String s) {
        int length = s.length();
        if (length > SlotKinds.SHORT_STRING_MAX) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    /** The bits of a short string's slot: its chars as bytes, the first lowest, zero past the end. */
    public static long shortStringBits(String s) {
        long bits = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            bits = (bits << 8) | s.charAt(i);
        }
        return bits;
    }

    private static String shortString(int length, long bits, long at) {
        if (length < 0 || length > SlotKinds.SHORT_STRING_MAX
                || (length < SlotKinds.SHORT_STRING_MAX && bits >>> (8 * length) != 0)) {
            throw new CorruptedRegionException("short string slot of length " + length + " and bits 0x" + Long.toHexString(bits),
                    at);
        }
        byte[] latin1 = new byte[length];
        for (int i = 0; i < length; i++) {
            latin1[i] = (byte) (bits >>> (8 * i));
        }
        return new String(latin1, StandardCharsets.ISO_8859_1);
    }

    /** The Java value of an inline slot. */
    public static Object decodeInline(int kind, int aux, long bits, long at) {
        return switch (kind) {
            case SlotKinds.NULL -> null;
            case SlotKinds.BOOLEAN -> bits != 0;
            case SlotKinds.BYTE -> (byte) bits;
            case SlotKinds.SHORT -> (short) bits;
            case SlotKinds.INT -> (int) bits;
            case SlotKinds.LONG -> bits;
            case SlotKinds.CHAR -> (char) bits;
            case SlotKinds.FLOAT -> Float.intBitsToFloat((int) bits);
            case SlotKinds.DOUBLE -> Double.longBitsToDouble(bits);
            case SlotKinds.INSTANT -> checkedTime(() -> Instant.ofEpochSecond(bits, aux), at);
            case SlotKinds.LOCAL_DATE -> checkedTime(() -> LocalDate.ofEpochDay(bits), at);
            case SlotKinds.LOCAL_TIME -> checkedTime(() -> LocalTime.ofNanoOfDay(bits), at);
            case SlotKinds.LOCAL_DATE_TIME -> checkedTime(() -> LocalDateTime.ofEpochSecond(bits, aux, ZoneOffset.UTC), at);
            case SlotKinds.DURATION -> checkedTime(() -> Duration.ofSeconds(bits, aux), at);
            case SlotKinds.PERIOD -> Period.of((int) (bits >> 32), (int) bits, aux);
            case SlotKinds.ZONE_OFFSET -> checkedTime(() -> ZoneOffset.ofTotalSeconds(aux), at);
            case SlotKinds.SHORT_STRING -> shortString(aux, bits, at);
            default -> throw new CorruptedRegionException("unknown value kind " + kind, at);
        };
    }

    // ---- values in blocks ----

    /**
     * Stores {@code value} in new blocks and describes it in {@code out}; on failure frees what
     * it allocated. {@code frozen}: store lists, sets and maps as immutable values (keys).
     */
    public static SlotValue encode(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        if (encodeInline(value, out)) {
            return out;
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nests deeper than " + MAX_DEPTH + " levels (a cycle?): "
                    + value.getClass().getName());
        }
        if (value instanceof String s) {
            int coder = Blobs.coderOf(s);
            return out.set(SlotKinds.STRING, coder, Blobs.storeString(context, s, coder));
        }
        if (value instanceof byte[] b) {
            return out.set(SlotKinds.BYTES, 0, Blobs.store(context, b));
        }
        if (value instanceof char[] c) {
            return out.set(SlotKinds.CHARS, 0, Blobs.store(context, c));
        }
        if (value instanceof BigInteger v) {
            return out.set(SlotKinds.BIG_INTEGER, 0, Blobs.store(context, v.toByteArray()));
        }
        if (value instanceof BigDecimal v) {
            return out.set(SlotKinds.BIG_DECIMAL, v.scale(), Blobs.store(context, v.unscaledValue().toByteArray()));
        }
        if (value instanceof OffsetDateTime v) {
            return out.set(SlotKinds.OFFSET_DATE_TIME, 0, Blobs.store(context, dateTimeBytes(v.toLocalDateTime(), v.getOffset(), null)));
        }
        if (value instanceof ZonedDateTime v) {
            return out.set(SlotKinds.ZONED_DATE_TIME, 0,
                    Blobs.store(context, dateTimeBytes(v.toLocalDateTime(), v.getOffset(), v.getZone().getId())));
        }
        if (value instanceof ZoneId v) { // a ZoneOffset is inline; this is a region id
            return out.set(SlotKinds.ZONE_ID, 0, Blobs.store(context, v.getId().getBytes(StandardCharsets.UTF_8)));
        }
        if (value instanceof UUID v) {
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            b.putLong(v.getMostSignificantBits()).putLong(v.getLeastSignificantBits());
            return out.set(SlotKinds.UUID, 0, Blobs.store(context, b.array()));
        }
        if (value instanceof Enum<?> v) {
            StoredClasses.remember(v.getDeclaringClass());
            String text = v.getDeclaringClass().getName() + '\0' + v.name();
            return out.set(SlotKinds.ENUM, 0, Blobs.store(context, text.getBytes(StandardCharsets.UTF_8)));
        }
        return encodeCompound(context, value, out, depth, frozen);
    }

    /**
     * Tuples (the codec's own) and the kinds of the families in the table: tensors and live
     * containers first, then structs once other arrays and collections are refused.
     */
    private static SlotValue encodeCompound(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        Class<?> type = value.getClass();
        if (type == Object[].class) {
            Object[] array = (Object[]) value;
            return out.set(SlotKinds.OBJECT_ARRAY, 0, Tuples.store(context, Arrays.asList(array).iterator(), array.length,
                    depth, frozen));
        }
        if (frozen) {
            if (value instanceof List<?> list) {
                return out.set(SlotKinds.FROZEN_LIST, 0, Tuples.store(context, list.iterator(), list.size(), depth, true));
            }
            if (value instanceof Set<?> set) {
                return out.set(SlotKinds.FROZEN_SET, 0, Tuples.store(context, set.iterator(), set.size(), depth, true));
            }
            if (value instanceof Map<?, ?> map) {
                return out.set(SlotKinds.FROZEN_MAP, 0, Tuples.store(context, Tuples.flatten(map), 2L * map.size(), depth, true));
            }
        }
        if (context.kinds().encodeEarly(context, value, out, depth, frozen)) {
            return out;
        }
        if (type.isArray()) {
            throw new UnsupportedTypeException(type, type.getComponentType().isPrimitive()
                    ? "numeric primitive arrays are stored as tensors, and tensor support is not available"
                    : "of arrays of references only Object[] is stored (it comes back as an Object[])");
        }
        if (value instanceof Collection<?> || value instanceof Map<?, ?>) {
            throw new UnsupportedTypeException(type, "of collections only List, Set and Map are stored");
        }
        if (context.kinds().encodeLate(context, value, out, depth, frozen)) {
            return out;
        }
        if (Serialized.accepts(context, value, frozen)) {
            return out.set(SlotKinds.SERIALIZED, 0, Serialized.store(context, value));
        }
        throw new UnsupportedTypeException(type, "not a supported value type"
                + (context.serialization() == null && value instanceof java.io.Serializable
                ? " (Java serialization is off: SharedMemoryOptions.withSerialization(filter) turns it on)" : ""));
    }

    /**
     * The Java value of a slot's three words, read as one operation: a value held in blocks is
     * read within the handle's {@link DecodeBudget}, begun here.
     */
    public static Object decode(RegionContext context, int kind, int aux, long bits) {
        if (SlotKinds.isInline(kind)) {
            return decodeInline(kind, aux, bits, bits);
        }
        DecodeBudget budget = context.budget();
        budget.begin();
        try {
            return decode(context, kind, aux, bits, budget);
        } finally {
            budget.end();
        }
    }

    /**
     * The Java value of a slot's three words, as part of a read that {@code budget} bounds (nested
     * values of tuples and structs, and operations that read many slots).
     */
    public static Object decode(RegionContext context, int kind, int aux, long bits, DecodeBudget budget) {
        if (SlotKinds.isInline(kind)) {
            return decodeInline(kind, aux, bits, bits);
        }
        if (SlotKinds.isBlob(kind)) {
            chargeBlob(context, bits, budget);
        }
        return switch (kind) {
            case SlotKinds.STRING -> Blobs.string(context, bits, aux);
            case SlotKinds.BYTES -> Blobs.bytes(context, bits);
            case SlotKinds.CHARS -> Blobs.chars(context, bits);
            case SlotKinds.BIG_INTEGER -> bigInteger(context, bits);
            case SlotKinds.BIG_DECIMAL -> new BigDecimal(bigInteger(context, bits), aux);
            case SlotKinds.OFFSET_DATE_TIME -> {
                ByteBuffer b = dateTimeBuffer(context, bits);
                yield checkedTime(() -> OffsetDateTime.of(localDateTime(b), ZoneOffset.ofTotalSeconds(b.getInt())), bits);
            }
            case SlotKinds.ZONED_DATE_TIME -> {
                ByteBuffer b = dateTimeBuffer(context, bits);
                yield checkedTime(() -> {
                    LocalDateTime local = localDateTime(b);
                    ZoneOffset offset = ZoneOffset.ofTotalSeconds(b.getInt());
                    ZoneId zone = ZoneId.of(StandardCharsets.UTF_8.decode(b).toString());
                    return ZonedDateTime.ofLocal(local, zone, offset);
                }, bits);
            }
            case SlotKinds.ZONE_ID -> checkedTime(() -> ZoneId.of(Blobs.utf8(context, bits)), bits);
            case SlotKinds.UUID -> {
                byte[] raw = Blobs.bytes(context, bits);
                if (raw.length != 16) {
                    throw new CorruptedRegionException("UUID blob of " + raw.length + " bytes", bits);
                }
                ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
                yield new UUID(b.getLong(), b.getLong());
            }
            case SlotKinds.ENUM -> enumConstant(context, bits);
            case SlotKinds.SERIALIZED -> Serialized.read(context, bits);
            case SlotKinds.OBJECT_ARRAY -> Tuples.read(context, bits, budget);
            case SlotKinds.FROZEN_LIST -> Collections.unmodifiableList(Arrays.asList(Tuples.read(context, bits, budget)));
            case SlotKinds.FROZEN_SET -> Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(Tuples.read(context, bits, budget))));
            case SlotKinds.FROZEN_MAP -> Collections.unmodifiableMap(Tuples.readMap(context, bits, budget));
            default -> context.kinds().owner(kind, bits).decode(context, kind, aux, bits, budget);
        };
    }

    /** Checks the blob a blob kind's slot points at and charges it to {@code budget} before it is copied out. */
    private static void chargeBlob(RegionContext context, long payload, DecodeBudget budget) {
        long length = Blobs.length(context, payload);
        budget.charge(payload, BlockLayout.HEADER_BYTES + BlobLayout.blockBytes(length));
    }

    /** Frees the blocks a slot's value owns (containers: drops one reference). */
    public static void release(RegionContext context, int kind, int aux, long bits, int depth) {
        if (SlotKinds.isInline(kind)) {
            return;
        }
        if (depth > MAX_RELEASE_DEPTH) {
            throw new CorruptedRegionException("values nest deeper than " + MAX_RELEASE_DEPTH + " levels", bits);
        }
        switch (kind) {
            case SlotKinds.STRING, SlotKinds.BYTES, SlotKinds.CHARS, SlotKinds.BIG_INTEGER, SlotKinds.BIG_DECIMAL,
                 SlotKinds.OFFSET_DATE_TIME, SlotKinds.ZONED_DATE_TIME, SlotKinds.ZONE_ID, SlotKinds.UUID,
                 SlotKinds.ENUM, SlotKinds.SERIALIZED -> Blobs.free(context, bits);
            case SlotKinds.OBJECT_ARRAY, SlotKinds.FROZEN_LIST, SlotKinds.FROZEN_SET, SlotKinds.FROZEN_MAP ->
                    Tuples.free(context, bits, depth);
            default -> context.kinds().owner(kind, bits).release(context, kind, aux, bits, depth);
        }
        // What a deep destruction under this value left (see DeferredDestroys) and no container
        // destruction between did: done by the outermost release (a nest of other values, say).
        if (depth == 0 && context.deferredDestroys().pending()) {
            context.deferredDestroys().drain(context, depth);
        }
    }

    // ---- helpers ----

    private static BigInteger bigInteger(RegionContext context, long payload) {
        byte[] raw = Blobs.bytes(context, payload);
        if (raw.length == 0) {
            throw new CorruptedRegionException("empty BigInteger blob", payload);
        }
        return new BigInteger(raw);
    }

    private static byte[] dateTimeBytes(LocalDateTime local, ZoneOffset offset, String zoneId) {
        byte[] zone = zoneId == null ? new byte[0] : zoneId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(16 + zone.length).order(ByteOrder.nativeOrder());
        b.putLong(local.toEpochSecond(ZoneOffset.UTC)).putInt(local.getNano()).putInt(offset.getTotalSeconds()).put(zone);
        return b.array();
    }

    private static ByteBuffer dateTimeBuffer(RegionContext context, long payload) {
        byte[] raw = Blobs.bytes(context, payload);
        if (raw.length < 16) {
            throw new CorruptedRegionException("date-time blob of " + raw.length + " bytes", payload);
        }
        return ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
    }

    private static LocalDateTime localDateTime(ByteBuffer b) {
        long seconds = b.getLong();
        int nano = b.getInt();
        return LocalDateTime.ofEpochSecond(seconds, nano, ZoneOffset.UTC);
    }

    private static Object enumConstant(RegionContext context, long payload) {
        String text = Blobs.utf8(context, payload);
        int split = text.indexOf('\0');
        if (split < 0) {
            throw new CorruptedRegionException("enum blob without a separator", payload);
        }
        String className = text.substring(0, split);
        String name = text.substring(split + 1);
        Class<?> type = context.classes().loadEnum(className, payload); // allowed and an enum: only now initialized
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        throw new CorruptedRegionException("enum " + className + " has no constant " + name, payload);
    }

    private static <T> T checkedTime(java.util.function.Supplier<T> decoder, long at) {
        try {
            return decoder.get();
        } catch (java.time.DateTimeException e) {
            CorruptedRegionException c = new CorruptedRegionException("invalid date-time value: " + e.getMessage(), at);
            c.initCause(e);
            throw c;
        }
    }
}
