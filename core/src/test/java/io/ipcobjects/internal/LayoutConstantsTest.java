package io.ipcobjects.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.internal.alloc.AllocatorLayout;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.codec.BlobLayout;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.containers.ContainerLayout;
import io.ipcobjects.internal.containers.HashLayout;
import io.ipcobjects.internal.containers.ListLayout;
import io.ipcobjects.internal.lock.LockLayout;
import io.ipcobjects.internal.memory.FileLockLayout;
import io.ipcobjects.internal.memory.ProcessCountersLayout;
import io.ipcobjects.internal.memory.ProcessTableLayout;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.UndoLogLayout;
import io.ipcobjects.internal.messages.MessageQueueLayout;
import io.ipcobjects.internal.names.NameDirectoryLayout;
import io.ipcobjects.internal.structs.StructLayout;
import io.ipcobjects.internal.structs.TypeRegistryLayout;
import io.ipcobjects.internal.tensor.TensorLayout;

import org.junit.jupiter.api.Test;

/**
 * Pins the byte value of every public constant of the shared-memory layouts (and of the helpers
 * that compute offsets and sizes from them). The layouts are what processes, and region files
 * left on disk, share: an edit that moves a field must fail here, not in a cross-process test or
 * in a user's region. Change an expected value only together with
 * {@link RegionHeaderLayout#LAYOUT_VERSION}.
 */
class LayoutConstantsTest {

    @Test
    void regionHeaderLayout() {
        assertEquals(0x0053_4A42_4F43_5049L, RegionHeaderLayout.MAGIC);
        assertEquals(11, RegionHeaderLayout.LAYOUT_VERSION);
        assertEquals(0x0102_0304, RegionHeaderLayout.BYTE_ORDER_MARK);
        assertEquals(0L, RegionHeaderLayout.MAGIC_OFFSET);
        assertEquals(8L, RegionHeaderLayout.LAYOUT_VERSION_OFFSET);
        assertEquals(12L, RegionHeaderLayout.BYTE_ORDER_OFFSET);
        assertEquals(16L, RegionHeaderLayout.REGION_SIZE_OFFSET);
        assertEquals(24L, RegionHeaderLayout.STATE_OFFSET);
        assertEquals(28L, RegionHeaderLayout.HEAP_START_FIELD_OFFSET);
        assertEquals(32L, RegionHeaderLayout.CREATOR_PID_OFFSET);
        assertEquals(40L, RegionHeaderLayout.CREATOR_START_TICKS_OFFSET);
        assertEquals(48L, RegionHeaderLayout.CREATED_AT_MILLIS_OFFSET);
        assertEquals(56L, RegionHeaderLayout.PROCESS_SLOTS_OFFSET);
        assertEquals(60L, RegionHeaderLayout.DAMAGE_OFFSET);
        assertEquals(64L, RegionHeaderLayout.UNDO_LOG_OFFSET_FIELD);
        assertEquals(72L, RegionHeaderLayout.UNDO_LOG_BYTES_FIELD);
        assertEquals(80L, RegionHeaderLayout.FIELDS_RESERVED_OFFSET);
        assertEquals(48L, RegionHeaderLayout.FIELDS_RESERVED_BYTES);
        assertEquals(128L, RegionHeaderLayout.LOCK_LINE_OFFSET);
        assertEquals(64L, RegionHeaderLayout.LOCK_LINE_BYTES);
        assertEquals(192L, RegionHeaderLayout.ROOT_RESERVED_OFFSET);
        assertEquals(200L, RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET);
        assertEquals(208L, RegionHeaderLayout.ROOT_TYPE_REGISTRY_OFFSET);
        assertEquals(216L, RegionHeaderLayout.ROOT_USER_OFFSET);
        assertEquals(224L, RegionHeaderLayout.PENDING_DESTRUCTION_KIND_OFFSET);
        assertEquals(232L, RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET);
        assertEquals(240L, RegionHeaderLayout.ROOTS_SPARE_OFFSET);
        assertEquals(16L, RegionHeaderLayout.ROOTS_SPARE_BYTES);
        assertEquals(256L, RegionHeaderLayout.ROOT_RESERVED_END);
        assertEquals(256L, RegionHeaderLayout.LOCK_COUNTERS_OFFSET);
        assertEquals(256L, RegionHeaderLayout.LOCK_COUNTERS_BYTES);
        assertEquals(512L, RegionHeaderLayout.ALLOCATOR_OFFSET);
        assertEquals(3584L, RegionHeaderLayout.ALLOCATOR_BYTES);
        assertEquals(4096L, RegionHeaderLayout.ALLOCATOR_END);
        assertEquals(4096L, RegionHeaderLayout.PROCESS_TABLE_OFFSET);
        assertEquals(8192L, RegionHeaderLayout.PROCESS_COUNTERS_OFFSET);
        assertEquals(12288L, RegionHeaderLayout.HEADER_PAGE_BYTES);
        assertEquals(12288L, RegionHeaderLayout.HEAP_START);
        assertEquals(4096L, RegionHeaderLayout.MIN_HEAP_BYTES);
        assertEquals(49152L, RegionHeaderLayout.MIN_REGION_SIZE);
        assertEquals(0, RegionHeaderLayout.STATE_NONE);
        assertEquals(1, RegionHeaderLayout.STATE_INITIALIZING);
        assertEquals(2, RegionHeaderLayout.STATE_READY);
        assertEquals(3, RegionHeaderLayout.STATE_CLOSING);
        assertEquals(0, RegionHeaderLayout.DAMAGE_NONE);
        assertEquals(1, RegionHeaderLayout.DAMAGE_BAD_UNDO_LOG);
        assertEquals(2, RegionHeaderLayout.DAMAGE_HEAP_INCONSISTENT);
        assertEquals(3, RegionHeaderLayout.DAMAGE_MEMORY_FAULT);
        assertEquals(4, RegionHeaderLayout.DAMAGE_FOUND_WHILE_WRITING);
        assertEquals(5, RegionHeaderLayout.DAMAGE_ROLLBACK_PENDING);
    }

