package io.ipcobjects.internal.inspect;

import static io.ipcobjects.internal.memory.RegionHeaderLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.ProcessStats;
import io.ipcobjects.internal.channels.ChannelLayout;
import io.ipcobjects.internal.channels.RingInspection;
import io.ipcobjects.internal.channels.RingLayout;
import io.ipcobjects.internal.channels.TensorRingLayout;
import io.ipcobjects.internal.memory.ProcessTable;
import io.ipcobjects.RegionReport;
import io.ipcobjects.RegionReport.LockHolder;
import io.ipcobjects.RegionReport.LockReport;
import io.ipcobjects.RegionReport.Liveness;
import io.ipcobjects.RegionReport.NamedObject;
import io.ipcobjects.RegionReport.ProcessEntry;
import io.ipcobjects.RegionReport.State;
import io.ipcobjects.internal.alloc.AllocatorLayout;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.lock.LockLayout;
import io.ipcobjects.internal.memory.ProcessCounters;
import io.ipcobjects.internal.memory.ProcessTableLayout;
import io.ipcobjects.internal.memory.ReadOnlyRegion;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.messages.MessageQueueLayout;
import io.ipcobjects.internal.names.NameDirectoryLayout;
import io.ipcobjects.internal.structs.ObjectLayout;
import io.ipcobjects.internal.structs.StructLayout;
import io.ipcobjects.internal.structs.TypeRegistryLayout;
import io.ipcobjects.internal.tensor.TensorHeader;
import io.ipcobjects.internal.verify.RegionVerifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The read-only inspector behind {@code SharedMemory.inspect}, {@code verifyReadOnly} and
 * {@code findRegions}: reads a region from outside, through a {@link ReadOnlyRegion} (a
 * read-only mapping, no process-table slot, no lock, no write).
 *
 * <h2>Overview</h2>
 * Nobody's lock is held while this reads, so any word may change between two reads, and a
 * hostile file may hold anything. So:
 * <ul>
 *   <li>words that writers publish for lock-free readers (state, damage, slot words, the lock
 *       word, the message count, the roots) are read with acquire or volatile access; heap
 *       words are validated before they are followed;</li>
 *   <li>every walk is bounded by the heap, never by a count read from the region: the heap
 *       walk moves at least a minimum block per step, the name chains and the type registry
 *       visit each block once, and a process-table slot is re-read at most a few times;</li>
 *   <li>a part that cannot be read consistently becomes a note in the report, and the rest is
 *       still reported; only a file that is not a readable region at all throws;</li>
 *   <li>liveness is the kernel's: {@code F_OFD_GETLK} on a slot's lock byte, a test that does
 *       not take the lock.</li>
 * </ul>
 */
public final class RegionInspection {
    private RegionInspection() {
    }

    /** How often a process-table slot that changed under the reader is read again before it is noted. */
    private static final int SLOT_READ_ATTEMPTS = 4;

    /**
     * Reads the region at {@code path} without attaching.
     *
     * @throws io.ipcobjects.RegionNotFoundException     no file there
     * @throws io.ipcobjects.IncompatibleRegionException not a region this build reads
     * @throws CorruptedRegionException                 a read faulted (the file shrank under the mapping)
     */
    public static RegionReport inspect(Path path) {
        Instant at = Instant.now();
        try (ReadOnlyRegion region = ReadOnlyRegion.open(path)) {
            try {
                return read(region, at);
            } catch (InternalError e) {
                throw shrank(region, e);
            }
        }
    }

    /**
     * Runs the region verifier ({@link RegionVerifier}) over a read-only mapping of the region at
     * {@code path}, without the lock.
     *
     * @return the heap's counters, as the verifier counted them
     * @throws CorruptedRegionException what the verifier found, or that the region changed while it read
     */
    public static HeapStats verify(Path path) {
        try (ReadOnlyRegion region = ReadOnlyRegion.open(path)) {
            RegionMemory memory = region.memory();
            try {
                HeapAllocator allocator = new HeapAllocator(memory);
                return RegionVerifier.verify(RegionContext.forReading(memory, allocator, path));
            } catch (CorruptedRegionException e) {
                throw e;
            } catch (InternalError e) {
                throw shrank(region, e);
            } catch (RuntimeException e) {
                // Bounds checks of the JDK and the like: a word changed between its check and its use.
                CorruptedRegionException changed = new CorruptedRegionException("region " + path + " changed while it"
                        + " was verified without the lock, or is damaged: " + e, 0);
                changed.initCause(e);
                throw changed;
            }
        }
    }

