package io.ipcobjects.internal.codec;

import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;

/**
 * Decides where a destruction too big for the undo log may commit a step
 * ({@link UndoLog#commitStep}), and records what a step leaves half-done so that a takeover
 * finishes it. A step commits everything the scope wrote so far, so it may only fall where the
 * region, as it stands, is whole and a process dying right after it loses nothing:
 * <ul>
 *   <li>in the loop of a container being destroyed that no slot refers to any more: the
 *       <em>detached root</em>, handed over by an operation that first finished every write of
 *       its own ({@link ValueSlots#releaseDetached}, {@code Access.destroy}). Between two of its
 *       elements the root is a shorter container marked as being destroyed (identity 0), and
 *       nothing else is half-done. Before its first step the root's slot kind and offset are
 *       written to the region header ({@link RegionHeaderLayout#PENDING_DESTRUCTION_OFFSET}),
 *       committed with the step; a process that takes the lock over from a dead holder rolls
 *       back to the last step and then finishes destroying the root. The destruction clears the
 *       record once the root's block is freed. So a crash anywhere in {@code remove(name)}
 *       leaves the region as after the whole operation.</li>
 *   <li>in the loop of a container being emptied in place ({@code clear()}): between two
 *       entries it is a live, shorter container.</li>
 * </ul>
 * Nowhere else: not inside a nested container's destruction (its parent still holds it), not
 * while deeper destructions wait ({@link DeferredDestroys}: their containers are unreachable
 * until done), not under tuples, structs or live objects (their released fields are not
 * cleared). There the operation keeps writing to the log, and past its end spills, as any
 * operation larger than the log does.
 *
 * <p>One per handle, used under the lock only.
 */
public final class DestructionSteps {

    /** The detached root's header offset; 0: none. */
    private long root;
    private int rootKind;
    /** Whether the root is written in the region header (and must be cleared there when done). */
    private boolean recorded;

    /**
     * Runs {@code destruction}, which releases or destroys the container of slot kind
     * {@code kind} at {@code offset}, with that container as the detached root: no slot refers
     * to it any more, so if the destruction destroys it, its loop may commit steps.
     * {@code recorded}: the region header names it already (a takeover finishing it). Whatever
     * happens, there is no root afterwards.
     */
    public void runAsRoot(int kind, long offset, boolean recorded, Runnable destruction) {
        root = offset;
        rootKind = kind;
        this.recorded = recorded;
        try {
            destruction.run();
        } finally {
            root = 0;
            this.recorded = false;
        }
    }

    /**
     * From the loop of the container at {@code header} ({@code destroying}: being destroyed,
     * else emptied in place), between two elements: whether a step may be committed here.
     */
    public boolean mayStep(long header, boolean destroying, DeferredDestroys deferred) {
        return (destroying ? header == root && root != 0 : root == 0) && !deferred.pending();
    }

    /**
     * Commits a step at a point {@link #mayStep} allowed: the root is written to the region
     * header first (a logged write, committed with the step) if it is being destroyed.
     */
    public void commitStep(RegionMemory memory, UndoLog undo, long header) {
        if (header == root && !recorded) {
            memory.putInt(RegionHeaderLayout.PENDING_DESTRUCTION_KIND_OFFSET, rootKind);
            memory.putLong(RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET, root);
            recorded = true;
        }
        undo.commitStep();
    }

    /** The container at {@code offset} is destroyed and its block freed: if it was the recorded root, the record goes. */
    public void destroyed(RegionMemory memory, long offset) {
        if (offset == root && recorded) {
            memory.putLong(RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET, 0);
            memory.putInt(RegionHeaderLayout.PENDING_DESTRUCTION_KIND_OFFSET, 0);
            recorded = false;
        }
    }

    /** After a rollback: what this handle remembered is put back in the region, or gone. */
    public void clear() {
        root = 0;
        recorded = false;
    }
}