    @Test
    void undoLogLayout() {
        assertEquals(256L, UndoLogLayout.OWN_LOG_BYTES);
        assertEquals(16384L, UndoLogLayout.OWN_LOGS_BYTES);
        assertEquals(0L, UndoLogLayout.LENGTH_OFFSET);
        assertEquals(8L, UndoLogLayout.OWN_ENTRIES_OFFSET);
        assertEquals(248L, UndoLogLayout.OWN_ENTRY_BYTES);
        assertEquals(16384L, UndoLogLayout.SHARED_ENTRIES_OFFSET);
        assertEquals(512L, UndoLogLayout.ownLogOffset(2));
        assertEquals(0L, UndoLogLayout.ENTRY_TARGET_OFFSET);
        assertEquals(8L, UndoLogLayout.ENTRY_VALUE_OFFSET);
        assertEquals(16L, UndoLogLayout.ENTRY_BYTES_OFFSET);
        assertEquals(16L, UndoLogLayout.WORD_ENTRY_BYTES);
        assertEquals(1, UndoLogLayout.KIND_BYTE);
        assertEquals(4, UndoLogLayout.KIND_INT);
        assertEquals(8, UndoLogLayout.KIND_LONG);
        assertEquals(0x20, UndoLogLayout.KIND_RANGE);
        assertEquals(0x40, UndoLogLayout.KIND_SKIP);
        assertEquals(32768L, UndoLogLayout.MIN_LOG_BYTES);
        assertEquals(16384L + 16384L, UndoLogLayout.defaultLogBytes(64 << 10));
        assertEquals(16384L + 65536L, UndoLogLayout.defaultLogBytes(1 << 20));
        assertEquals(16384L + (64L << 20), UndoLogLayout.defaultLogBytes(1L << 40));
        assertEquals(40L, UndoLogLayout.rangeEntryBytes(17));
    }

    @Test
    void processTableLayout() {
        assertEquals(64, ProcessTableLayout.SLOT_COUNT);
        assertEquals(64, ProcessTableLayout.SLOT_BYTES);
        assertEquals(4096L, ProcessTableLayout.TABLE_BYTES);
        assertEquals(0L, ProcessTableLayout.SLOT_WORD_OFFSET);
        assertEquals(8L, ProcessTableLayout.PID_OFFSET);
        assertEquals(16L, ProcessTableLayout.START_TICKS_OFFSET);
        assertEquals(24L, ProcessTableLayout.ROLE_OFFSET);
        assertEquals(28L, ProcessTableLayout.ROLE_RESERVED_OFFSET);
        assertEquals(32L, ProcessTableLayout.ATTACHED_AT_MILLIS_OFFSET);
        assertEquals(40L, ProcessTableLayout.PID_NAMESPACE_OFFSET);
        assertEquals(48L, ProcessTableLayout.SLOT_RESERVED_OFFSET);
        assertEquals(0, ProcessTableLayout.STATE_FREE);
        assertEquals(1, ProcessTableLayout.STATE_CLAIMING);
        assertEquals(2, ProcessTableLayout.STATE_ATTACHED);
        assertEquals(1, ProcessTableLayout.ROLE_CREATOR);
        assertEquals(2, ProcessTableLayout.ROLE_CONSUMER);

        assertEquals(4096L, ProcessTableLayout.slotOffset(0));
        assertEquals(8128L, ProcessTableLayout.slotOffset(63));
    }