    /**
     * The region files directly in {@code directory}, by name: regular files (links are not
     * followed) that start with the region magic. Nothing is attached, mapped or locked.
     *
     * @throws IllegalArgumentException {@code directory} is not a directory
     * @throws UncheckedIOException     it cannot be listed
     */
    public static List<Path> findRegions(Path directory) {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("not a directory: " + directory);
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().filter(ReadOnlyRegion::hasRegionMagic).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    // ---- the report ----

    private static RegionReport read(ReadOnlyRegion region, Instant at) {
        RegionMemory memory = region.memory();
        List<String> notes = new ArrayList<>();
        int damageCode = memory.getIntAcquire(DAMAGE_OFFSET);
        String damage = damageCode == DAMAGE_NONE ? null : damageName(damageCode);
        State state = switch (memory.getIntAcquire(STATE_OFFSET)) {
            case STATE_NONE, STATE_INITIALIZING -> State.INITIALIZING;
            case STATE_READY -> State.READY;
            case STATE_CLOSING -> State.CLOSING;
            default -> State.UNKNOWN;
        };
        if (state == State.UNKNOWN) {
            notes.add("the header has unknown state " + memory.getIntAcquire(STATE_OFFSET));
        }
        HeapAllocator stampReader = allocator(memory, new ArrayList<>());
        java.util.Map<Integer, long[]> held = stampReader == null ? java.util.Map.of()
                : part("objects held", () -> heldByStamp(stampReader), java.util.Map.<Integer, long[]>of(), notes);
        List<ProcessEntry> processes = processes(region, memory, held, notes);
        LockReport lock = lock(region, memory, notes);
        long messages = memory.getLongAcquire(MessageQueueLayout.COUNT_OFFSET);

        HeapStats heap = null;
        List<NamedObject> names = List.of();
        List<String> types = List.of();
        HeapAllocator allocator = allocator(memory, notes);
        if (allocator != null) {
            long maxNodes = (allocator.heapEnd() - allocator.heapStart()) / MessageQueueLayout.MIN_NODE_FOOTPRINT + 1;
            if (messages < 0 || messages > maxNodes) {
                notes.add("the message count " + messages + " cannot be right for this heap");
            }
            RegionContext context = RegionContext.forReading(memory, allocator, region.path());
            heap = part("heap", () -> heap(memory, allocator, notes), null, notes);
            List<ProcessEntry> attached = processes;
            names = part("names", () -> names(context, attached, notes), List.of(), notes);
            types = part("type registry", () -> registeredTypes(memory, allocator, notes), List.of(), notes);
        }
        return new RegionReport(region.path(), at, memory.size(), memory.getInt(LAYOUT_VERSION_OFFSET), state, damage,
                memory.getLong(CREATOR_PID_OFFSET), Instant.ofEpochMilli(memory.getLong(CREATED_AT_MILLIS_OFFSET)),
                region.presenceLocked(), processes, lock, heap, messages, names, types, notes);
    }

    /** The heap's allocator over its checked bounds, or null (and a note) if they do not fit the region. */
    private static HeapAllocator allocator(RegionMemory memory, List<String> notes) {
        try {
            return new HeapAllocator(memory);
        } catch (CorruptedRegionException e) {
            notes.add("heap: " + e.getMessage());
            return null;
        }
    }

    /**
     * One part of the report. The parts note what they find inconsistent themselves; anything
     * else thrown while reading a region that changes underneath (a bounds check of the JDK on a
     * word that changed between its check and its use, say) also becomes a note, so one part
     * that could not be read does not cost the rest of the report.
     */
    private static <T> T part(String name, Supplier<T> reader, T fallback, List<String> notes) {
        try {
            return reader.get();
        } catch (CorruptedRegionException e) {
            notes.add(name + ": " + e.getMessage());
        } catch (RuntimeException e) {
            notes.add(name + ": could not be read (changing while read, or damaged): " + e);
        }
        return fallback;
    }

    // ---- processes ----

    private static ProcessStats stats(long[] c, long[] held) {
        return new ProcessStats(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], held[0], held[1]);
    }

