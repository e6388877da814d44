package io.ipcobjects.internal.channels;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.codec.StoredClasses;
import io.ipcobjects.internal.codec.ValueSlots;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.RecordComponent;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The channels' inline encoding: a small value graph as one position-independent byte string,
 * copied into a ring entry without the region lock and read back from it. It takes what a
 * channel hands over as a copy (see {@code Channel}): numbers, booleans, characters, strings,
 * the inline {@code java.time} values, primitive arrays, records and enums of allowed classes,
 * and lists, sets, maps and {@code Object[]} of these. Anything else, or anything that does not
 * fit, goes through the heap instead ({@link #encode} returns -1).
 *
 * <pre>
 * value  := tag(1) body
 * tag 0 null | 1 false | 2 true | 3 byte(1) | 4 short(2) | 5 char(2) | 6 int(4) | 7 long(8)
 *     8 float(4) | 9 double(8) | 10 Latin-1 string: n, n bytes | 11 UTF-16 string: n, 2n bytes
 *     12 byte[]: n, n bytes | 13 list: n, n values | 14 set: n, n values | 15 map: n, 2n values
 *     16 Object[]: n, n values | 17 record: class name (n, n UTF-8 bytes), n, n values
 *     18 enum: class name, constant name | 19 inline slot: kind(4) aux(4) bits(8)
 *     20..26 int[] long[] double[] float[] short[] char[] boolean[]: n, the elements
 * n      := unsigned LEB128 varint
 * </pre>
 * Numbers are in native byte order (the region's, which the header check fixes). Reads are
 * bounded by the entry's length: every count is checked against the bytes left, so a hostile
 * entry cannot make a reader allocate more than the entry could describe, and nesting is
 * bounded by {@link #MAX_DEPTH}.
 */
final class FlatCodec {
    private FlatCodec() {
    }

    static final int MAX_DEPTH = 64;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfChar CHAR = ValueLayout.JAVA_CHAR_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** Numbers in a staging array, in native order as in the region. */
    private static final VarHandle SHORT_AT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle CHAR_AT = MethodHandles.byteArrayViewVarHandle(char[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT_AT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG_AT = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private static final byte T_NULL = 0, T_FALSE = 1, T_TRUE = 2, T_BYTE = 3, T_SHORT = 4, T_CHAR = 5, T_INT = 6,
            T_LONG = 7, T_FLOAT = 8, T_DOUBLE = 9, T_LATIN1 = 10, T_UTF16 = 11, T_BYTES = 12, T_LIST = 13, T_SET = 14,
            T_MAP = 15, T_ARRAY = 16, T_RECORD = 17, T_ENUM = 18, T_SLOT = 19, T_INTS = 20, T_LONGS = 21,
            T_DOUBLES = 22, T_FLOATS = 23, T_SHORTS = 24, T_CHARS = 25, T_BOOLEANS = 26;

    /**
     * A thread's staging array. A message is encoded into it with plain array stores and copied
     * into its entry in one bulk copy, and an entry is copied out in one bulk copy and decoded
     * from it: a byte-by-byte walk over the mapped segment pays a bounds and liveness check at
     * every byte, and the reader works on a private copy that no other process can change under
     * it. The array is lent to one encode or decode at a time: a record's accessor or
     * constructor (user code) may put or take on a channel in the middle of one, and that call
     * finds the array out on loan and makes its own.
     */
    private static final class Scratch {
        byte[] bytes = new byte[SCRATCH_BYTES];
    }

    private static final int SCRATCH_BYTES = 256;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static byte[] borrow(Scratch scratch, int atLeast) {
        byte[] bytes = scratch.bytes;
        scratch.bytes = null;
        return bytes != null && bytes.length >= atLeast ? bytes : new byte[Math.max(atLeast, SCRATCH_BYTES)];
    }

    /** Unwinds an encoding that does not fit or meets a type this encoding leaves to the heap. */
    private static final class NotFlat extends RuntimeException {
        NotFlat() {
            super(null, null, false, false);
        }
    }

    private static final NotFlat NOT_FLAT = new NotFlat();

    // ---- encoding ----

    /**
     * Writes {@code value} into {@code segment} from {@code at}, at most {@code limit} bytes;
     * returns the bytes written, or -1 if the value does not fit or is not flat (nothing is
     * written then).
     */
    static int encode(MemorySegment segment, long at, int limit, Object value) {
        // The messages most often sent alone (a Long, a short byte[]) take no writer and no
        // staging array: the same bytes, written here. (A lone string written here a byte at a
        // time measured slower than staged.)
        if (value instanceof Long v && limit >= LONG_BYTES) {
            return encodeLong(segment, at, v);
        }
        if (value instanceof byte[] bytes && bytes.length < 0x80 && limit >= 2 + bytes.length) {
            segment.set(ValueLayout.JAVA_BYTE, at, T_BYTES);
            segment.set(ValueLayout.JAVA_BYTE, at + 1, (byte) bytes.length); // a one-byte count
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, at + 2, bytes.length);
            return 2 + bytes.length;
        }
        return encodeGraph(segment, at, limit, value);
    }

    /** Bytes of a {@code long}'s short form: its tag, then its 8 bytes. */
    static final int LONG_BYTES = 1 + Long.BYTES;

    /** Writes {@code value} at {@code at} as {@link #encode} writes a {@code Long}: {@link #LONG_BYTES} bytes, which it returns. */
    static int encodeLong(MemorySegment segment, long at, long value) {
        segment.set(ValueLayout.JAVA_BYTE, at, T_LONG);
        segment.set(LONG, at + 1, value);
        return LONG_BYTES;
    }

    /** Whether the {@code length} bytes at {@code at} are a {@code long}'s short form. */
    static boolean isLong(MemorySegment segment, long at, int length) {
        return length == LONG_BYTES && segment.get(ValueLayout.JAVA_BYTE, at) == T_LONG;
    }

    /** The {@code long} of the short form at {@code at} ({@link #isLong}). */
    static long decodeLong(MemorySegment segment, long at) {
        return segment.get(LONG, at + 1);
    }

    /**
     * Whether {@link #encode} writes {@code value} in one of its short forms within
     * {@code limit} bytes (a {@code Long}, a {@code byte[]} of fewer than 128 bytes): a few
     * stores that cannot fail.
     */
    static boolean hasShortForm(Object value, int limit) {
        return value instanceof Long ? limit >= LONG_BYTES
                : value instanceof byte[] bytes && bytes.length < 0x80 && limit >= SHORT_BYTES_OFFSET + bytes.length;
    }

    /** {@link #encode} of what its fast paths leave, apart so that encode stays small enough to inline. */
    private static int encodeGraph(MemorySegment segment, long at, int limit, Object value) {
        Scratch scratch = SCRATCH.get();
        Writer writer = new Writer(borrow(scratch, 0), limit);
        try {
            writer.value(value, 0);
            MemorySegment.copy(writer.buffer, 0, segment, ValueLayout.JAVA_BYTE, at, writer.position);
            return writer.position;
        } catch (NotFlat e) {
            return -1;
        } finally {
            scratch.bytes = writer.buffer;
        }
    }

    /** Writes a value graph into a staging array, at most {@code end} bytes (the array grows as needed up to that). */
    private static final class Writer {
        private byte[] buffer;
        private int position;
        private final int end;

        Writer(byte[] buffer, int end) {
            this.buffer = buffer;
            this.end = end;
        }

        /** Takes {@code bytes} more: their index, or unwinds if they pass the end. */
        private int room(long bytes) {
            if (bytes > end - position) {
                throw NOT_FLAT;
            }
            int at = position;
            position = at + (int) bytes;
            if (position > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(end, Math.max(position, 2 * buffer.length)));
            }
            return at;
        }

        private void tag(byte tag) {
            buffer[room(1)] = tag;
        }

        /** A tag and the eight bytes of {@code bits}. */
        private void tagged8(byte tag, long bits) {
            int at = room(9);
            buffer[at] = tag;
            LONG_AT.set(buffer, at + 1, bits);
        }

        /** A tag and the four bytes of {@code bits}. */
        private void tagged4(byte tag, int bits) {
            int at = room(5);
            buffer[at] = tag;
            INT_AT.set(buffer, at + 1, bits);
        }

        private void count(long n) {
            while ((n & ~0x7FL) != 0) {
                buffer[room(1)] = (byte) ((n & 0x7F) | 0x80);
                n >>>= 7;
            }
            buffer[room(1)] = (byte) n;
        }

        private void bytes(byte[] bytes) {
            count(bytes.length);
            int at = room(bytes.length);
            System.arraycopy(bytes, 0, buffer, at, bytes.length);
        }

        /** A tag, a count and room for {@code n} elements of {@code size} bytes: the index of the room. */
        private int elements(byte tag, int n, long size) {
            tag(tag);
            count(n);
            return room(size * n);
        }

        void value(Object value, int depth) {
            if (depth > MAX_DEPTH) {
                throw NOT_FLAT;
            }
            // A shared object (a container view or a tensor) travels by reference, through the
            // heap: asked only in the branches such an object can reach (notFlatIfShared), since
            // an instanceof of an interface costs a scan of the class's supertypes, which the
            // boxes and strings of the first branches need not pay.
            // An if-chain, not a pattern switch: a switch over types is an invokedynamic whose
            // bootstrap tests the cases in a method handle the JIT does not inline here, and
            // measured at twice the time of these tests for a string or a list.
            if (value == null) {
                tag(T_NULL);
            } else if (value instanceof String s) {
                string(s);
            } else if (value instanceof Long v) {
                tagged8(T_LONG, v);
            } else if (value instanceof Integer v) {
                tagged4(T_INT, v);
            } else if (value instanceof Double v) {
                tagged8(T_DOUBLE, Double.doubleToRawLongBits(v));
            } else if (value instanceof byte[] b) {
                tag(T_BYTES);
                bytes(b);
            } else if (value instanceof Boolean v) {
                tag(v ? T_TRUE : T_FALSE);
            } else if (value instanceof Float v) {
                tagged4(T_FLOAT, Float.floatToRawIntBits(v));
            } else if (value instanceof Short v) {
                int at = room(3);
                buffer[at] = T_SHORT;
                SHORT_AT.set(buffer, at + 1, (short) v);
            } else if (value instanceof Byte v) {
                int at = room(2);
                buffer[at] = T_BYTE;
                buffer[at + 1] = v;
            } else if (value instanceof Character v) {
                int at = room(3);
                buffer[at] = T_CHAR;
                CHAR_AT.set(buffer, at + 1, (char) v);
            } else if (value instanceof Record r) {
                notFlatIfShared(r);
                record(r, depth);
            } else if (value instanceof List<?> list) {
                notFlatIfShared(list);
                sequence(T_LIST, list, depth);
            } else if (value instanceof Set<?> set) {
                notFlatIfShared(set);
                sequence(T_SET, set, depth);
            } else if (value instanceof Map<?, ?> map) {
                notFlatIfShared(map);
                tag(T_MAP);
                count(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    value(e.getKey(), depth + 1);
                    value(e.getValue(), depth + 1);
                }
            } else if (value instanceof Object[] array && array.getClass() == Object[].class) {
                sequence(T_ARRAY, Arrays.asList(array), depth);
            } else if (value instanceof Enum<?> e) {
                notFlatIfShared(e);
                StoredClasses.remember(e.getDeclaringClass());
                tag(T_ENUM);
                bytes(e.getDeclaringClass().getName().getBytes(StandardCharsets.UTF_8));
                bytes(e.name().getBytes(StandardCharsets.UTF_8));
            } else if (value.getClass().isArray()) {
                primitiveArray(value);
            } else {
                notFlatIfShared(value);
                SlotValue slot = new SlotValue();
                if (!ValueSlots.encodeInline(value, slot)) {
                    throw NOT_FLAT; // a shared object, a big number, a user class: the heap's
                }
                int at = room(17);
                buffer[at] = T_SLOT;
                INT_AT.set(buffer, at + 1, slot.kind);
                INT_AT.set(buffer, at + 5, slot.aux);
                LONG_AT.set(buffer, at + 9, slot.bits);
            }
        }

        /** A primitive array other than byte[], or unwinds (an array of objects other than Object[]: the heap's). */
        private void primitiveArray(Object value) {
            switch (value) {
                case int[] a -> {
                    int at = elements(T_INTS, a.length, INT.byteSize());
                    MemorySegment.copy(a, 0, MemorySegment.ofArray(buffer), INT, at, a.length);
                }
                case long[] a -> {
                    int at = elements(T_LONGS, a.length, LONG.byteSize());
                    MemorySegment.copy(a, 0, MemorySegment.ofArray(buffer), LONG, at, a.length);
                }
                case double[] a -> {
                    int at = elements(T_DOUBLES, a.length, DOUBLE.byteSize());
                    MemorySegment.copy(a, 0, MemorySegment.ofArray(buffer), DOUBLE, at, a.length);
                }
                case float[] a -> {
                    int at = elements(T_FLOATS, a.length, FLOAT.byteSize());
                    MemorySegment.copy(a, 0, MemorySegment.ofArray(buffer), FLOAT, at, a.length);
                }
                case short[] a -> {
                    int at = elements(T_SHORTS, a.length, SHORT.byteSize());
                    MemorySegment.copy(a, 0, MemorySegment.ofArray(buffer), SHORT, at, a.length);
                }
                case char[] a -> {
                    int at = elements(T_CHARS, a.length, CHAR.byteSize());
                    MemorySegment.copy(a, 0, MemorySegment.ofArray(buffer), CHAR, at, a.length);
                }
                case boolean[] a -> {
                    tag(T_BOOLEANS);
                    count(a.length);
                    int at = room(a.length);
                    for (int i = 0; i < a.length; i++) {
                        buffer[at + i] = (byte) (a[i] ? 1 : 0);
                    }
                }
                default -> throw NOT_FLAT;
            }
        }

        private void string(String s) {
            int n = s.length();
            if (n >= end - position) {
                throw NOT_FLAT; // a tag and n bytes at the least
            }
            int mark = position;
            tag(T_LATIN1);
            count(n);
            int at = room(n);
            byte[] out = buffer;
            // Checked and written in one pass: a char past Latin-1 sends the whole string back
            // to be written as UTF-16.
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c > 0xFF) {
                    position = mark;
                    utf16(s);
                    return;
                }
                out[at + i] = (byte) c;
            }
        }

        private void utf16(String s) {
            int n = s.length();
            tag(T_UTF16);
            count(n);
            int at = room(2L * n);
            byte[] out = buffer;
            for (int i = 0; i < n; i++) {
                CHAR_AT.set(out, at + 2 * i, s.charAt(i));
            }
        }

        private void sequence(byte tag, java.util.Collection<?> values, int depth) {
            tag(tag);
            count(values.size());
            for (Object element : values) {
                value(element, depth + 1);
            }
        }

        private void record(Record record, int depth) {
            RecordShape shape = shapeToWrite(record.getClass());
            if (shape == null) {
                throw NOT_FLAT;
            }
            tag(T_RECORD);
            bytes(shape.name);
            count(shape.accessors.length);
            MethodHandle[] accessors = shape.accessors;
            byte[] kinds = shape.kinds;
            for (int i = 0; i < accessors.length; i++) {
                byte kind = kinds[i];
                Object component = null;
                long bits = 0;
                try {
                    // A long, double or int component is read unboxed, and written as the same
                    // bytes its box would be.
                    switch (kind) {
                        case T_LONG -> bits = (long) accessors[i].invokeExact((Object) record);
                        case T_DOUBLE -> bits = Double.doubleToRawLongBits((double) accessors[i].invokeExact((Object) record));
                        case T_INT -> bits = (int) accessors[i].invokeExact((Object) record);
                        default -> component = (Object) accessors[i].invokeExact((Object) record);
                    }
                } catch (Throwable e) {
                    throw new IpcObjectsException("accessor of record " + record.getClass().getName() + " threw " + e, e);
                }
                switch (kind) {
                    case T_LONG, T_DOUBLE -> tagged8(kind, bits);
                    case T_INT -> tagged4(T_INT, (int) bits);
                    default -> value(component, depth + 1);
                }
            }
        }
    }

    /** A class name and its UTF-8 bytes; final fields, so a racy read of the cache sees a whole one. */
    private record CachedName(byte[] bytes, String name) {
    }

    /** Class names read lately, by a hash of their bytes: a record read in a loop makes no string for its class. */
    private static final CachedName[] NAMES = new CachedName[256];

    /**
     * The class name of {@code length} UTF-8 bytes at {@code at}, from the cache if the same bytes
     * were read before. The cache is indexed by a hash of the length and the first and last
     * eight bytes (two reads, not one per byte); a hit is confirmed by comparing every byte.
     */
    private static String className(byte[] bytes, int at, int length) {
        int index = nameCacheSlot(bytes, at, length);
        CachedName known = NAMES[index];
        if (known != null && Arrays.equals(bytes, at, at + length, known.bytes, 0, known.bytes.length)) {
            return known.name;
        }
        byte[] copy = Arrays.copyOfRange(bytes, at, at + length);
        String name = new String(copy, StandardCharsets.UTF_8);
        NAMES[index] = new CachedName(copy, name);
        return name;
    }

    /** The class-name cache's slot for the {@code length} bytes at {@code at} (package-private: tests make two names meet in one). */
    static int nameCacheSlot(byte[] bytes, int at, int length) {
        long hash = length;
        if (length >= Long.BYTES) {
            hash = hash * 31 + (long) LONG_AT.get(bytes, at);
            hash = hash * 31 + (long) LONG_AT.get(bytes, at + length - Long.BYTES);
        } else {
            for (int i = 0; i < length; i++) {
                hash = 31 * hash + bytes[at + i];
            }
        }
        return (int) ((hash * 0x9E3779B97F4A7C15L) >>> (64 - 8)) & (NAMES.length - 1);
    }

    /** Unwinds if {@code value} is a view of something in a region (a container, snapshot or tensor; live objects fall to the heap as no flat type). */
    private static void notFlatIfShared(Object value) {
        if (value instanceof ContainerView || value instanceof SharedTensor) {
            throw NOT_FLAT;
        }
    }

    /**
     * A record class's name in UTF-8, its accessors, the tag of each component read unboxed
     * ({@code T_LONG}, {@code T_DOUBLE}, {@code T_INT}; else 0: its accessor returns an Object)
     * and its canonical constructor (spread over an Object[]).
     */
    private record RecordShape(byte[] name, MethodHandle[] accessors, byte[] kinds, MethodHandle constructor) {
    }

    /** A record class and its shape; final fields, so a racy read sees a whole pair. */
    private record KnownShape(Class<?> type, RecordShape shape) {
    }

    /**
     * The record class last written and last read, with their shapes: a channel of records
     * meets one class again and again, and a compare of the class skips the two
     * {@code ClassValue} lookups (the shape, and the record of the classes this process
     * stored) that each record would cost. Racy by design: a stale pair is still a right one.
     */
    private static KnownShape lastWritten = new KnownShape(Void.class, null);
    private static KnownShape lastRead = new KnownShape(Void.class, null);

    /** The shape of the record class {@code type} to encode (null if it cannot be read back), noted as a class this process stored. */
    private static RecordShape shapeToWrite(Class<?> type) {
        KnownShape known = lastWritten;
        if (known.type == type) {
            return known.shape;
        }
        RecordShape shape = SHAPES.get(type);
        if (shape != null) {
            StoredClasses.remember(type);
            lastWritten = new KnownShape(type, shape);
        }
        return shape;
    }

    /** The shape of the record class {@code type} to decode, or null if it is not a record this encoding can build. */
    private static RecordShape shapeToRead(Class<?> type) {
        KnownShape known = lastRead;
        if (known.type == type) {
            return known.shape;
        }
        RecordShape shape = SHAPES.get(type);
        if (shape != null) {
            lastRead = new KnownShape(type, shape);
        }
        return shape;
    }

    private static final ClassValue<RecordShape> SHAPES = new ClassValue<>() {
        @Override
        protected RecordShape computeValue(Class<?> type) {
            if (!type.isRecord() || type.isHidden() || type.isAnonymousClass() || type.isLocalClass()) {
                return null;
            }
            try {
                RecordComponent[] components = type.getRecordComponents();
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
                MethodHandle[] accessors = new MethodHandle[components.length];
                Class<?>[] types = new Class<?>[components.length];
                byte[] kinds = new byte[components.length];
                for (int i = 0; i < components.length; i++) {
                    types[i] = components[i].getType();
                    kinds[i] = types[i] == long.class ? T_LONG : types[i] == double.class ? T_DOUBLE
                            : types[i] == int.class ? T_INT : 0;
                    Class<?> returned = kinds[i] == 0 ? Object.class : types[i];
                    accessors[i] = lookup.unreflect(components[i].getAccessor())
                            .asType(MethodType.methodType(returned, Object.class));
                }
                MethodHandle constructor = lookup.findConstructor(type, MethodType.methodType(void.class, types))
                        .asSpreader(Object[].class, components.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
                return new RecordShape(type.getName().getBytes(StandardCharsets.UTF_8), accessors, kinds, constructor);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // not open to this module: the heap's struct codec reports what is wrong
            }
        }
    };

    // ---- decoding ----

    /** Where a short {@code byte[]}'s bytes start in its encoding: after its tag and its one-byte count. */
    static final int SHORT_BYTES_OFFSET = 2;

    /**
     * The count of the bytes of a short {@code byte[]} (fewer than 128) that {@link #encode}
     * wrote in {@code length} bytes at {@code at}, which lie from {@link #SHORT_BYTES_OFFSET}
     * on; -1 if those bytes encode anything else.
     */
    static int shortBytesCount(MemorySegment segment, long at, int length) {
        return length >= SHORT_BYTES_OFFSET && segment.get(ValueLayout.JAVA_BYTE, at) == T_BYTES
                && segment.get(ValueLayout.JAVA_BYTE, at + 1) == length - SHORT_BYTES_OFFSET ? length - SHORT_BYTES_OFFSET : -1;
    }

    /** Reads the value of {@code length} bytes at {@code at}, loading only classes {@code classes} allows. */
    static Object decode(MemorySegment segment, long at, int length, StoredClasses classes) {
        // As encode, the messages most often sent alone (and a short Latin-1 string) are read
        // without a reader or staging array.
        if (isLong(segment, at, length)) {
            return decodeLong(segment, at);
        }
        int shortBytes = shortBytesCount(segment, at, length);
        if (shortBytes >= 0) {
            byte[] bytes = new byte[shortBytes];
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at + SHORT_BYTES_OFFSET, bytes, 0, shortBytes);
            return bytes;
        }
        if (length >= 2 && segment.get(ValueLayout.JAVA_BYTE, at) == T_LATIN1 && segment.get(ValueLayout.JAVA_BYTE, at + 1) == length - 2) {
            return latin1String(segment, at + 2, length - 2);
        }
        return decodeGraph(segment, at, length, classes);
    }

    /**
     * The string of the {@code n} Latin-1 bytes at {@code at}. The constructor that takes a high
     * byte makes each char from one byte, a small method the JIT inlines, where the
     * {@code Charset} constructor dispatches over every charset; with a high byte of 0 it is
     * exactly Latin-1 (its deprecation is about other encodings).
     */
    @SuppressWarnings("deprecation")
    private static String latin1String(byte[] bytes, int at, int n) {
        return new String(bytes, 0, at, n);
    }

    /** A lone short Latin-1 string, read without the staging array: its bytes straight into the array the string is made from. */
    private static String latin1String(MemorySegment segment, long at, int n) {
        byte[] bytes = new byte[n];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, bytes, 0, n);
        return latin1String(bytes, 0, n);
    }

    /** {@link #decode} of what its fast paths leave, apart so that decode stays small enough to inline. */
    private static Object decodeGraph(MemorySegment segment, long at, int length, StoredClasses classes) {
        Scratch scratch = SCRATCH.get();
        byte[] bytes = borrow(scratch, length);
        try {
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, bytes, 0, length);
            Reader reader = new Reader(bytes, length, at, classes);
            Object value = reader.value(0);
            if (reader.position != length) {
                throw new CorruptedRegionException("inline message of " + length + " bytes ends after " + reader.position, at);
            }
            return value;
        } finally {
            scratch.bytes = bytes;
        }
    }

    /** Reads a value graph from a private copy of an entry's bytes; every count is checked against the bytes left. */
    private static final class Reader {
        private final byte[] bytes;
        private int position;
        private final int end;
        /** Where the entry lies in the region, for the exceptions. */
        private final long regionAt;
        private final StoredClasses classes;

        Reader(byte[] bytes, int end, long regionAt, StoredClasses classes) {
            this.bytes = bytes;
            this.end = end;
            this.regionAt = regionAt;
            this.classes = classes;
        }

        private int take(long n) {
            if (n < 0 || n > end - position) {
                throw corrupt("runs past its end");
            }
            int at = position;
            position = at + (int) n;
            return at;
        }

        private CorruptedRegionException corrupt(String what) {
            return new CorruptedRegionException("inline message " + what, regionAt);
        }

        private int count(int unit) {
            long n = 0;
            for (int shift = 0; ; shift += 7) {
                if (shift > 28) {
                    throw corrupt("has a count that does not end");
                }
                byte b = bytes[take(1)];
                n |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    break;
                }
            }
            // Every element takes at least `unit` bytes: a count the bytes left cannot hold is a lie.
            if (n * unit > end - position) {
                throw corrupt("counts " + n + " elements in " + (end - position) + " bytes");
            }
            return (int) n;
        }

        private byte[] bytes() {
            int n = count(1);
            int at = take(n);
            return Arrays.copyOfRange(bytes, at, at + n);
        }

        /** Elements copied out of the bytes: a segment over them. */
        private MemorySegment elements() {
            return MemorySegment.ofArray(bytes);
        }

        private String latin1() {
            int n = count(1);
            return latin1String(bytes, take(n), n);
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw corrupt("nests deeper than " + MAX_DEPTH);
            }
            byte tag = bytes[take(1)];
            return switch (tag) {
                case T_NULL -> null;
                case T_FALSE -> false;
                case T_TRUE -> true;
                case T_BYTE -> bytes[take(1)];
                case T_SHORT -> (short) SHORT_AT.get(bytes, take(2));
                case T_CHAR -> (char) CHAR_AT.get(bytes, take(2));
                case T_INT -> (int) INT_AT.get(bytes, take(4));
                case T_LONG -> (long) LONG_AT.get(bytes, take(8));
                case T_FLOAT -> Float.intBitsToFloat((int) INT_AT.get(bytes, take(4)));
                case T_DOUBLE -> Double.longBitsToDouble((long) LONG_AT.get(bytes, take(8)));
                case T_LATIN1 -> latin1();
                case T_UTF16 -> {
                    int n = count(2);
                    char[] chars = new char[n];
                    MemorySegment.copy(elements(), CHAR, take(2L * n), chars, 0, n);
                    yield new String(chars);
                }
                case T_BYTES -> bytes();
                case T_LIST -> Collections.unmodifiableList(Arrays.asList(values(count(1), depth)));
                case T_SET -> Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(values(count(1), depth))));
                case T_MAP -> {
                    int n = count(2);
                    Map<Object, Object> map = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        map.put(value(depth + 1), value(depth + 1));
                    }
                    yield Collections.unmodifiableMap(map);
                }
                case T_ARRAY -> values(count(1), depth);
                case T_RECORD -> record(depth);
                case T_ENUM -> {
                    int length = count(1);
                    String name = className(bytes, take(length), length);
                    String constant = new String(bytes(), StandardCharsets.UTF_8);
                    Class<?> type = classes.loadEnum(name, regionAt);
                    yield enumConstant(type, constant);
                }
                case T_SLOT -> {
                    int at = take(16);
                    yield ValueSlots.decodeInline((int) INT_AT.get(bytes, at), (int) INT_AT.get(bytes, at + 4), (long) LONG_AT.get(bytes, at + 8), regionAt);
                }
                case T_INTS -> {
                    int n = count(4);
                    int[] a = new int[n];
                    MemorySegment.copy(elements(), INT, take(4L * n), a, 0, n);
                    yield a;
                }
                case T_LONGS -> {
                    int n = count(8);
                    long[] a = new long[n];
                    MemorySegment.copy(elements(), LONG, take(8L * n), a, 0, n);
                    yield a;
                }
                case T_DOUBLES -> {
                    int n = count(8);
                    double[] a = new double[n];
                    MemorySegment.copy(elements(), DOUBLE, take(8L * n), a, 0, n);
                    yield a;
                }
                case T_FLOATS -> {
                    int n = count(4);
                    float[] a = new float[n];
                    MemorySegment.copy(elements(), FLOAT, take(4L * n), a, 0, n);
                    yield a;
                }
                case T_SHORTS -> {
                    int n = count(2);
                    short[] a = new short[n];
                    MemorySegment.copy(elements(), SHORT, take(2L * n), a, 0, n);
                    yield a;
                }
                case T_CHARS -> {
                    int n = count(2);
                    char[] a = new char[n];
                    MemorySegment.copy(elements(), CHAR, take(2L * n), a, 0, n);
                    yield a;
                }
                case T_BOOLEANS -> {
                    int n = count(1);
                    boolean[] a = new boolean[n];
                    int at = take(n);
                    for (int i = 0; i < n; i++) {
                        a[i] = bytes[at + i] != 0;
                    }
                    yield a;
                }
                default -> throw corrupt("has unknown tag " + tag);
            };
        }

        private Object[] values(int n, int depth) {
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
                values[i] = value(depth + 1);
            }
            return values;
        }

        private Object record(int depth) {
            int length = count(1);
            String name = className(bytes, take(length), length);
            int n = count(1);
            Class<?> type = classes.load(name, regionAt);
            RecordShape shape = shapeToRead(type);
            if (shape == null || shape.accessors.length != n) {
                throw corrupt("holds " + n + " components for " + name + ", which is not a record of that many");
            }
            Object[] components = values(n, depth);
            try {
                return shape.constructor.invokeExact(components);
            } catch (ClassCastException | NullPointerException | java.lang.invoke.WrongMethodTypeException e) {
                throw corrupt("holds components that do not fit record " + name + ": " + e.getMessage());
            } catch (Throwable e) {
                throw new IpcObjectsException("the constructor of record " + name + " refused an inline message's components", e);
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Object enumConstant(Class<?> type, String constant) {
            try {
                return Enum.valueOf((Class) type, constant);
            } catch (IllegalArgumentException e) {
                throw corrupt("names constant " + constant + " that enum " + type.getName() + " does not have");
            }
        }
    }
}
