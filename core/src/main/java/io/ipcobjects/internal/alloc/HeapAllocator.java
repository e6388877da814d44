package io.ipcobjects.internal.alloc;

import static io.ipcobjects.internal.alloc.AllocatorLayout.*;
import static io.ipcobjects.internal.alloc.BlockLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.internal.events.RegionEvents;
import io.ipcobjects.internal.memory.ProcessCounters;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;

/**
 * The region's heap allocator: boundary-tag blocks ({@link BlockLayout}) kept in segregated
 * free lists ({@link AllocatorLayout}), with immediate coalescing.
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li>Every call runs under the region lock; the allocator itself takes no lock and uses plain
 *       reads and writes (the lock's acquire and release order them between processes).</li>
 *   <li>{@code allocate} maps the block size to a bin, looks for a fit in that bin (small bins
 *       hold one size, so their head fits; a large bin is searched for at most
 *       {@value #BIN_SEARCH_LIMIT} blocks), then takes the head of the first non-empty larger
 *       bin from the bitmap. The remainder of a split, if at least {@link BlockLayout#MIN_BLOCK_BYTES},
 *       goes back to its bin. Cost: a handful of loads and stores, independent of heap size.</li>
 *   <li>With {@code spreadLargeBlocks} (a process's option), blocks of
 *       {@value #ROVING_MIN_BYTES} bytes or more are placed by next fit instead: after where
 *       this process's last large block ended, wrapping at the heap's end
 *       ({@link #allocateAtRover}), so that large messages move through the free heap as a
 *       ring's slots do.</li>
 *   <li>{@code free} merges the block with a free neighbour on each side (the next block by its
 *       size, the previous one through this block's PREV_FREE bit and its footer), so no two free
 *       blocks are ever adjacent: fragmentation is bounded by what live blocks pin.</li>
 *   <li>Failure atomicity: {@code allocate} decides that a block exists before it writes
 *       anything; an {@link OutOfSharedMemoryException} leaves the region as it was.</li>
 *   <li>Every offset and size read from the region is checked before it is followed; bad ones
 *       give {@link CorruptedRegionException}. List walks are bounded by the free-block count. A
 *       free-list link is written through only once it is known to be a free block that links
 *       back, so a bad link in the header or a block never overwrites a live object.</li>
 * </ul>
 * The heap is formatted once by the creator ({@link #format}); every process then works on the
 * same words.
 *
 * <h2>Crash consistency</h2>
 * Block headers are written through the undo log like any data. The free-block bookkeeping
 * (links, bin heads, the bitmap, footers) is not: a takeover rebuilds it from the headers
 * ({@link #rebuildAfterRollback}), so its old values are never needed, with one exception: a
 * bookkeeping word written where the operation's start had live data. That happens in three
 * places, each of which logs: the link words and last word of a block being freed
 * ({@code free}); the links and footer of a remainder split off inside memory this operation
 * freed ({@code takeBlock}, {@code allocateAligned}); and the header of a free neighbour
 * absorbed by a merge, cleared so that a later word written over it is not taken for
 * bookkeeping. Every other bookkeeping write overwrites a word that was bookkeeping when the
 * operation began, or whose old value the operation already logged.
 */
public final class HeapAllocator {

    /** A block's size word and the two words a free block keeps its links in: what a free rewrites of the block. */
    private static final int HEADER_AND_LINKS_BYTES = (int) (PREV_FREE_OFFSET + Long.BYTES);

    /** How many blocks of the own bin a large request looks at before taking a larger bin. */
    static final int BIN_SEARCH_LIMIT = 16;

    /** Blocks of this size or more are placed by next fit ({@link #allocateAtRover}). */
    static final long ROVING_MIN_BYTES = 256 << 10;
    /** How many large-enough free blocks next fit looks at before it takes the best of them. */
    static final int ROVING_SEARCH_LIMIT = 32;

    /**
     * Where this process's last large block ended: a hint for next fit, never read from or
     * written to the region (a rollback need not restore it; any value is safe).
     */
    private long rover;

    private final ProcessCounters counters;
    private final boolean spreadLargeBlocks;
    private final RegionMemory memory;
    private final long heapStart;
    private final long heapEnd;

    /** An allocator over {@code memory}'s heap that counts nothing (tests, benchmarks, formatting). */
    public HeapAllocator(RegionMemory memory) {
        this(memory, ProcessCounters.detached());
    }

    /** An allocator over {@code memory}'s heap that adds what it allocates and frees to {@code counters}; large blocks too from the bins. */
    public HeapAllocator(RegionMemory memory, ProcessCounters counters) {
        this(memory, counters, false);
    }