    /** Objects and bytes held per owner stamp, from a walk of the block headers (bounded by the heap). */
    private static java.util.Map<Integer, long[]> heldByStamp(HeapAllocator allocator) {
        java.util.Map<Integer, long[]> held = new java.util.HashMap<>();
        allocator.forEachStamp((stamp, bytes) -> {
            long[] counts = held.computeIfAbsent(stamp, s -> new long[2]);
            counts[0]++;
            counts[1] += bytes;
        });
        return held;
    }

    private static List<ProcessEntry> processes(ReadOnlyRegion region, RegionMemory memory, java.util.Map<Integer, long[]> held,
                                                List<String> notes) {
        List<ProcessEntry> entries = new ArrayList<>();
        for (int slot = 0; slot < ProcessTableLayout.SLOT_COUNT; slot++) {
            ProcessEntry entry = null;
            boolean settled = false;
            for (int attempt = 0; attempt < SLOT_READ_ATTEMPTS && !settled; attempt++) {
                long base = ProcessTableLayout.slotOffset(slot);
                long word = memory.getLongVolatile(base + ProcessTableLayout.SLOT_WORD_OFFSET);
                int state = ProcessTableLayout.state(word);
                if (state == ProcessTableLayout.STATE_FREE) {
                    settled = true;
                    entry = null;
                    continue;
                }
                // A holder locks its byte before it publishes ATTACHED and unlocks only after freeing
                // the word: the word read again after the lock test says whether the two agree.
                boolean locked = region.slotLocked(slot);
                Liveness liveness = !locked ? Liveness.DEAD
                        : state == ProcessTableLayout.STATE_ATTACHED ? Liveness.ALIVE : Liveness.ATTACHING;
                entry = new ProcessEntry(slot, ProcessTableLayout.generation(word),
                        memory.getLong(base + ProcessTableLayout.PID_OFFSET),
                        memory.getLong(base + ProcessTableLayout.START_TICKS_OFFSET),
                        memory.getLong(base + ProcessTableLayout.PID_NAMESPACE_OFFSET),
                        roleName(memory.getInt(base + ProcessTableLayout.ROLE_OFFSET)),
                        Instant.ofEpochMilli(memory.getLong(base + ProcessTableLayout.ATTACHED_AT_MILLIS_OFFSET)), liveness,
                        stats(ProcessCounters.read(memory, slot), held.getOrDefault(
                                ProcessTable.claimId(ProcessTableLayout.token(slot, ProcessTableLayout.generation(word))),
                                new long[2])));
                settled = memory.getLongVolatile(base + ProcessTableLayout.SLOT_WORD_OFFSET) == word;
            }
            if (!settled) {
                notes.add("process-table slot " + slot + " kept changing while it was read");
            }
            if (entry != null) {
                entries.add(entry);
            }
        }
        return entries;
    }

    private static String roleName(int role) {
        return switch (role) {
            case ProcessTableLayout.ROLE_CREATOR -> "creator";
            case ProcessTableLayout.ROLE_CONSUMER -> "consumer";
            default -> "unknown";
        };
    }

    // ---- the lock ----

    private static LockReport lock(ReadOnlyRegion region, RegionMemory memory, List<String> notes) {
        long word = memory.getLongVolatile(LockLayout.LOCK_WORD_OFFSET);
        return new LockReport(holder(region, memory, LockLayout.owner(word), "owner", notes),
                holder(region, memory, LockLayout.successor(word), "successor", notes),
                memory.getLongVolatile(LockLayout.TAKEOVERS_OFFSET));
    }