    @Test
    void fileLockLayout() {
        assertEquals(0L, FileLockLayout.PRESENCE_BYTE);
        assertEquals(1L, FileLockLayout.REPLACEMENT_BYTE);
        assertEquals(4096L, FileLockLayout.slotLockByte(0));
        assertEquals(8128L, FileLockLayout.slotLockByte(63));
    }

    @Test
    void lockLayout() {
        assertEquals(128L, LockLayout.LOCK_WORD_OFFSET);
        assertEquals(256L, LockLayout.TAKEOVERS_OFFSET);
        assertEquals(264L, LockLayout.COUNTERS_RESERVED_OFFSET);
        assertEquals(0xFF_FFFFL, LockLayout.GENERATION_MASK);
    }

    @Test
    void blockLayout() {
        assertEquals(0L, BlockLayout.SIZE_FLAGS_OFFSET);
        assertEquals(8L, BlockLayout.TYPE_TAG_OFFSET);
        assertEquals(12L, BlockLayout.RESERVED_OFFSET);
        assertEquals(8L, BlockLayout.NEXT_FREE_OFFSET);
        assertEquals(16L, BlockLayout.PREV_FREE_OFFSET);
        assertEquals(8L, BlockLayout.FOOTER_BYTES);
        assertEquals(16L, BlockLayout.HEADER_BYTES);
        assertEquals(16L, BlockLayout.GRANULE);
        assertEquals(32L, BlockLayout.MIN_BLOCK_BYTES);
        assertEquals(1L, BlockLayout.FLAG_IN_USE);
        assertEquals(2L, BlockLayout.FLAG_PREV_FREE);
        assertEquals(15L, BlockLayout.FLAG_MASK);

        assertEquals(32L, BlockLayout.blockSizeFor(0));
        assertEquals(48L, BlockLayout.blockSizeFor(17));
        assertEquals(8248L, BlockLayout.footerOffset(8192, 64));
        assertEquals(8192L, BlockLayout.blockOf(8208));
    }

    @Test
    void allocatorLayout() {
        assertEquals(512L, AllocatorLayout.HEAP_START_OFFSET);
        assertEquals(520L, AllocatorLayout.HEAP_END_OFFSET);
        assertEquals(528L, AllocatorLayout.USED_BYTES_OFFSET);
        assertEquals(536L, AllocatorLayout.USED_BLOCKS_OFFSET);
        assertEquals(544L, AllocatorLayout.FREE_BYTES_OFFSET);
        assertEquals(552L, AllocatorLayout.FREE_BLOCKS_OFFSET);
        assertEquals(560L, AllocatorLayout.BITMAP_OFFSET);
        assertEquals(4, AllocatorLayout.BITMAP_WORDS);
        assertEquals(592L, AllocatorLayout.BITMAP_RESERVED_OFFSET);
        assertEquals(48L, AllocatorLayout.BITMAP_RESERVED_BYTES);
        assertEquals(640L, AllocatorLayout.BIN_HEADS_OFFSET);
        assertEquals(2688L, AllocatorLayout.BIN_HEADS_RESERVED_OFFSET);
        assertEquals(256, AllocatorLayout.BIN_COUNT);
        assertEquals(62, AllocatorLayout.SMALL_BIN_COUNT);
        assertEquals(1024L, AllocatorLayout.SMALL_LIMIT);

        assertEquals(640L, AllocatorLayout.binHeadOffset(0));
        assertEquals(2680L, AllocatorLayout.binHeadOffset(255));
        assertEquals(0, AllocatorLayout.binOf(32));
        assertEquals(61, AllocatorLayout.binOf(1008));
        assertEquals(62, AllocatorLayout.binOf(1024));
        assertEquals(63, AllocatorLayout.binOf(1280));
    }

