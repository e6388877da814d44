package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.codec.StoredClasses;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The inline encoding at its edges: the lone {@code Long} and short {@code byte[]} that encode
 * and decode take without a writer or reader must give the bytes the general path gives, the
 * strings copied in bulk must keep every Latin-1 char, and a length that does not fit is refused.
 */
class FlatCodecTest {

    private static final int ROOM = 4096;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment segment = arena.allocate(ROOM);
    private final StoredClasses classes = new StoredClasses(name -> true);

    @AfterEach
    void close() {
        arena.close();
    }

    private Object roundTrip(Object value, int expectedLength) {
        int length = FlatCodec.encode(segment, 8, ROOM - 8, value);
        assertEquals(expectedLength, length, "encoded length of " + value);
        return FlatCodec.decode(segment, 8, length, classes);
    }

    @Test
    void aLoneLongIsItsTagAndEightBytes() {
        for (long v : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x1234_5678_9ABCL}) {
            assertEquals(v, roundTrip(v, 9));
            assertEquals(7, segment.get(ValueLayout.JAVA_BYTE, 8), "the long tag");
        }
        assertEquals(-1, FlatCodec.encode(segment, 0, 8, 5L), "nine bytes do not fit in eight");
        assertEquals(9, FlatCodec.encode(segment, 0, 9, 5L));
    }

    @Test
    void byteArraysKeepTheirCountEncodingAcrossTheOneByteLimit() {
        for (int n : new int[] {0, 1, 32, 126, 127}) {
            byte[] bytes = bytes(n);
            assertArrayEquals(bytes, (byte[]) roundTrip(bytes, 2 + n), "byte[" + n + "]");
            assertEquals(n, segment.get(ValueLayout.JAVA_BYTE, 9), "a one-byte count");
        }
        for (int n : new int[] {128, 129, 1000}) {
            byte[] bytes = bytes(n);
            assertArrayEquals(bytes, (byte[]) roundTrip(bytes, 3 + n), "byte[" + n + "]: a two-byte count");
        }
        assertEquals(-1, FlatCodec.encode(segment, 0, 33, new byte[32]), "34 bytes do not fit in 33");
        assertEquals(34, FlatCodec.encode(segment, 0, 34, new byte[32]));
        // Inside a list, the same array goes through the general writer: the same bytes.
        int alone = FlatCodec.encode(segment, 0, ROOM, bytes(100));
        MemorySegment first = segment.asSlice(0, alone);
        byte[] expected = first.toArray(ValueLayout.JAVA_BYTE);
        int inList = FlatCodec.encode(segment, 1000, ROOM - 1000, List.of(bytes(100)));
        assertEquals(alone + 2, inList);
        assertArrayEquals(expected, segment.asSlice(1002, alone).toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * A put writes a value of a short form between its claim and its commit, where it must not
     * fail: whatever {@code hasShortForm} accepts, {@code encode} writes whole within the limit,
     * and what it refuses is left to the general path.
     */
    @Test
    void aShortFormIsExactlyWhatEncodeWritesInAFewStores() {
        for (int limit : new int[] {8, 9, 10, 33, 34, 112, 129, 130, 4000}) {
            assertEquals(limit >= 9, FlatCodec.hasShortForm(7L, limit), "a Long within " + limit);
            if (FlatCodec.hasShortForm(7L, limit)) {
                assertEquals(9, FlatCodec.encode(segment, 0, limit, 7L));
            }
            for (int n : new int[] {0, 1, 32, 110, 127, 128, 200}) {
                boolean shortForm = FlatCodec.hasShortForm(bytes(n), limit);
                assertEquals(n < 128 && n + 2 <= limit, shortForm, "byte[" + n + "] within " + limit);
                if (shortForm) {
                    assertEquals(n + 2, FlatCodec.encode(segment, 0, limit, bytes(n)), "byte[" + n + "] within " + limit);
                    assertEquals(n, FlatCodec.shortBytesCount(segment, 0, n + 2), "read back in place");
                }
            }
        }
        assertFalse(FlatCodec.hasShortForm("a string", 4000), "strings take the general path");
        assertFalse(FlatCodec.hasShortForm(7, 4000), "an Integer takes the general path");
    }

    @Test
    void aByteArrayWhoseCountDisagreesWithItsLengthIsCorrupt() {
        int length = FlatCodec.encode(segment, 0, ROOM, bytes(40));
        segment.set(ValueLayout.JAVA_BYTE, 1, (byte) 39); // says one byte fewer than the entry holds
        assertThrows(CorruptedRegionException.class, () -> FlatCodec.decode(segment, 0, length, classes));
        segment.set(ValueLayout.JAVA_BYTE, 1, (byte) 41); // says one byte more
        assertThrows(CorruptedRegionException.class, () -> FlatCodec.decode(segment, 0, length, classes));
    }

    @Test
    void stringsKeepEveryChar() {
        StringBuilder latin1 = new StringBuilder();
        for (char c = 0; c <= 0xFF; c++) {
            latin1.append(c);
        }
        for (String s : new String[] {"", "a", "key1", latin1.toString(), "ünïcødé ✓", "\u0100", "a\uD83D\uDE00b"}) {
            int length = FlatCodec.encode(segment, 0, ROOM, s);
            assertTrue(length > 0, s);
            assertEquals(s, FlatCodec.decode(segment, 0, length, classes));
        }
        assertEquals(-1, FlatCodec.encode(segment, 0, 10, "x".repeat(10)), "a tag, a count and ten chars do not fit in ten");
    }

    @Test
    void stringsPastTheScratchArrayAndStringsThatTurnOutNotLatin1AreWholeAndFitTheirRoom() {
        for (int n : new int[] {255, 256, 257, 1000}) {
            String s = "x".repeat(n - 1) + (char) 0xE9;
            assertEquals(s, roundTrip(s, 1 + (n < 128 ? 1 : 2) + n), "a Latin-1 string of " + n + " chars");
        }
        // Written as Latin-1 until its last char, then again as UTF-16: two bytes a char.
        String late = "abcdefgh\u20AC";
        assertEquals(late, roundTrip(late, 2 + 2 * late.length()));
        assertEquals(-1, FlatCodec.encode(segment, 0, 2 + late.length(), late), "room for its Latin-1 bytes is not room for its chars");
        assertEquals(2 + 2 * late.length(), FlatCodec.encode(segment, 0, 2 + 2 * late.length(), late));
    }

    record Primitives(long id, double score, int count, String name, Long boxedId, Double boxedScore, Integer boxedCount) {
    }

    @Test
    void aRecordsPrimitiveComponentsAreTheBytesOfTheirBoxes() {
        Primitives record = new Primitives(-7L, 0.25, 42, "n", -7L, 0.25, 42);
        int length = FlatCodec.encode(segment, 0, ROOM, record);
        assertEquals(record, FlatCodec.decode(segment, 0, length, classes));
        // The components follow the class name and the count: the same bytes as a list of the boxes.
        int listLength = FlatCodec.encode(segment, 2048, ROOM - 2048, java.util.Arrays.asList(-7L, 0.25, 42, "n", -7L, 0.25, 42));
        byte[] components = segment.asSlice(length - (listLength - 2), listLength - 2).toArray(ValueLayout.JAVA_BYTE);
        byte[] boxes = segment.asSlice(2048 + 2, listLength - 2).toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(boxes, components);
        Primitives extremes = new Primitives(Long.MIN_VALUE, Double.NaN, Integer.MIN_VALUE, null, null, -0.0, null);
        assertEquals(extremes, FlatCodec.decode(segment, 0, FlatCodec.encode(segment, 0, ROOM, extremes), classes));
    }

    record Throwing(long id) {
        @Override
        public long id() {
            throw new IllegalStateException("accessor refused");
        }
    }

    @Test
    void aRecordWhoseAccessorThrowsIsRefusedNamingIt() {
        var e = assertThrows(io.ipcobjects.IpcObjectsException.class, () -> FlatCodec.encode(segment, 0, ROOM, new Throwing(1)));
        assertTrue(e.getMessage().contains(Throwing.class.getName()), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    record AlphaSameEnds(long value) {
    }

    record BravoSameEnds(long value) {
    }

    @Test
    void recordClassesWhoseNamesShareTheirLengthAndEndsAreToldApart() {
        // The same length and the same first and last eight bytes: one slot of the class-name
        // cache, so only the comparison of every byte tells the two apart.
        String alpha = AlphaSameEnds.class.getName();
        String bravo = BravoSameEnds.class.getName();
        assertEquals(alpha.length(), bravo.length());
        assertEquals(alpha.substring(0, 8), bravo.substring(0, 8));
        assertEquals(alpha.substring(alpha.length() - 8), bravo.substring(bravo.length() - 8));
        for (long i = 0; i < 3; i++) {
            for (Object record : List.of(new AlphaSameEnds(i), new BravoSameEnds(-i), new BravoSameEnds(i), new AlphaSameEnds(-i))) {
                int length = FlatCodec.encode(segment, 0, ROOM, record);
                assertTrue(length > 0, "flat: " + record);
                assertEquals(record, FlatCodec.decode(segment, 0, length, classes));
            }
        }
    }

    @Test
    void valuesShapedLikeTheFastPathsKeepTheirType() {
        // Nine bytes, as a lone Long: a tag and eight bytes of another type.
        assertEquals(2.5, roundTrip(2.5, 9));
        assertEquals(List.of(1L), FlatCodec.decode(segment, 8, FlatCodec.encode(segment, 8, ROOM - 8, List.of(1L)), classes));
        // A tag, a one-byte count and that many bytes, as a short byte[].
        assertEquals("abc", roundTrip("abc", 5));
        assertEquals("", roundTrip("", 2));
        assertArrayEquals(new long[] {1, 2}, (long[]) FlatCodec.decode(segment, 8, FlatCodec.encode(segment, 8, ROOM - 8, new long[] {1, 2}), classes));
    }

    record Short80(long value) {
    }

    record MuchLongerName1(long value) {
    }

    @Test
    void recordClassesOfDifferentLengthsInOneSlotOfTheNameCacheAreToldApart() {
        byte[] shorter = Short80.class.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] longer = MuchLongerName1.class.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(FlatCodec.nameCacheSlot(shorter, 0, shorter.length),
                FlatCodec.nameCacheSlot(longer, 0, longer.length),
                "the two names share a slot of the cache");
        for (long i = 0; i < 3; i++) {
            // The shorter one first: the cache then holds fewer bytes than the next name has.
            for (Object record : List.of(new Short80(i), new MuchLongerName1(i), new Short80(-i))) {
                int length = FlatCodec.encode(segment, 0, ROOM, record);
                assertTrue(length > 0, "flat: " + record);
                assertEquals(record, FlatCodec.decode(segment, 0, length, classes));
            }
        }
    }

    enum Suit { CLUBS, HEARTS }

    @Test
    void everyKindOfValueComesBackEqualAloneAndInsideAList() {
        java.util.Map<Object, Object> map = new java.util.LinkedHashMap<>();
        map.put("k", 3L);
        map.put(4, null);
        List<Object> values = java.util.Arrays.asList(null, false, true, (byte) -3, (short) -4, 'c', -6, -7L, 8.5f, -9.25,
                "latin-1 é", "not latin-1 \u2603", bytes(40), List.of(1L, "two"), java.util.Set.of("s"), map,
                new Object[] {"a", 1L, null}, new Primitives(1, 2, 3, "n", 4L, 5.0, 6), Suit.HEARTS,
                java.time.Instant.ofEpochSecond(5, 6), new int[] {1, -2}, new long[] {3, -4}, new double[] {0.5},
                new float[] {1.5f}, new short[] {7, -8}, new char[] {'x', '\u2603'}, new boolean[] {true, false, true});
        for (Object value : values) {
            int length = FlatCodec.encode(segment, 8, ROOM - 8, value);
            assertTrue(length > 0, "flat: " + value);
            assertTrue(java.util.Objects.deepEquals(value, FlatCodec.decode(segment, 8, length, classes)), "round trip of " + value);
        }
        int length = FlatCodec.encode(segment, 8, ROOM - 8, values);
        List<?> back = (List<?>) FlatCodec.decode(segment, 8, length, classes);
        assertEquals(values.size(), back.size());
        for (int i = 0; i < values.size(); i++) {
            assertTrue(java.util.Objects.deepEquals(values.get(i), back.get(i)), "element " + i + ": " + values.get(i));
        }
    }

    @Test
    void theEncodingIsTheDocumentedBytes() {
        // list := 13, count, values; Latin-1 string := 10, n, bytes; long := 7, 8 bytes; short := 4, 2 bytes; true := 2
        int length = FlatCodec.encode(segment, 0, ROOM, List.of("ab", 1L, (short) 2, true));
        java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.nativeOrder());
        expected.put((byte) 13).put((byte) 4).put((byte) 10).put((byte) 2).put((byte) 'a').put((byte) 'b')
                .put((byte) 7).putLong(1L).put((byte) 4).putShort((short) 2).put((byte) 2);
        assertEquals(expected.position(), length);
        assertArrayEquals(java.util.Arrays.copyOf(expected.array(), length), segment.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
    }

    /** Runs {@link #during} once, from inside an accessor or a constructor. */
    private static Runnable during;

    private static void runDuring() {
        Runnable hook = during;
        during = null;
        if (hook != null) {
            hook.run();
        }
    }

    record Reentrant(String name) {
        Reentrant {
            runDuring();
        }

        @Override
        public String name() {
            runDuring();
            return name;
        }
    }

    record Holder(Reentrant inner, String after, List<String> tags) {
    }

    @Test
    void anAccessorOrConstructorThatEncodesOrDecodesAnotherMessageMidwayLeavesTheFirstWhole() {
        Holder holder = new Holder(new Reentrant("inner name"), "the string after", List.of("x", "y"));
        List<String> other = List.of("another message, long enough to cover the first one's bytes".repeat(3));
        try (Arena second = Arena.ofConfined()) {
            MemorySegment elsewhere = second.allocate(ROOM);
            // An accessor that puts another message while this one is being encoded.
            during = () -> assertTrue(FlatCodec.encode(elsewhere, 0, ROOM, other) > 0);
            int length = FlatCodec.encode(segment, 0, ROOM, holder);
            assertNull(during, "the accessor ran");
            int otherLength = FlatCodec.encode(elsewhere, 0, ROOM, other);
            // A constructor that takes another message while this one is being decoded.
            Object[] inside = new Object[1];
            during = () -> inside[0] = FlatCodec.decode(elsewhere, 0, otherLength, classes);
            assertEquals(holder, FlatCodec.decode(segment, 0, length, classes));
            assertEquals(other, inside[0]);
        } finally {
            during = null;
        }
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }
}