    /** The process a 32-bit lock token names, or null for 0 (nobody). */
    private static LockHolder holder(ReadOnlyRegion region, RegionMemory memory, long lockToken, String role,
                                     List<String> notes) {
        if (lockToken == 0) {
            return null;
        }
        int slot = LockLayout.lockTokenSlot(lockToken);
        if (slot < 0 || slot >= ProcessTableLayout.SLOT_COUNT) {
            notes.add("the lock's " + role + " names slot " + slot + ", outside the process table");
            return new LockHolder(slot, 0, false);
        }
        long base = ProcessTableLayout.slotOffset(slot);
        long slotWord = memory.getLongVolatile(base + ProcessTableLayout.SLOT_WORD_OFFSET);
        boolean current = ProcessTableLayout.state(slotWord) == ProcessTableLayout.STATE_ATTACHED
                && (ProcessTableLayout.generation(slotWord) & LockLayout.GENERATION_MASK) == LockLayout.lockTokenGeneration(lockToken);
        long pid = current ? memory.getLong(base + ProcessTableLayout.PID_OFFSET) : 0;
        return new LockHolder(slot, pid, current && region.slotLocked(slot));
    }

    // ---- the heap ----

    /**
     * Walks the heap by block headers, in address order: every step moves at least a minimum
     * block and stays inside the heap, so the walk ends whatever the headers say. Null (and a
     * note) if a header does not fit: the heap is damaged, or a block was being split or merged.
     */
    private static HeapStats heap(RegionMemory memory, HeapAllocator allocator, List<String> notes) {
        long usedBytes = 0;
        long usedBlocks = 0;
        long freeBytes = 0;
        long freeBlocks = 0;
        long largest = 0;
        long heapEnd = allocator.heapEnd();
        for (long block = allocator.heapStart(); block < heapEnd; ) {
            long sizeFlags = memory.getLongAcquire(block + BlockLayout.SIZE_FLAGS_OFFSET);
            long size = BlockLayout.size(sizeFlags);
            if (size < BlockLayout.MIN_BLOCK_BYTES || size > heapEnd - block) {
                notes.add("heap walk stopped at offset " + block + ": a block of " + size + " bytes does not fit the heap"
                        + " (damaged, or being changed while read)");
                return null;
            }
            if (BlockLayout.inUse(sizeFlags)) {
                usedBytes += size;
                usedBlocks++;
            } else {
                freeBytes += size;
                freeBlocks++;
                largest = Math.max(largest, size);
            }
            block += size;
        }
        long keptUsed = memory.getLongAcquire(AllocatorLayout.USED_BYTES_OFFSET);
        long keptFree = memory.getLongAcquire(AllocatorLayout.FREE_BYTES_OFFSET);
        if (keptUsed != usedBytes || keptFree != freeBytes) {
            notes.add("the allocator's counters (" + keptUsed + " bytes used, " + keptFree + " free) differ from the heap"
                    + " walk: the heap was being changed while read, or is damaged");
        }
        return new HeapStats(heapEnd - allocator.heapStart(), usedBytes, usedBlocks, freeBytes, freeBlocks,
                largest);
    }

    // ---- names ----

    private static List<NamedObject> names(RegionContext context, List<ProcessEntry> processes, List<String> notes) {
        RegionMemory memory = context.memory();
        HeapAllocator allocator = context.allocator();
        long directory = memory.getLongAcquire(ROOT_NAME_DIRECTORY_OFFSET);
        if (directory == 0) {
            return List.of();
        }
        List<NamedObject> names = new ArrayList<>();
        try {
            long capacity = allocator.checkBlock(directory, BlockTypes.NAME_DIRECTORY);
            long buckets = memory.getLong(directory + NameDirectoryLayout.BUCKET_COUNT_OFFSET);
            if (buckets < NameDirectoryLayout.INITIAL_BUCKETS || buckets > NameDirectoryLayout.MAX_BUCKETS
                    || Long.bitCount(buckets) != 1 || NameDirectoryLayout.directoryBytes(buckets) > capacity) {
                notes.add("names: the directory has " + buckets + " buckets in a block of " + capacity + " bytes");
                return List.of();
            }
            Set<Long> seen = new HashSet<>();
            for (long index = 0; index < buckets; index++) {
                long entry = memory.getLongAcquire(directory + NameDirectoryLayout.bucketOffset(index));
                while (entry != 0) {
                    if (!seen.add(entry)) {
                        notes.add("names: the chain of bucket " + index + " comes back to entry " + entry);
                        break;
                    }
                    try {
                        names.add(entry(context, entry, processes, notes));
                    } catch (CorruptedRegionException e) {
                        notes.add("names: bucket " + index + ": " + e.getMessage());
                        break;
                    }
                    entry = memory.getLongAcquire(entry + NameDirectoryLayout.NEXT_OFFSET);
                }
            }
        } catch (CorruptedRegionException e) {
            notes.add("names: " + e.getMessage());
        }
        names.sort(Comparator.comparing(NamedObject::name));
        return names;
    }