    @Test
    void slotLayout() {
        assertEquals(0L, SlotLayout.KIND_OFFSET);
        assertEquals(4L, SlotLayout.AUX_OFFSET);
        assertEquals(8L, SlotLayout.BITS_OFFSET);
        assertEquals(16L, SlotLayout.SLOT_BYTES);
    }

    @Test
    void blobLayout() {
        assertEquals(0L, BlobLayout.LENGTH_OFFSET);
        assertEquals(8L, BlobLayout.DATA_OFFSET);

        assertEquals(13L, BlobLayout.blockBytes(5));
    }

    @Test
    void tupleLayout() {
        assertEquals(0L, TupleLayout.COUNT_OFFSET);
        assertEquals(8L, TupleLayout.IDENTITY_OFFSET);
        assertEquals(16L, TupleLayout.SLOTS_OFFSET);

        assertEquals(64L, TupleLayout.blockBytes(3));
        assertEquals(8240L, TupleLayout.slotOffset(8192, 2));
    }

    @Test
    void containerLayout() {
        assertEquals(0L, ContainerLayout.IDENTITY_OFFSET);
        assertEquals(8L, ContainerLayout.REFERENCES_OFFSET);
        assertEquals(16L, ContainerLayout.MOD_COUNT_OFFSET);
        assertEquals(24L, ContainerLayout.COMMON_BYTES);
    }

    @Test
    void listLayout() {
        assertEquals(24L, ListLayout.SIZE_OFFSET);
        assertEquals(32L, ListLayout.ELEMENTS_OFFSET);
        assertEquals(40L, ListLayout.CAPACITY_OFFSET);
        assertEquals(48L, ListLayout.HEADER_BYTES);

        assertEquals(8224L, ListLayout.slotOffset(8192, 2));
    }

    @Test
    void hashLayout() {
        assertEquals(24L, HashLayout.SIZE_OFFSET);
        assertEquals(32L, HashLayout.TABLE_OFFSET);
        assertEquals(40L, HashLayout.CAPACITY_OFFSET);
        assertEquals(48L, HashLayout.USED_OFFSET);
        assertEquals(56L, HashLayout.ENTRY_BYTES_OFFSET);
        assertEquals(64L, HashLayout.HEADER_BYTES);
        assertEquals(0L, HashLayout.CONTROL_OFFSET);
        assertEquals(8L, HashLayout.KEY_OFFSET);
        assertEquals(24L, HashLayout.VALUE_OFFSET);
        assertEquals(40L, HashLayout.MAP_ENTRY_BYTES);
        assertEquals(24L, HashLayout.SET_ENTRY_BYTES);
        assertEquals(0L, HashLayout.EMPTY);
        assertEquals(1L, HashLayout.TOMBSTONE);
        assertEquals(0x8000_0000_0000_0000L, HashLayout.LIVE_BIT);
    }

    @Test
    void structLayout() {
        assertEquals(0L, StructLayout.DESCRIPTOR_OFFSET);
        assertEquals(8L, StructLayout.FIELD_COUNT_OFFSET);
        assertEquals(16L, StructLayout.SLOTS_OFFSET);

        assertEquals(64L, StructLayout.blockBytes(3));
        assertEquals(8240L, StructLayout.slotOffset(8192, 2));
    }

    @Test
    void typeRegistryLayout() {
        assertEquals(0L, TypeRegistryLayout.NEXT_OFFSET);
        assertEquals(8L, TypeRegistryLayout.ORDINAL_OFFSET);
        assertEquals(16L, TypeRegistryLayout.FIELD_COUNT_OFFSET);
        assertEquals(24L, TypeRegistryLayout.LENGTH_OFFSET);
        assertEquals(32L, TypeRegistryLayout.DESCRIPTOR_OFFSET);

        assertEquals(42L, TypeRegistryLayout.blockBytes(10));
    }