    /**
     * An allocator over {@code memory}'s heap that adds what it allocates and frees to
     * {@code counters}; {@code spreadLargeBlocks}: blocks of {@value #ROVING_MIN_BYTES} bytes or
     * more are placed by next fit ({@link #allocateAtRover}).
     */
    public HeapAllocator(RegionMemory memory, ProcessCounters counters, boolean spreadLargeBlocks) {
        this.memory = memory;
        this.counters = counters;
        this.spreadLargeBlocks = spreadLargeBlocks;
        this.heapStart = memory.getLong(HEAP_START_OFFSET);
        this.heapEnd = memory.getLong(HEAP_END_OFFSET);
        if (heapStart <= 0 || heapStart % GRANULE != 0 || heapEnd > memory.size() || heapEnd - heapStart < MIN_BLOCK_BYTES
                || heapEnd % GRANULE != 0) {
            throw new CorruptedRegionException("heap bounds [" + heapStart + ", " + heapEnd + ") do not fit a region of "
                    + memory.size() + " bytes", HEAP_START_OFFSET);
        }
    }

    /** Lays out an empty heap over {@code [heapStart, heapEnd)}: one free block. */
    public static void format(RegionMemory memory, long heapStart, long heapEnd) {
        heapEnd &= ~(GRANULE - 1);
        memory.putLong(HEAP_START_OFFSET, heapStart);
        memory.putLong(HEAP_END_OFFSET, heapEnd);
        memory.putLong(USED_BYTES_OFFSET, 0);
        memory.putLong(USED_BLOCKS_OFFSET, 0);
        memory.putLong(FREE_BYTES_OFFSET, 0);
        memory.putLong(FREE_BLOCKS_OFFSET, 0);
        for (int i = 0; i < BITMAP_WORDS; i++) {
            memory.putLong(BITMAP_OFFSET + i * 8L, 0);
        }
        for (int bin = 0; bin < BIN_COUNT; bin++) {
            memory.putLong(binHeadOffset(bin), 0);
        }
        HeapAllocator allocator = new HeapAllocator(memory);
        long size = heapEnd - heapStart;
        allocator.writeFreeBlock(heapStart, size, false, false);
        allocator.pushFree(heapStart, size, false);
        allocator.addFree(size, 1);
    }

    public long heapStart() {
        return heapStart;
    }

    public long heapEnd() {
        return heapEnd;
    }

    /**
     * Allocates a block whose payload holds {@code payloadBytes} and starts on a 16-byte
     * boundary, tagged with {@code typeTag}. Returns the payload's region offset.
     */
    public long allocate(long payloadBytes, int typeTag) {
        checkRequest(payloadBytes);
        long need = blockSizeFor(payloadBytes);
        if (spreadLargeBlocks && need >= ROVING_MIN_BYTES) {
            long placed = allocateAtRover(need, typeTag);
            if (placed != 0) {
                return placed;
            }
        }
        long block = findFree(need);
        if (block == 0) {
            throw outOfMemory(payloadBytes);
        }
        return takeBlock(block, need, typeTag);
    }