    /**
     * For a channel of one producer ({@link ChannelLayout#PRODUCERS_ONE}), who holds its seat, so
     * that a put refused for another producer can be traced to its process; nothing for a
     * channel of many producers. The seat word names an attachment by its claim id; it is matched
     * against the process table as read for this report, and an attachment no longer in the table
     * has left the seat free to take.
     */
    private static String producers(RegionMemory memory, long channel, List<ProcessEntry> processes) {
        int producers = memory.getInt(channel + ChannelLayout.PRODUCERS_OFFSET);
        if (producers == ChannelLayout.PRODUCERS_MANY) {
            return "";
        }
        if (producers != ChannelLayout.PRODUCERS_ONE) {
            return ", unknown producers word " + producers;
        }
        long seat = memory.getLongVolatile(channel + ChannelLayout.PRODUCER_SEAT_OFFSET);
        if (seat == 0) {
            return ", one producer, seat free";
        }
        int claim = (int) seat;
        for (ProcessEntry process : processes) {
            if (ProcessTable.claimId(ProcessTableLayout.token(process.slot(), process.generation())) == claim) {
                return ", one producer, seat held by pid " + process.pid() + (process.liveness() == Liveness.DEAD
                        ? " (dead: free to take)" : " (" + process.liveness().name().toLowerCase(java.util.Locale.ROOT) + ")");
            }
        }
        return ", one producer, seat left by a closed attachment (free to take)";
    }

    /** One name entry, checked: its block, its name's length; its value described. */
    private static NamedObject entry(RegionContext context, long entry, List<ProcessEntry> processes, List<String> notes) {
        RegionMemory memory = context.memory();
        long capacity = context.allocator().checkBlock(entry, BlockTypes.NAME_ENTRY);
        int length = memory.getInt(entry + NameDirectoryLayout.NAME_LENGTH_OFFSET);
        if (length < 1 || length > NameDirectoryLayout.MAX_NAME_BYTES || NameDirectoryLayout.entryBytes(length) > capacity) {
            throw new CorruptedRegionException("name entry " + entry + " has a name of " + length + " bytes",
                    entry + NameDirectoryLayout.NAME_LENGTH_OFFSET);
        }
        String name = new String(memory.slice(entry + NameDirectoryLayout.NAME_OFFSET, length).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.UTF_8);
        return describe(context, name, entry + NameDirectoryLayout.VALUE_SLOT_OFFSET, processes, notes);
    }

