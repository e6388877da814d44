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
import java.lang.reflect.RecordComponent;
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

    private static final byte T_NULL = 0, T_FALSE = 1, T_TRUE = 2, T_BYTE = 3, T_SHORT = 4, T_CHAR = 5, T_INT = 6,
            T_LONG = 7, T_FLOAT = 8, T_DOUBLE = 9, T_LATIN1 = 10, T_UTF16 = 11, T_BYTES = 12, T_LIST = 13, T_SET = 14,
            T_MAP = 15, T_ARRAY = 16, T_RECORD = 17, T_ENUM = 18, T_SLOT = 19, T_INTS = 20, T_LONGS = 21,
            T_DOUBLES = 22, T_FLOATS = 23, T_SHORTS = 24, T_CHARS = 25, T_BOOLEANS = 26;

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
     * returns the bytes written, or -1 if the value does not fit or is not flat (the bytes
     * written so far are garbage then).
     */
    static int encode(MemorySegment segment, long at, int limit, Object value) {
        // The messages most often sent alone take no writer: the same bytes, written here.
        if (value instanceof Long v && limit >= 1 + Long.BYTES) {
            segment.set(ValueLayout.JAVA_BYTE, at, T_LONG);
            segment.set(LONG, at + 1, v);
            return 1 + Long.BYTES;
        }
        if (value instanceof byte[] bytes && bytes.length < 0x80 && limit >= 2 + bytes.length) {
            segment.set(ValueLayout.JAVA_BYTE, at, T_BYTES);
            segment.set(ValueLayout.JAVA_BYTE, at + 1, (byte) bytes.length); // a one-byte count
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, at + 2, bytes.length);
            return 2 + bytes.length;
        }
        Writer writer = new Writer(segment, at, at + limit);
        try {
            writer.value(value, 0);
        } catch (NotFlat e) {
            return -1;
        }
        return (int) (writer.position - at);
    }

    private static final class Writer {
        private final MemorySegment segment;
        private long position;
        private final long end;

        Writer(MemorySegment segment, long position, long end) {
            this.segment = segment;
            this.position = position;
            this.end = end;
        }

        private long room(long bytes) {
            if (bytes > end - position) {
                throw NOT_FLAT;
            }
            long at = position;
            position += bytes;
            return at;
        }

        private void tag(byte tag) {
            segment.set(ValueLayout.JAVA_BYTE, room(1), tag);
        }

        private void count(long n) {
            while ((n & ~0x7FL) != 0) {
                segment.set(ValueLayout.JAVA_BYTE, room(1), (byte) ((n & 0x7F) | 0x80));
                n >>>= 7;
            }
            segment.set(ValueLayout.JAVA_BYTE, room(1), (byte) n);
        }

        private void bytes(byte[] bytes) {
            count(bytes.length);
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, room(bytes.length), bytes.length);
        }

        void value(Object value, int depth) {
            if (depth > MAX_DEPTH) {
                throw NOT_FLAT;
            }
            // A shared object (a container view or a tensor) travels by reference, through the
            // heap: asked only in the branches such an object can reach (notFlatIfShared), since
            // an instanceof of an interface costs a scan of the class's supertypes, which the
            // boxes and strings of the first branches need not pay.
            switch (value) {
                case null -> tag(T_NULL);
                case Long v -> {
                    tag(T_LONG);
                    segment.set(LONG, room(8), v);
                }
                case Integer v -> {
                    tag(T_INT);
                    segment.set(INT, room(4), v);
                }
                case Double v -> {
                    tag(T_DOUBLE);
                    segment.set(DOUBLE, room(8), v);
                }
                case String s -> string(s);
                case byte[] b -> {
                    tag(T_BYTES);
                    bytes(b);
                }
                case Boolean v -> tag(v ? T_TRUE : T_FALSE);
                case Float v -> {
                    tag(T_FLOAT);
                    segment.set(FLOAT, room(4), v);
                }
                case Short v -> {
                    tag(T_SHORT);
                    segment.set(SHORT, room(2), v);
                }
                case Byte v -> {
                    tag(T_BYTE);
                    segment.set(ValueLayout.JAVA_BYTE, room(1), v);
                }
                case Character v -> {
                    tag(T_CHAR);
                    segment.set(CHAR, room(2), v);
                }
                case Record r -> {
                    notFlatIfShared(r);
                    record(r, depth);
                }
                case List<?> list -> {
                    notFlatIfShared(list);
                    sequence(T_LIST, list, depth);
                }
                case Set<?> set -> {
                    notFlatIfShared(set);
                    sequence(T_SET, set, depth);
                }
                case Map<?, ?> map -> {
                    notFlatIfShared(map);
                    tag(T_MAP);
                    count(map.size());
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        value(e.getKey(), depth + 1);
                        value(e.getValue(), depth + 1);
                    }
                }
                case Object[] array when array.getClass() == Object[].class -> sequence(T_ARRAY, Arrays.asList(array), depth);
                case Enum<?> e -> {
                    notFlatIfShared(e);
                    StoredClasses.remember(e.getDeclaringClass());
                    tag(T_ENUM);
                    bytes(e.getDeclaringClass().getName().getBytes(StandardCharsets.UTF_8));
                    bytes(e.name().getBytes(StandardCharsets.UTF_8));
                }
                case int[] a -> {
                    tag(T_INTS);
                    count(a.length);
                    MemorySegment.copy(a, 0, segment, INT, room(4L * a.length), a.length);
                }
                case long[] a -> {
                    tag(T_LONGS);
                    count(a.length);
                    MemorySegment.copy(a, 0, segment, LONG, room(8L * a.length), a.length);
                }
                case double[] a -> {
                    tag(T_DOUBLES);
                    count(a.length);
                    MemorySegment.copy(a, 0, segment, DOUBLE, room(8L * a.length), a.length);
                }
                case float[] a -> {
                    tag(T_FLOATS);
                    count(a.length);
                    MemorySegment.copy(a, 0, segment, FLOAT, room(4L * a.length), a.length);
                }
                case short[] a -> {
                    tag(T_SHORTS);
                    count(a.length);
                    MemorySegment.copy(a, 0, segment, SHORT, room(2L * a.length), a.length);
                }
                case char[] a -> {
                    tag(T_CHARS);
                    count(a.length);
                    MemorySegment.copy(a, 0, segment, CHAR, room(2L * a.length), a.length);
                }
                case boolean[] a -> {
                    tag(T_BOOLEANS);
                    count(a.length);
                    long at = room(a.length);
                    for (int i = 0; i < a.length; i++) {
                        segment.set(ValueLayout.JAVA_BYTE, at + i, (byte) (a[i] ? 1 : 0));
                    }
                }
                default -> {
                    notFlatIfShared(value);
                    SlotValue slot = new SlotValue();
                    if (!ValueSlots.encodeInline(value, slot)) {
                        throw NOT_FLAT; // a shared object, a big number, a user class: the heap's
                    }
                    tag(T_SLOT);
                    long at = room(16);
                    segment.set(INT, at, slot.kind);
                    segment.set(INT, at + 4, slot.aux);
                    segment.set(LONG, at + 8, slot.bits);
                }
            }
        }

        private void string(String s) {
            int n = s.length();
            long latin1Room = end - position - 1;
            if (n > latin1Room) {
                throw NOT_FLAT;
            }
            long mark = position;
            tag(T_LATIN1);
            count(n);
            long at = room(n);
            // Checked and written in one pass, with no array of the string's bytes: a char past
            // Latin-1 sends the whole string back to be written as UTF-16.
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c > 0xFF) {
                    position = mark;
                    utf16(s);
                    return;
                }
                segment.set(ValueLayout.JAVA_BYTE, at + i, (byte) c);
            }
        }

        private void utf16(String s) {
            int n = s.length();
            tag(T_UTF16);
            count(n);
            long at = room(2L * n);
            for (int i = 0; i < n; i++) {
                segment.set(CHAR, at + 2L * i, s.charAt(i));
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
            Class<?> type = record.getClass();
            RecordShape shape = SHAPES.get(type);
            if (shape == null) {
                throw NOT_FLAT;
            }
            StoredClasses.remember(type);
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
                    throw new IpcObjectsException("accessor of record " + type.getName() + " threw " + e, e);
                }
                switch (kind) {
                    case T_LONG, T_DOUBLE -> {
                        tag(kind);
                        segment.set(LONG, room(8), bits);
                    }
                    case T_INT -> {
                        tag(T_INT);
                        segment.set(INT, room(4), (int) bits);
                    }
                    default -> value(component, depth + 1);
                }
            }
        }
    }

    /** A class name and its UTF-8 bytes (as a segment, to compare with); final fields, so a racy read of the cache sees a whole one. */
    private record CachedName(MemorySegment bytes, String name) {
    }

    /** Class names read lately, by a hash of their bytes: a record read in a loop makes no string for its class. */
    private static final CachedName[] NAMES = new CachedName[256];

    /**
     * The class name of {@code length} UTF-8 bytes at {@code at}, from the cache if the same bytes
     * were read before. The cache is indexed by a hash of the length and the first and last
     * eight bytes (two reads, not one per byte); a hit is confirmed by comparing every byte.
     */
    private static String className(MemorySegment segment, long at, int length) {
        int index = nameCacheSlot(segment, at, length);
        CachedName known = NAMES[index];
        if (known != null && known.bytes.byteSize() == length
                && MemorySegment.mismatch(segment, at, at + length, known.bytes, 0, length) == -1) {
            return known.name;
        }
        byte[] bytes = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, bytes, 0, length);
        String name = new String(bytes, StandardCharsets.UTF_8);
        NAMES[index] = new CachedName(MemorySegment.ofArray(bytes), name);
        return name;
    }

    /** The class-name cache's slot for the {@code length} bytes at {@code at} (package-private: tests make two names meet in one). */
    static int nameCacheSlot(MemorySegment segment, long at, int length) {
        long hash = length;
        if (length >= Long.BYTES) {
            hash = hash * 31 + segment.get(LONG, at);
            hash = hash * 31 + segment.get(LONG, at + length - Long.BYTES);
        } else {
            for (int i = 0; i < length; i++) {
                hash = 31 * hash + segment.get(ValueLayout.JAVA_BYTE, at + i);
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

    /** Reads the value of {@code length} bytes at {@code at}, loading only classes {@code classes} allows. */
    static Object decode(MemorySegment segment, long at, int length, StoredClasses classes) {
        // As encode, the messages most often sent alone are read without a reader.
        if (length == 1 + Long.BYTES && segment.get(ValueLayout.JAVA_BYTE, at) == T_LONG) {
            return segment.get(LONG, at + 1);
        }
        if (length >= 2 && segment.get(ValueLayout.JAVA_BYTE, at) == T_BYTES && segment.get(ValueLayout.JAVA_BYTE, at + 1) == length - 2) {
            byte[] bytes = new byte[length - 2];
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at + 2, bytes, 0, bytes.length);
            return bytes;
        }
        Reader reader = new Reader(segment, at, at + length, classes);
        Object value = reader.value(0);
        if (reader.position != at + length) {
            throw new CorruptedRegionException("inline message of " + length + " bytes ends after "
                    + (reader.position - at), at);
        }
        return value;
    }

    /** Strings up to this many bytes are read through {@link #SCRATCH}. */
    private static final int SCRATCH_BYTES = 256;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);

    private static final class Reader {
        private final MemorySegment segment;
        private long position;
        private final long end;
        private final long start;
        private final StoredClasses classes;

        Reader(MemorySegment segment, long position, long end, StoredClasses classes) {
            this.segment = segment;
            this.position = position;
            this.start = position;
            this.end = end;
            this.classes = classes;
        }

        private long take(long bytes) {
            if (bytes < 0 || bytes > end - position) {
                throw corrupt("runs past its end");
            }
            long at = position;
            position += bytes;
            return at;
        }

        private CorruptedRegionException corrupt(String what) {
            return new CorruptedRegionException("inline message " + what, start);
        }

        private int count(int unit) {
            long n = 0;
            for (int shift = 0; ; shift += 7) {
                if (shift > 28) {
                    throw corrupt("has a count that does not end");
                }
                byte b = segment.get(ValueLayout.JAVA_BYTE, take(1));
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
            byte[] out = new byte[n];
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, take(n), out, 0, n);
            return out;
        }

        /**
         * A Latin-1 string: its bytes go through this thread's scratch array into the string,
         * which copies them, so a message of short strings makes one array per string, not two.
         */
        private String latin1() {
            int n = count(1);
            long at = take(n);
            byte[] scratch = n <= SCRATCH_BYTES ? SCRATCH.get() : new byte[n];
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, scratch, 0, n);
            return new String(scratch, 0, n, StandardCharsets.ISO_8859_1);
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw corrupt("nests deeper than " + MAX_DEPTH);
            }
            byte tag = segment.get(ValueLayout.JAVA_BYTE, take(1));
            return switch (tag) {
                case T_NULL -> null;
                case T_FALSE -> false;
                case T_TRUE -> true;
                case T_BYTE -> segment.get(ValueLayout.JAVA_BYTE, take(1));
                case T_SHORT -> segment.get(SHORT, take(2));
                case T_CHAR -> segment.get(CHAR, take(2));
                case T_INT -> segment.get(INT, take(4));
                case T_LONG -> segment.get(LONG, take(8));
                case T_FLOAT -> segment.get(FLOAT, take(4));
                case T_DOUBLE -> segment.get(DOUBLE, take(8));
                case T_LATIN1 -> latin1();
                case T_UTF16 -> {
                    int n = count(2);
                    char[] chars = new char[n];
                    MemorySegment.copy(segment, CHAR, take(2L * n), chars, 0, n);
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
                    String name = className(segment, take(length), length);
                    String constant = new String(bytes(), StandardCharsets.UTF_8);
                    Class<?> type = classes.loadEnum(name, start);
                    yield enumConstant(type, constant);
                }
                case T_SLOT -> {
                    long at = take(16);
                    yield ValueSlots.decodeInline(segment.get(INT, at), segment.get(INT, at + 4), segment.get(LONG, at + 8), start);
                }
                case T_INTS -> {
                    int n = count(4);
                    int[] a = new int[n];
                    MemorySegment.copy(segment, INT, take(4L * n), a, 0, n);
                    yield a;
                }
                case T_LONGS -> {
                    int n = count(8);
                    long[] a = new long[n];
                    MemorySegment.copy(segment, LONG, take(8L * n), a, 0, n);
                    yield a;
                }
                case T_DOUBLES -> {
                    int n = count(8);
                    double[] a = new double[n];
                    MemorySegment.copy(segment, DOUBLE, take(8L * n), a, 0, n);
                    yield a;
                }
                case T_FLOATS -> {
                    int n = count(4);
                    float[] a = new float[n];
                    MemorySegment.copy(segment, FLOAT, take(4L * n), a, 0, n);
                    yield a;
                }
                case T_SHORTS -> {
                    int n = count(2);
                    short[] a = new short[n];
                    MemorySegment.copy(segment, SHORT, take(2L * n), a, 0, n);
                    yield a;
                }
                case T_CHARS -> {
                    int n = count(2);
                    char[] a = new char[n];
                    MemorySegment.copy(segment, CHAR, take(2L * n), a, 0, n);
                    yield a;
                }
                case T_BOOLEANS -> {
                    int n = count(1);
                    boolean[] a = new boolean[n];
                    long at = take(n);
                    for (int i = 0; i < n; i++) {
                        a[i] = segment.get(ValueLayout.JAVA_BYTE, at + i) != 0;
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
            String name = className(segment, take(length), length);
            int n = count(1);
            Class<?> type = classes.load(name, start);
            RecordShape shape = SHAPES.get(type);
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