    @Test
    void tensorLayout() {
        assertEquals(0L, TensorLayout.DTYPE_OFFSET);
        assertEquals(4L, TensorLayout.RANK_OFFSET);
        assertEquals(8L, TensorLayout.ORIGIN_OFFSET);
        assertEquals(12L, TensorLayout.RESERVED_INT_OFFSET);
        assertEquals(16L, TensorLayout.SPAN_BYTES_OFFSET);
        assertEquals(24L, TensorLayout.DATA_OFFSET_OFFSET);
        assertEquals(32L, TensorLayout.BASE_BLOCK_OFFSET);
        assertEquals(40L, TensorLayout.IDENTITY_OFFSET);
        assertEquals(48L, TensorLayout.SHAPE_OFFSET);
        assertEquals(64L, TensorLayout.DATA_ALIGNMENT);
        assertEquals(32, TensorLayout.MAX_RANK);

        assertEquals(72L, TensorLayout.stridesOffset(3));
        assertEquals(96L, TensorLayout.headerBytes(3));
        assertEquals(64L, TensorLayout.dataStart(0));
        assertEquals(64L, TensorLayout.dataStart(1));
        assertEquals(128L, TensorLayout.dataStart(3));
        assertEquals(576L, TensorLayout.dataStart(TensorLayout.MAX_RANK));
    }

    @Test
    void messageQueueLayout() {
        assertEquals(136L, MessageQueueLayout.HEAD_OFFSET);
        assertEquals(144L, MessageQueueLayout.TAIL_OFFSET);
        assertEquals(152L, MessageQueueLayout.SPARE_OFFSET);
        assertEquals(160L, MessageQueueLayout.SPARE_COUNT_OFFSET);
        assertEquals(168L, MessageQueueLayout.COUNT_OFFSET);
        assertEquals(176L, MessageQueueLayout.INLINE_SLOT_OFFSET);
        assertEquals(64L, MessageQueueLayout.NODE_ALIGNMENT);
        assertEquals(8L, MessageQueueLayout.MAX_SPARE_NODES);
        assertEquals(0L, MessageQueueLayout.NEXT_OFFSET);
        assertEquals(8L, MessageQueueLayout.RESERVED_OFFSET);
        assertEquals(16L, MessageQueueLayout.VALUE_SLOT_OFFSET);
        assertEquals(32L, MessageQueueLayout.NODE_BYTES);
        assertEquals(48L, MessageQueueLayout.MIN_NODE_FOOTPRINT);
    }

    @Test
    void nameDirectoryLayout() {
        assertEquals(0L, NameDirectoryLayout.BUCKET_COUNT_OFFSET);
        assertEquals(8L, NameDirectoryLayout.ENTRY_COUNT_OFFSET);
        assertEquals(16L, NameDirectoryLayout.BUCKETS_OFFSET);
        assertEquals(16L, NameDirectoryLayout.INITIAL_BUCKETS);
        assertEquals(1048576L, NameDirectoryLayout.MAX_BUCKETS);
        assertEquals(0L, NameDirectoryLayout.NEXT_OFFSET);
        assertEquals(8L, NameDirectoryLayout.HASH_OFFSET);
        assertEquals(12L, NameDirectoryLayout.NAME_LENGTH_OFFSET);
        assertEquals(16L, NameDirectoryLayout.VALUE_SLOT_OFFSET);
        assertEquals(32L, NameDirectoryLayout.NAME_OFFSET);
        assertEquals(4096, NameDirectoryLayout.MAX_NAME_BYTES);

        assertEquals(144L, NameDirectoryLayout.directoryBytes(16));
        assertEquals(40L, NameDirectoryLayout.bucketOffset(3));
        assertEquals(37L, NameDirectoryLayout.entryBytes(5));
    }