    /** What the value slot at {@code slot} holds, without building the value; an unreadable one is also noted. */
    private static NamedObject describe(RegionContext context, String name, long slot, List<ProcessEntry> processes,
                                        List<String> notes) {
        RegionMemory memory = context.memory();
        HeapAllocator allocator = context.allocator();
        int kind = memory.getInt(slot + SlotLayout.KIND_OFFSET);
        long bits = memory.getLong(slot + SlotLayout.BITS_OFFSET);
        try {
            if (SlotKinds.isInline(kind)) {
                return new NamedObject(name, kindName(kind), null, List.of(), 0);
            }
            return switch (kind) {
                case SlotKinds.TENSOR -> {
                    TensorHeader header = TensorHeader.read(context, bits);
                    List<Long> shape = new ArrayList<>(header.rank());
                    for (long dimension : header.shape()) {
                        shape.add(dimension);
                    }
                    yield new NamedObject(name, "SharedTensor", header.dtype(), shape, header.spanBytes());
                }
                case SlotKinds.STRUCT -> {
                    long bytes = allocator.checkBlock(bits, BlockTypes.VALUE_STRUCT);
                    String type = typeName(memory, allocator, memory.getLong(bits + StructLayout.DESCRIPTOR_OFFSET));
                    yield new NamedObject(name, type, null, List.of(), bytes);
                }
                case SlotKinds.CHANNEL -> {
                    long bytes = allocator.checkBlock(bits, BlockTypes.CHANNEL);
                    int capacity = memory.getInt(bits + ChannelLayout.RING_OFFSET + RingLayout.CAPACITY_OFFSET);
                    int waiting = RingInspection.channelWaiting(memory, bits, bytes);
                    long typeBlob = memory.getLong(bits + ChannelLayout.TYPE_NAME_OFFSET);
                    String type = typeBlob == 0 ? "Object" : io.ipcobjects.internal.codec.Blobs.utf8(context, typeBlob);
                    yield new NamedObject(name, "Channel<" + type + "> " + Math.max(0, Math.min(capacity, waiting)) + "/"
                            + capacity + " waiting" + producers(memory, bits, processes), null, List.of(), bytes);
                }
                case SlotKinds.TENSOR_RING -> {
                    long bytes = allocator.checkBlock(bits, BlockTypes.TENSOR_RING);
                    int slots = memory.getInt(bits + TensorRingLayout.SLOT_COUNT_OFFSET);
                    int parts = memory.getInt(bits + TensorRingLayout.SPEC_COUNT_OFFSET);
                    if (slots < 1 || slots > TensorRingLayout.MAX_SLOTS || parts < 1 || parts > TensorRingLayout.MAX_PARTS) {
                        throw new CorruptedRegionException("tensor ring of " + slots + " slots and " + parts + " parts", bits);
                    }
                    int published = RingInspection.tensorRingPublished(memory, bits, bytes, parts, slots);
                    yield new NamedObject(name, "TensorRing of " + slots + " slots x " + parts + " tensors, "
                            + Math.max(0, Math.min(slots, published)) + " published", null, List.of(), bytes);
                }
                case SlotKinds.OBJECT -> {
                    long bytes = allocator.checkBlock(bits, BlockTypes.SHARED_OBJECT);
                    String type = typeName(memory, allocator, memory.getLong(bits + ObjectLayout.TYPE_ENTRY_OFFSET));
                    yield new NamedObject(name, "live " + type, null, List.of(), bytes);
                }
                default -> {
                    int tag = blockTag(kind);
                    if (tag == 0) {
                        yield new NamedObject(name, "unknown value kind " + kind, null, List.of(), 0);
                    }
                    yield new NamedObject(name, kindName(kind), null, List.of(), allocator.checkBlock(bits, tag));
                }
            };
        } catch (CorruptedRegionException e) {
            notes.add("names: the value of \"" + name + "\" is unreadable: " + e.getMessage());
            return new NamedObject(name, "unreadable", null, List.of(), 0);
        }
    }

    /** The block tag a slot kind's offset must point at, or 0 for a kind this reader does not know. */
    private static int blockTag(int kind) {
        if (SlotKinds.isBlob(kind)) {
            return BlockTypes.VALUE_BLOB;
        }
        return switch (kind) {
            case SlotKinds.OBJECT_ARRAY, SlotKinds.FROZEN_LIST, SlotKinds.FROZEN_SET, SlotKinds.FROZEN_MAP,
                 SlotKinds.FROZEN_MAP_VIEW, SlotKinds.FROZEN_SET_VIEW -> BlockTypes.VALUE_TUPLE;
            case SlotKinds.LIST -> BlockTypes.LIST;
            case SlotKinds.MAP, SlotKinds.SET -> BlockTypes.HASH;
            default -> 0;
        };
    }