    /**
     * Allocates a block whose payload starts on an {@code alignment}-byte boundary (a power of
     * two, at least 16), as tensors need (64). The gap before the payload is split off as a free
     * block, so nothing is lost for long.
     */
    public long allocateAligned(long payloadBytes, long alignment, int typeTag) {
        if (alignment <= GRANULE) {
            return allocate(payloadBytes, typeTag);
        }
        if (Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        checkRequest(payloadBytes);
        long need = blockSizeFor(payloadBytes);
        // Worst case gap in front: alignment - 16, plus one alignment more when the gap would be
        // too small to be a free block of its own.
        long block = findFree(need + alignment + MIN_BLOCK_BYTES);
        if (block == 0) {
            block = findFreeAligned(need, alignment);
            if (block == 0) {
                throw outOfMemory(payloadBytes);
            }
        }
        long gap = alignedGap(block, alignment);
        if (gap > 0) {
            block = splitFront(block, gap);
        }
        return takeBlock(block, need, typeTag);
    }

    /**
     * Splits the first {@code gap} bytes (0 or at least a minimum block, a multiple of the
     * granule) off free {@code block} as a free block of their own; returns the rest, a free
     * block on its free list.
     */
    private long splitFront(long block, long gap) {
        long size = size(memory.getLong(block));
        // The gap's footer and the rest's links are new words inside the block: logged if
        // it holds memory this operation freed (see the class comment).
        boolean newWordsLogged = holdsFreedMemory(block, size);
        removeFree(block, size);
        boolean prevFree = prevFree(memory.getLong(block));
        writeFreeBlock(block, gap, prevFree, newWordsLogged);
        pushFree(block, gap, false);
        long rest = block + gap;
        writeFreeBlock(rest, size - gap, true, false);
        pushFree(rest, size - gap, newWordsLogged);
        addFree(0, 1);
        return rest;
    }

    /**
     * Next fit for a large block: the free space at or after where the last large block of this
     * process ended (the rover), else the lowest such space, among the first
     * {@value #ROVING_SEARCH_LIMIT} free blocks large enough. Large blocks thus move through the
     * free heap in turn instead of reusing the addresses freed last, as a ring's slots do: a
     * consumer in another process then reads what was written long enough ago to have left the
     * writer's cache. Returns 0 if no block fits (the caller falls back to the bins).
     */
    private long allocateAtRover(long need, int typeTag) {
        long bestAfter = 0;
        long bestAfterAt = Long.MAX_VALUE;
        long lowest = 0;
        long lowestAt = Long.MAX_VALUE;
        long rover = this.rover;
        int seen = 0;
        for (int bin = nextNonEmptyBin(binOf(need)); bin >= 0 && seen < ROVING_SEARCH_LIMIT; bin = nextNonEmptyBin(bin + 1)) {
            long limit = memory.getLong(FREE_BLOCKS_OFFSET) + 1;
            long node = memory.getLong(binHeadOffset(bin));
            for (long steps = 0; node != 0 && seen < ROVING_SEARCH_LIMIT; steps++) {
                if (steps > limit) {
                    throw new CorruptedRegionException("free list of bin " + bin + " is longer than the free-block count", node);
                }
                long size = checkFreeBlockAt(node);
                seen++;
                if (size >= need) {
                    long at = roverPlacement(node, size, need, rover);
                    if (at >= 0 && at < bestAfterAt) {
                        bestAfterAt = at;
                        bestAfter = node;
                    }
                    if (node < lowestAt) {
                        lowestAt = node;
                        lowest = node;
                    }
                }
                node = memory.getLong(node + NEXT_FREE_OFFSET);
            }
        }
        long block;
        long at;
        if (bestAfter != 0) {
            block = bestAfter;
            at = bestAfterAt;
        } else if (lowest != 0) {
            block = lowest;
            at = lowest;
        } else {
            return 0;
        }
        if (at > block) {
            block = splitFront(block, at - block);
        }
        long payload = takeBlock(block, need, typeTag);
        this.rover = block + need;
        return payload;
    }

    /**
     * Where in free block {@code [block, block + size)} a block of {@code need} bytes starts at
     * or after {@code rover}, leaving in front either nothing or a free block of at least the
     * minimum size; -1 if it does not fit there.
     */
    private static long roverPlacement(long block, long size, long need, long rover) {
        long at = Math.max(block, rover);
        long gap = at - block;
        if (gap > 0 && gap < MIN_BLOCK_BYTES) {
            at = block + MIN_BLOCK_BYTES;
        }
        return at + need <= block + size ? at : -1;
    }

    /** Frees the block whose payload starts at {@code payload}, merging it with free neighbours. */
    public void free(long payload) {
        long block = checkUsed(payload);
        long sizeFlags = memory.getLong(block);
        long size = size(sizeFlags);
        UndoLog undo = memory.undoLog();
        if (undo != null) {
            undo.freed(block, size);
        }
        addUsed(-size, -1);
        counters.freed(size);
        long start = block;
        long total = size;
        long freeBlocksDelta = 1;

        long next = block + size;
        if (next < heapEnd) {
            long nextFlags = memory.getLong(next);
            if (!inUse(nextFlags)) {
                long nextSize = checkFreeBlock(next, nextFlags);
                removeFree(next, nextSize);
                // Its header is inside the merged block from now on, where the free-list writes
                // below are not logged: clearing it logs the old header, so a rollback finds the
                // block again (and a stale header never looks like a block).
                memory.putLong(next + SIZE_FLAGS_OFFSET, 0);
                total += nextSize;
                freeBlocksDelta--;
            }
        }
        if (prevFree(sizeFlags)) {
            long prevSize = memory.getLong(block - 8);
            long prev = block - prevSize;
            if (prevSize < MIN_BLOCK_BYTES || prevSize % GRANULE != 0 || prev < heapStart) {
                throw new CorruptedRegionException("bad footer before block: size " + prevSize, block - 8);
            }
            if (checkFreeBlock(prev, memory.getLong(prev)) != prevSize) {
                throw new CorruptedRegionException("footer size " + prevSize + " disagrees with the block it closes", prev);
            }
            removeFree(prev, prevSize);
            start = prev;
            total += prevSize;
            freeBlocksDelta--;
            // The block's own header is now inside the merged block: clear it, so a second free of
            // the same offset (a reference shared by two slots of a hostile region) is refused by
            // checkUsed instead of freeing the bytes twice.
            memory.putLong(block + SIZE_FLAGS_OFFSET, 0);
        }
        // The freed block's own link words and last word held live data: logged. The merged
        // block's other words are a free neighbour's, whose old values a takeover rebuilds.
        boolean footerLogged = start + total == block + size;
        if (start == block) {
            // Its header and both link words (its tag, stamp and first payload word while it was
            // used) are rewritten: one undo entry for the three, then no lookup for each.
            memory.logBefore(block, HEADER_AND_LINKS_BYTES);
            memory.putLongLogged(block + SIZE_FLAGS_OFFSET, total);
            putBookkeeping(footerOffset(block, total), total, footerLogged);
            pushFree(block, total, false); // its links: logged just above (putLongRebuilt's contract allows it)
        } else {
            writeFreeBlock(start, total, false, footerLogged);
            pushFree(start, total, false);
        }
        setNextPrevFree(start + total, true);
        addFree(size, freeBlocksDelta);
    }

    /**
     * Checks that {@code payload} is the payload of a used block inside the heap, tagged
     * {@code expectedTag}; returns the payload capacity. For readers following an offset.
     */
    public long checkBlock(long payload, int expectedTag) {
        long block = checkUsed(payload);
        int tag = memory.getInt(block + TYPE_TAG_OFFSET);
        if (tag != expectedTag) {
            throw new CorruptedRegionException("block has type tag " + tag + ", expected " + expectedTag, block);
        }
        return size(memory.getLong(block)) - HEADER_BYTES;
    }

    /**
     * Whether {@code payload} is, now, the payload of a used block tagged {@code tag}: for a view
     * rechecking under the lock a block it saw before, which may have been freed or reused since.
     * Reads nothing outside the heap and throws nothing.
     */
    public boolean holds(long payload, int tag) {
        long block = payload - HEADER_BYTES;
        if (block < heapStart || block > heapEnd - MIN_BLOCK_BYTES || (block & (GRANULE - 1)) != 0) {
            return false;
        }
        long sizeFlags = memory.getLong(block);
        long size = size(sizeFlags);
        return inUse(sizeFlags) && size >= MIN_BLOCK_BYTES && size <= heapEnd - block
                && memory.getInt(block + TYPE_TAG_OFFSET) == tag;
    }

    /**
     * The owner stamps of used blocks ({@link BlockLayout#RESERVED_OFFSET}, 0 = none): calls
     * {@code visitor} with the stamp and block size of every stamped block. A walk of the heap
     * by sizes, bounded by the heap's end; under the lock (or on a read-only copy).
     */
    public void forEachStamp(java.util.function.BiConsumer<Integer, Long> visitor) {
        long block = heapStart;
        while (block <= heapEnd - MIN_BLOCK_BYTES) {
            long sizeFlags = memory.getLong(block);
            long size = size(sizeFlags);
            if (size < MIN_BLOCK_BYTES || size > heapEnd - block) {
                return; // a damaged heap: verify() says where
            }
            if (inUse(sizeFlags)) {
                int stamp = memory.getInt(block + RESERVED_OFFSET);
                if (stamp != 0) {
                    visitor.accept(stamp, size);
                }
            }
            block += size;
        }
    }

    /** Sets the owner stamp of the used block whose payload is at {@code payload} (logged, under the lock). */
    public void stamp(long payload, int stamp) {
        memory.putInt(payload - HEADER_BYTES + RESERVED_OFFSET, stamp);
    }

    /** Counters kept on every operation: O(1). */
    public HeapStats stats() {
        return new HeapStats(heapEnd - heapStart, memory.getLong(USED_BYTES_OFFSET), memory.getLong(USED_BLOCKS_OFFSET),
                memory.getLong(FREE_BYTES_OFFSET), memory.getLong(FREE_BLOCKS_OFFSET), largestFreeBlock());
    }

    /** Size of the largest free block: the largest one in the highest non-empty bin. */
    public long largestFreeBlock() {
        for (int bin = BIN_COUNT - 1; bin >= 0; bin--) {
            if (binEmpty(bin)) {
                continue;
            }
            long largest = 0;
            long limit = memory.getLong(FREE_BLOCKS_OFFSET) + 1;
            long block = memory.getLong(binHeadOffset(bin));
            for (long steps = 0; block != 0; steps++) {
                if (steps > limit) {
                    throw new CorruptedRegionException("free list of bin " + bin + " is longer than the free-block count", block);
                }
                long size = checkFreeBlockAt(block);
                largest = Math.max(largest, size);
                block = memory.getLong(block + NEXT_FREE_OFFSET);
            }
            return largest;
        }
        return 0;
    }

    /**
     * Walks the whole heap and every free list and checks that they agree: sizes add up to the
     * heap, flags and footers match neighbours, no two free blocks touch, every free block is in
     * the right bin exactly once, and the counters match. Returns the stats it counted.
     *
     * @throws CorruptedRegionException at the first inconsistency, naming its offset
     */
    public HeapStats verify() {
        long usedBytes = 0;
        long usedBlocks = 0;
        long freeBytes = 0;
        long freeBlocks = 0;
        long largest = 0;
        boolean previousFree = false;
        long block = heapStart;
        // Free blocks in address order, so every free-list node can be found among them.
        long[] freeOffsets = new long[64];
        while (block < heapEnd) {
            long sizeFlags = memory.getLong(block);
            long size = size(sizeFlags);
            // Also what bounds the walk: every step moves at least a minimum block and stays in the heap.
            if (size < MIN_BLOCK_BYTES || size > heapEnd - block) {
                throw new CorruptedRegionException("block size " + size + " does not fit the heap", block);
            }
            if (prevFree(sizeFlags) != previousFree) {
                throw new CorruptedRegionException("PREV_FREE flag is " + prevFree(sizeFlags) + " but the previous block is "
                        + (previousFree ? "free" : "used"), block);
            }
            if (inUse(sizeFlags)) {
                usedBytes += size;
                usedBlocks++;
                previousFree = false;
            } else {
                if (previousFree) {
                    throw new CorruptedRegionException("two adjacent free blocks were not merged", block);
                }
                if (memory.getLong(footerOffset(block, size)) != size) {
                    throw new CorruptedRegionException("free block footer disagrees with its size " + size, footerOffset(block, size));
                }
                if (freeBlocks == freeOffsets.length) {
                    freeOffsets = java.util.Arrays.copyOf(freeOffsets, freeOffsets.length * 2);
                }
                freeOffsets[(int) freeBlocks] = block;
                freeBytes += size;
                freeBlocks++;
                largest = Math.max(largest, size);
                previousFree = true;
            }
            block += size;
        }
        long listed = 0;
        boolean[] seen = new boolean[(int) freeBlocks];
        for (int bin = 0; bin < BIN_COUNT; bin++) {
            long head = memory.getLong(binHeadOffset(bin));
            if ((head == 0) != binEmpty(bin)) {
                throw new CorruptedRegionException("bitmap bit of bin " + bin + " disagrees with its list", binHeadOffset(bin));
            }
            long expectedPrev = 0;
            for (long node = head; node != 0; node = memory.getLong(node + NEXT_FREE_OFFSET)) {
                if (++listed > freeBlocks) {
                    throw new CorruptedRegionException("free lists hold more blocks than the heap has free", node);
                }
                // A node must be one of the free blocks the heap walk found, and listed once.
                int index = java.util.Arrays.binarySearch(freeOffsets, 0, (int) freeBlocks, node);
                if (index < 0 || seen[index]) {
                    throw new CorruptedRegionException("free list of bin " + bin + " links to " + node + ", "
                            + (index < 0 ? "which is not a free block of the heap" : "which is listed twice"), node);
                }
                seen[index] = true;
                long size = checkFreeBlock(node, memory.getLong(node));
                if (binOf(size) != bin) {
                    throw new CorruptedRegionException("free block of size " + size + " sits in bin " + bin, node);
                }
                if (memory.getLong(node + PREV_FREE_OFFSET) != expectedPrev) {
                    throw new CorruptedRegionException("free list back link is broken", node);
                }
                expectedPrev = node;
            }
        }
        if (listed != freeBlocks) {
            throw new CorruptedRegionException("free lists hold " + listed + " blocks, the heap has " + freeBlocks + " free",
                    BIN_HEADS_OFFSET);
        }
        HeapStats counted = new HeapStats(heapEnd - heapStart, usedBytes, usedBlocks, freeBytes, freeBlocks, largest);
        HeapStats kept = stats();
        if (kept.usedBytes() != usedBytes || kept.usedBlocks() != usedBlocks || kept.freeBytes() != freeBytes
                || kept.freeBlocks() != freeBlocks) {
            throw new CorruptedRegionException("allocator counters " + kept + " disagree with the heap walk " + counted,
                    USED_BYTES_OFFSET);
        }
        return counted;
    }

    // ---- internals ----

    private void checkRequest(long payloadBytes) {
        if (payloadBytes < 0) {
            throw new IllegalArgumentException("negative allocation size: " + payloadBytes);
        }
        if (payloadBytes > heapEnd - heapStart) {
            throw outOfMemory(payloadBytes);
        }
    }

    private OutOfSharedMemoryException outOfMemory(long payloadBytes) {
        long free = memory.getLong(FREE_BYTES_OFFSET);
        long largest = largestFreeBlock();
        RegionEvents.allocationFailed(payloadBytes, free, largest);
        return new OutOfSharedMemoryException(payloadBytes, free, largest);
    }

    /** A free block of at least {@code need} bytes, or 0. Does not change anything. */
    private long findFree(long need) {
        int bin = binOf(need);
        if (bin >= SMALL_BIN_COUNT && !binEmpty(bin)) {
            long node = memory.getLong(binHeadOffset(bin));
            for (int i = 0; node != 0 && i < BIN_SEARCH_LIMIT; i++) {
                long size = checkFreeBlockAt(node);
                if (size >= need) {
                    return node;
                }
                node = memory.getLong(node + NEXT_FREE_OFFSET);
            }
            bin++;
        }
        int found = nextNonEmptyBin(bin);
        if (found < 0) {
            return 0;
        }
        long head = memory.getLong(binHeadOffset(found));
        checkFreeBlockAt(head);
        return head;
    }

    /** Slow path for an aligned request near the limit: every free block, exact gap accounting. */
    private long findFreeAligned(long need, long alignment) {
        long limit = memory.getLong(FREE_BLOCKS_OFFSET) + 1;
        long steps = 0;
        for (int bin = nextNonEmptyBin(binOf(need)); bin >= 0; bin = nextNonEmptyBin(bin + 1)) {
            for (long node = memory.getLong(binHeadOffset(bin)); node != 0; node = memory.getLong(node + NEXT_FREE_OFFSET)) {
                if (++steps > limit) {
                    throw new CorruptedRegionException("free lists hold more blocks than the heap has free", node);
                }
                long size = checkFreeBlockAt(node);
                if (size >= alignedGap(node, alignment) + need) {
                    return node;
                }
            }
        }
        return 0;
    }

    /** Bytes to split off the front of {@code block} so its payload is aligned: 0 or at least a minimum block. */
    private static long alignedGap(long block, long alignment) {
        long payload = block + HEADER_BYTES;
        long gap = (alignment - (payload & (alignment - 1))) & (alignment - 1);
        while (gap != 0 && gap < MIN_BLOCK_BYTES) {
            gap += alignment;
        }
        return gap;
    }

    /** Turns free {@code block} into a used block of {@code need} bytes, splitting off the rest. */
    private long takeBlock(long block, long need, int typeTag) {
        long sizeFlags = memory.getLong(block);
        long size = size(sizeFlags);
        UndoLog undo = memory.undoLog();
        if (undo != null) {
            undo.takingFreeBlock(block, size); // all but its size word was free: writes there need no undo entry
        }
        removeFree(block, size);
        long rest = size - need;
        long freeBlocksDelta = -1;
        if (rest >= MIN_BLOCK_BYTES) {
            long tail = block + need;
            writeFreeBlock(tail, rest, false, false);
            pushFree(tail, rest, holdsFreedMemory(tail, rest));
            freeBlocksDelta = 0;
            size = need;
        } else {
            setNextPrevFree(block + size, false);
        }
        // Its size word, the one word of a free block a rollback puts back. Logged as a range
        // that starts where free's header-and-links range does, so a block taken and freed
        // again in one window finds both settled by the log's last-range check.
        memory.logBefore(block + SIZE_FLAGS_OFFSET, Long.BYTES);
        memory.putLongLogged(block + SIZE_FLAGS_OFFSET, size | FLAG_IN_USE | (sizeFlags & FLAG_PREV_FREE));
        // Where the free block's next link was.
        memory.putIntRebuilt(block + TYPE_TAG_OFFSET, typeTag);
        memory.putIntRebuilt(block + RESERVED_OFFSET, 0);
        addFree(-size, freeBlocksDelta);
        addUsed(size, 1);
        counters.allocated(size);
        return block + HEADER_BYTES;
    }

    /** Writes a free block's header (logged) and footer ({@code logFooter}: a word that held live data, see the class comment). */
    private void writeFreeBlock(long block, long size, boolean prevFree, boolean logFooter) {
        memory.putLong(block + SIZE_FLAGS_OFFSET, size | (prevFree ? FLAG_PREV_FREE : 0));
        putBookkeeping(footerOffset(block, size), size, logFooter);
    }

    /** A free-block bookkeeping word: unlogged (a takeover rebuilds it) unless {@code logged}. */
    private void putBookkeeping(long offset, long value, boolean logged) {
        if (logged) {
            memory.putLong(offset, value);
        } else {
            memory.putLongRebuilt(offset, value);
        }
    }

    /** Whether {@code [block, block + size)} holds memory the current operation freed (then new words in it are logged). */
    private boolean holdsFreedMemory(long block, long size) {
        UndoLog undo = memory.undoLog();
        return undo != null && undo.freedInOperation(block, block + size);
    }

    private void setNextPrevFree(long next, boolean prevFree) {
        if (next >= heapEnd) {
            return;
        }
        long flags = memory.getLong(next);
        memory.putLong(next, prevFree ? flags | FLAG_PREV_FREE : flags & ~FLAG_PREV_FREE);
    }

    /** Pushes a free block on its bin; {@code logLinks}: its link words held live data (see the class comment). */
    private void pushFree(long block, long size, boolean logLinks) {
        int bin = binOf(size);
        long headOffset = binHeadOffset(bin);
        long head = memory.getLong(headOffset);
        // The head is written through below: it must be a free block of this bin, first in it.
        if (head != 0 && (!holdsFreeBlock(head) || binOf(size(memory.getLong(head))) != bin
                || memory.getLong(head + PREV_FREE_OFFSET) != 0)) {
            throw new CorruptedRegionException("head " + head + " of bin " + bin + " is not the first free block of that bin",
                    headOffset);
        }
        putBookkeeping(block + NEXT_FREE_OFFSET, head, logLinks);
        putBookkeeping(block + PREV_FREE_OFFSET, 0, logLinks);
        if (head != 0) {
            memory.putLongRebuilt(head + PREV_FREE_OFFSET, block);
        } else {
            setBinBit(bin, true);
        }
        memory.putLongRebuilt(headOffset, block);
    }

    private void removeFree(long block, long size) {
        long next = memory.getLong(block + NEXT_FREE_OFFSET);
        long prev = memory.getLong(block + PREV_FREE_OFFSET);
        // Both neighbours are written through: check them first, so nothing changes on a bad link.
        if (next != 0) {
            checkLink(next, block, PREV_FREE_OFFSET);
        }
        if (prev != 0) {
            checkLink(prev, block, NEXT_FREE_OFFSET);
        }
        if (next != 0) {
            memory.putLongRebuilt(next + PREV_FREE_OFFSET, prev);
        }
        if (prev != 0) {
            memory.putLongRebuilt(prev + NEXT_FREE_OFFSET, next);
        } else {
            int bin = binOf(size);
            long headOffset = binHeadOffset(bin);
            if (memory.getLong(headOffset) != block) {
                throw new CorruptedRegionException("free block with no back link is not the head of bin " + bin, block);
            }
            memory.putLongRebuilt(headOffset, next);
            if (next == 0) {
                setBinBit(bin, false);
            }
        }
    }

    /**
     * Checks a free-list link of {@code from}: {@code link} is a free block whose word at
     * {@code backOffset} (its previous or next link) points back to {@code from}.
     */
    private void checkLink(long link, long from, long backOffset) {
        checkFreeBlockAt(link);
        if (memory.getLong(link + backOffset) != from) {
            throw new CorruptedRegionException("free list link " + link + " does not link back", from);
        }
    }

    /** Whether {@code block} is a free block in the heap; reads nothing outside it. */
    private boolean holdsFreeBlock(long block) {
        if (block < heapStart || block > heapEnd - MIN_BLOCK_BYTES || (block & (GRANULE - 1)) != 0) {
            return false;
        }
        long sizeFlags = memory.getLong(block);
        long size = size(sizeFlags);
        return !inUse(sizeFlags) && size >= MIN_BLOCK_BYTES && size <= heapEnd - block;
    }

    /** Checks that {@code block} lies in the heap before reading it, then that it is a free block; returns its size. */
    private long checkFreeBlockAt(long block) {
        if (block < heapStart || block > heapEnd - MIN_BLOCK_BYTES || (block & (GRANULE - 1)) != 0) {
            throw new CorruptedRegionException("free list link " + block + " points outside the heap", block);
        }
        return checkFreeBlock(block, memory.getLong(block));
    }

    private long checkFreeBlock(long block, long sizeFlags) {
        long size = size(sizeFlags);
        if (block < heapStart || (block & (GRANULE - 1)) != 0 || inUse(sizeFlags) || size < MIN_BLOCK_BYTES
                || size > heapEnd - block) {
            throw new CorruptedRegionException("not a valid free block (size/flags " + sizeFlags + ")", block);
        }
        return size;
    }

    private long checkUsed(long payload) {
        long block = payload - HEADER_BYTES;
        if (block < heapStart || block > heapEnd - MIN_BLOCK_BYTES || (block & (GRANULE - 1)) != 0) {
            throw new CorruptedRegionException("offset " + payload + " is not a block payload in the heap", payload);
        }
        long sizeFlags = memory.getLong(block);
        long size = size(sizeFlags);
        if (!inUse(sizeFlags) || size < MIN_BLOCK_BYTES || size > heapEnd - block) {
            throw new CorruptedRegionException("offset " + payload + " is not a used block (size/flags " + sizeFlags + ")", block);
        }
        return block;
    }

    private boolean binEmpty(int bin) {
        return (memory.getLong(BITMAP_OFFSET + (bin >>> 6) * 8L) & (1L << (bin & 63))) == 0;
    }

    private void setBinBit(int bin, boolean set) {
        long offset = BITMAP_OFFSET + (bin >>> 6) * 8L;
        long word = memory.getLong(offset);
        memory.putLongRebuilt(offset, set ? word | (1L << (bin & 63)) : word & ~(1L << (bin & 63)));
    }

    private int nextNonEmptyBin(int from) {
        for (int w = from >>> 6; w < BITMAP_WORDS && from < BIN_COUNT; w++) {
            long word = memory.getLong(BITMAP_OFFSET + w * 8L);
            if (w == from >>> 6) {
                word &= -1L << (from & 63);
            }
            if (word != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        return -1;
    }

    // The counters change with every allocation and free, so they stay out of the undo log
    // (four entries fewer per call); a takeover counts them again ({@link #rebuildAfterRollback}).

    private void addUsed(long bytes, long blocks) {
        memory.putLongUnlogged(USED_BYTES_OFFSET, memory.getLong(USED_BYTES_OFFSET) + bytes);
        memory.putLongUnlogged(USED_BLOCKS_OFFSET, memory.getLong(USED_BLOCKS_OFFSET) + blocks);
    }

    private void addFree(long bytes, long blocks) {
        memory.putLongUnlogged(FREE_BYTES_OFFSET, memory.getLong(FREE_BYTES_OFFSET) + bytes);
        memory.putLongUnlogged(FREE_BLOCKS_OFFSET, memory.getLong(FREE_BLOCKS_OFFSET) + blocks);
    }

    /**
     * Rebuilds, from the block headers, everything the undo log does not keep: the counters, and
     * the free-block bookkeeping ({@link RegionMemory#putLongRebuilt}: free lists, bin heads, the
     * bitmap, free blocks' footers). Run after every takeover, under the lock and before anyone
     * reads: the headers are as the last committed operation left them (the log restored the
     * ones a dead owner changed), and the rest follows from them. A dead owner may also have
     * died after changing only rebuilt words, with nothing in the log.
     *
     * <p>Bounded by the heap's size; a block that does not fit ends the walk (the
     * {@link #verify} that follows reports it). Idempotent: a taker that dies here leaves the
     * headers untouched, and the next one rebuilds again.
     */
    public void rebuildAfterRollback() {
        for (int i = 0; i < BITMAP_WORDS; i++) {
            memory.putLongUnlogged(BITMAP_OFFSET + i * 8L, 0);
        }
        for (int bin = 0; bin < BIN_COUNT; bin++) {
            memory.putLongUnlogged(binHeadOffset(bin), 0);
        }
        long usedBytes = 0;
        long usedBlocks = 0;
        long freeBytes = 0;
        long freeBlocks = 0;
        for (long block = heapStart; block < heapEnd; ) {
            long sizeFlags = memory.getLong(block);
            long size = size(sizeFlags);
            if (size < MIN_BLOCK_BYTES || size > heapEnd - block) {
                break;
            }
            if (inUse(sizeFlags)) {
                usedBytes += size;
                usedBlocks++;
            } else {
                freeBytes += size;
                freeBlocks++;
                // Pushed in address order at the head of its bin: no checks needed, the lists
                // were emptied above and hold only blocks this walk found.
                int bin = binOf(size);
                long headOffset = binHeadOffset(bin);
                long head = memory.getLong(headOffset);
                memory.putLongUnlogged(footerOffset(block, size), size);
                memory.putLongUnlogged(block + NEXT_FREE_OFFSET, head);
                memory.putLongUnlogged(block + PREV_FREE_OFFSET, 0);
                if (head != 0) {
                    memory.putLongUnlogged(head + PREV_FREE_OFFSET, block);
                } else {
                    long bitmapWord = BITMAP_OFFSET + (bin >>> 6) * 8L;
                    memory.putLongUnlogged(bitmapWord, memory.getLong(bitmapWord) | (1L << (bin & 63)));
                }
                memory.putLongUnlogged(headOffset, block);
            }
            block += size;
        }
        memory.putLongUnlogged(USED_BYTES_OFFSET, usedBytes);
        memory.putLongUnlogged(USED_BLOCKS_OFFSET, usedBlocks);
        memory.putLongUnlogged(FREE_BYTES_OFFSET, freeBytes);
        memory.putLongUnlogged(FREE_BLOCKS_OFFSET, freeBlocks);
    }
}