    /** Areas that share the header page end where the next one starts. */
    @Test
    void ringLayout() {
        assertEquals(0L, io.ipcobjects.internal.channels.RingLayout.CAPACITY_OFFSET);
        assertEquals(4L, io.ipcobjects.internal.channels.RingLayout.STRIDE_OFFSET);
        assertEquals(64L, io.ipcobjects.internal.channels.RingLayout.HEAD_OFFSET);
        assertEquals(72L, io.ipcobjects.internal.channels.RingLayout.FREED_OFFSET);
        assertEquals(128L, io.ipcobjects.internal.channels.RingLayout.TAIL_OFFSET);
        assertEquals(192L, io.ipcobjects.internal.channels.RingLayout.ENTRIES_OFFSET);
        assertEquals(8L, io.ipcobjects.internal.channels.RingLayout.PAYLOAD_KIND_OFFSET);
        assertEquals(12L, io.ipcobjects.internal.channels.RingLayout.PAYLOAD_LENGTH_OFFSET);
        assertEquals(16L, io.ipcobjects.internal.channels.RingLayout.PAYLOAD_OFFSET);
        assertEquals(1 << 20, io.ipcobjects.internal.channels.RingLayout.MAX_CAPACITY);
        long word = io.ipcobjects.internal.channels.RingLayout.word(0x1_2345_6789L, io.ipcobjects.internal.channels.RingLayout.READING, 0xABCDEF);
        assertEquals(0x2345_6789_30AB_CDEFL, word, "sequence 32 bits, state 4, owner 28");
        assertEquals(128, io.ipcobjects.internal.channels.RingLayout.stride(112, 64));
        assertEquals(32, io.ipcobjects.internal.channels.RingLayout.stride(16, 16));
        assertEquals(8, io.ipcobjects.internal.channels.RingLayout.CLAIM_BYTES);
        assertEquals(192L + 3 * 32 + 32, io.ipcobjects.internal.channels.RingLayout.claimsOffset(3, 32), "past the entries, to a whole line");
        assertEquals(192L + 3 * 32 + 32 + 64, io.ipcobjects.internal.channels.RingLayout.bytes(3, 32), "3 claim words, to a whole line");
        assertEquals(192L + 16 * 64 + 128, io.ipcobjects.internal.channels.RingLayout.bytes(16, 64));
        assertEquals(io.ipcobjects.internal.channels.RingLayout.word(-16, 0, 5),
                io.ipcobjects.internal.channels.RingLayout.claimWord(-16, 5), "a claim word: position and owner, state bits 0");
    }

    @Test
    void channelAndTensorRingLayouts() {
        assertEquals(0x314E4843, io.ipcobjects.internal.channels.ChannelLayout.MAGIC);
        assertEquals(4L, io.ipcobjects.internal.channels.ChannelLayout.INLINE_BYTES_OFFSET);
        assertEquals(8L, io.ipcobjects.internal.channels.ChannelLayout.TYPE_NAME_OFFSET);
        assertEquals(64L, io.ipcobjects.internal.channels.ChannelLayout.RING_OFFSET);
        assertEquals(64L + 192 + 4 * 128 + 64, io.ipcobjects.internal.channels.ChannelLayout.bytes(4, 112));
        assertEquals(0x31475254, io.ipcobjects.internal.channels.TensorRingLayout.MAGIC);
        assertEquals(72L, io.ipcobjects.internal.channels.TensorRingLayout.SPEC_BYTES);
        assertEquals(64L, io.ipcobjects.internal.channels.TensorRingLayout.SLOT_BYTES);
        assertEquals(16L, io.ipcobjects.internal.channels.TensorRingLayout.TENSORS_OFFSET);
        assertEquals(256L, io.ipcobjects.internal.channels.TensorRingLayout.slotTable(2), "64 + 2 x 72, to a whole line");
        assertEquals(256L + 3 * 64, io.ipcobjects.internal.channels.TensorRingLayout.publishedRing(2, 3));
        assertEquals(0x2000_0012_3000_0005L,
                io.ipcobjects.internal.channels.TensorRingLayout.holder(io.ipcobjects.internal.channels.TensorRingLayout.HELD_PUBLISHED, 0x123, 5),
                "state 4 bits, sequence 32, owner 28");
    }

    @Test
    void headerAreasDoNotOverlap() {
        // The message queue's root words fill the lock's cache line after the lock word.
        assertEquals(RegionHeaderLayout.LOCK_LINE_OFFSET, LockLayout.LOCK_WORD_OFFSET);
        assertEquals(RegionHeaderLayout.LOCK_LINE_OFFSET + RegionHeaderLayout.LOCK_LINE_BYTES,
                MessageQueueLayout.INLINE_SLOT_OFFSET + SlotLayout.SLOT_BYTES);
        // The allocator's bin heads end inside its area; the process table fills the rest of the page.
        assertTrue(AllocatorLayout.binHeadOffset(AllocatorLayout.BIN_COUNT - 1) + Long.BYTES
                <= RegionHeaderLayout.ALLOCATOR_END);
        assertEquals(RegionHeaderLayout.PROCESS_COUNTERS_OFFSET, ProcessTableLayout.slotOffset(ProcessTableLayout.SLOT_COUNT));
        assertEquals(RegionHeaderLayout.HEADER_PAGE_BYTES, ProcessCountersLayout.lineOffset(ProcessTableLayout.SLOT_COUNT));
        assertEquals(56L, ProcessCountersLayout.BYTES_FREED_OFFSET);
        assertEquals(8, ProcessCountersLayout.COUNTS);
    }
}
