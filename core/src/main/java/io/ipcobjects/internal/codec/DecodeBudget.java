package io.ipcobjects.internal.codec;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.BlockLayout;

import java.util.Arrays;

/**
 * What one read of the region may cost: the bound that makes a hostile region's worst case a
 * {@link CorruptedRegionException} instead of an {@code OutOfMemoryError} or an endless walk.
 *
 * <h2>Why these limits never trip on a value a writer stored</h2>
 * A read charges every block it materializes (a blob, a tuple, a struct) with the bytes of the
 * block it read, and counts it as one node. A value stored by the codec is a tree: each of those
 * blocks is owned by exactly one slot, so one read reaches each at most once, and the blocks it
 * charges are distinct blocks of the heap. Their bytes therefore add up to at most the heap's
 * size ({@link #maxBytes}), and their number to at most the heap's size over the smallest block
 * ({@link #maxNodes}). Only a region in which two slots share a block (a DAG), or a block holds
 * itself (a cycle), can go past either: then the read is refused. So a DAG is decoded once per
 * reference while that stays within what a legitimate region of this size could hold, and the
 * Java objects a read makes are bounded by a small multiple of the region's size. Nesting is
 * bounded by {@link ValueSlots#MAX_DEPTH}, as writers bound it, and a block found again on the
 * path that leads to it is refused at once as a cycle.
 *
 * <h2>What is not charged</h2>
 * Inline values, live container views and tensor headers cost a constant per slot, and every
 * slot lies in a block that is charged (or is a root), so they need no charge of their own.
 *
 * <h2>Scope and threads</h2>
 * One instance per handle ({@link RegionContext#budget()}), used only under the region lock, so
 * by one thread at a time, and reused: no allocation per read. {@link #begin()} and
 * {@link #end()} bracket one operation; only the outermost {@code begin} resets the counters, so
 * an operation that reads many slots (a deep copy, {@code toArray}) shares one budget, and a read
 * re-entered from user code (a record's constructor reading the region) counts against the read
 * that called it.
 */
public final class DecodeBudget {

    private final long maxBytes;
    private final long maxNodes;
    /** Nesting of {@link #begin()} calls. */
    private int operations;
    private long bytes;
    private long nodes;
    /** Blocks being decoded, outermost first: the path to the current one. */
    private long[] path = new long[16];
    private int depth;

    /** A budget for a heap of {@code heapBytes}. */
    public DecodeBudget(long heapBytes) {
        this.maxBytes = heapBytes;
        this.maxNodes = heapBytes / BlockLayout.MIN_BLOCK_BYTES;
    }

    /** Most bytes of blocks one operation may materialize: the heap's size. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Most blocks one operation may materialize: the heap's size over the smallest block. */
    public long maxNodes() {
        return maxNodes;
    }

    /** Starts an operation; the outermost one starts from zero. Pair with {@link #end()} in a finally. */
    public void begin() {
        if (operations++ == 0) {
            bytes = 0;
            nodes = 0;
            depth = 0;
        }
    }

    /** Ends the operation {@link #begin()} started. */
    public void end() {
        operations--;
    }

    /** Charges a block read as a leaf (a blob) of {@code blockBytes}, found at {@code block}. */
    public void charge(long block, long blockBytes) {
        nodes++;
        bytes += blockBytes;
        if (bytes > maxBytes || nodes > maxNodes) {
            throw new CorruptedRegionException("reading this value would materialize " + (bytes > maxBytes
                    ? "more than " + maxBytes + " bytes of blocks" : "more than " + maxNodes + " blocks")
                    + ", more than the heap holds: slots share a block (block " + block + " is reached again)", block);
        }
    }

    /**
     * Enters the compound block (tuple, struct) at {@code block} of {@code blockBytes}: charges
     * it, and refuses it if it is already on the path (a cycle) or nests too deep. Pair with
     * {@link #exit()} in a finally.
     */
    public void enter(long block, long blockBytes) {
        if (depth > ValueSlots.MAX_DEPTH) {
            throw new CorruptedRegionException("values nest deeper than " + ValueSlots.MAX_DEPTH + " levels", block);
        }
        for (int i = 0; i < depth; i++) {
            if (path[i] == block) {
                throw new CorruptedRegionException("block " + block + " holds itself, " + (depth - i)
                        + " levels down: a cycle", block);
            }
        }
        charge(block, blockBytes);
        if (depth == path.length) {
            path = Arrays.copyOf(path, path.length * 2);
        }
        path[depth++] = block;
    }

    /** Leaves the block last {@link #enter entered}. */
    public void exit() {
        depth--;
    }

    /** Compound blocks open now: the nesting level of the next one entered. */
    public int depth() {
        return depth;
    }
}