    /** The Java type a slot kind reads back as. */
    static String kindName(int kind) {
        return switch (kind) {
            case SlotKinds.NULL -> "null";
            case SlotKinds.BOOLEAN -> "Boolean";
            case SlotKinds.BYTE -> "Byte";
            case SlotKinds.SHORT -> "Short";
            case SlotKinds.INT -> "Integer";
            case SlotKinds.LONG -> "Long";
            case SlotKinds.CHAR -> "Character";
            case SlotKinds.FLOAT -> "Float";
            case SlotKinds.DOUBLE -> "Double";
            case SlotKinds.INSTANT -> "Instant";
            case SlotKinds.LOCAL_DATE -> "LocalDate";
            case SlotKinds.LOCAL_TIME -> "LocalTime";
            case SlotKinds.LOCAL_DATE_TIME -> "LocalDateTime";
            case SlotKinds.DURATION -> "Duration";
            case SlotKinds.PERIOD -> "Period";
            case SlotKinds.ZONE_OFFSET -> "ZoneOffset";
            case SlotKinds.SHORT_STRING, SlotKinds.STRING -> "String";
            case SlotKinds.BYTES -> "byte[]";
            case SlotKinds.CHARS -> "char[]";
            case SlotKinds.BIG_INTEGER -> "BigInteger";
            case SlotKinds.BIG_DECIMAL -> "BigDecimal";
            case SlotKinds.OFFSET_DATE_TIME -> "OffsetDateTime";
            case SlotKinds.ZONED_DATE_TIME -> "ZonedDateTime";
            case SlotKinds.ZONE_ID -> "ZoneId";
            case SlotKinds.UUID -> "UUID";
            case SlotKinds.ENUM -> "enum";
            case SlotKinds.SERIALIZED -> "serialized object";
            case SlotKinds.OBJECT_ARRAY -> "Object[]";
            case SlotKinds.FROZEN_LIST -> "List (frozen)";
            case SlotKinds.FROZEN_SET, SlotKinds.FROZEN_SET_VIEW -> "FrozenSet";
            case SlotKinds.FROZEN_MAP, SlotKinds.FROZEN_MAP_VIEW -> "FrozenMap";
            case SlotKinds.LIST -> "SharedList";
            case SlotKinds.MAP -> "SharedMap";
            case SlotKinds.SET -> "SharedSet";
            case SlotKinds.TENSOR -> "SharedTensor";
            case SlotKinds.STRUCT -> "struct";
            default -> "unknown value kind " + kind;
        };
    }

    // ---- the type registry ----

    /**
     * The class names of the type registry, oldest first. The list is newest first with strictly
     * falling ordinals, so the walk ends: a chain that does not fall is noted and cut.
     */
    private static List<String> registeredTypes(RegionMemory memory, HeapAllocator allocator, List<String> notes) {
        List<String> types = new ArrayList<>();
        long previousOrdinal = Long.MAX_VALUE;
        try {
            for (long entry = memory.getLongAcquire(ROOT_TYPE_REGISTRY_OFFSET); entry != 0;
                 entry = memory.getLong(entry + TypeRegistryLayout.NEXT_OFFSET)) {
                String type = typeName(memory, allocator, entry);
                long ordinal = memory.getLong(entry + TypeRegistryLayout.ORDINAL_OFFSET);
                if (ordinal < 1 || ordinal >= previousOrdinal) {
                    notes.add("type registry: entry " + entry + " has ordinal " + ordinal + " after " + previousOrdinal
                            + "; the rest of the list is not read");
                    break;
                }
                previousOrdinal = ordinal;
                types.add(type);
            }
        } catch (CorruptedRegionException e) {
            notes.add("type registry: " + e.getMessage());
        }
        Collections.reverse(types);
        return types;
    }

    /** The class name of the type registry entry at {@code entry}: its descriptor's first line. */
    private static String typeName(RegionMemory memory, HeapAllocator allocator, long entry) {
        long capacity = allocator.checkBlock(entry, BlockTypes.TYPE_DESCRIPTOR);
        long length = memory.getLong(entry + TypeRegistryLayout.LENGTH_OFFSET);
        if (length < 1 || TypeRegistryLayout.blockBytes(length) > capacity) {
            throw new CorruptedRegionException("type registry entry " + entry + " has a descriptor of " + length + " bytes",
                    entry + TypeRegistryLayout.LENGTH_OFFSET);
        }
        String descriptor = new String(memory.slice(entry + TypeRegistryLayout.DESCRIPTOR_OFFSET, length)
                .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        int end = descriptor.indexOf('\n');
        return end < 0 ? descriptor : descriptor.substring(0, end);
    }

    private static CorruptedRegionException shrank(ReadOnlyRegion region, InternalError e) {
        CorruptedRegionException fault = new CorruptedRegionException("a read of region " + region.path()
                + " faulted: the file shrank under its mapping", 0);
        fault.initCause(e);
        return fault;
    }
}
