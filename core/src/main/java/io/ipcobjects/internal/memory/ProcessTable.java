package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.ProcessTableLayout.*;

import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.internal.events.RegionEvents;

/**
 * Claims, releases and inspects process-table slots (layout: {@link ProcessTableLayout}) for one
 * handle, whose file ({@link OpenRegion}) carries the slot locks.
 *
 * <p>Protocol: a slot belongs to a live handle exactly while its byte in the file is locked
 * ({@link FileLockLayout#slotLockByte}); the kernel drops the lock when the handle closes its
 * descriptor or its process dies. So:
 * <ul>
 *   <li>claiming takes the byte lock without waiting (locked: in use, try the next slot), then
 *       CASes the slot word from what it is to {@code (g+1, CLAIMING)}, fills the fields with
 *       plain writes and publishes {@code (g+1, ATTACHED)} with release. A slot a dead handle
 *       left ATTACHED or CLAIMING is simply claimed again;</li>
 *   <li>a token is live when its slot word still names its generation as ATTACHED and another
 *       description holds the slot's byte lock;</li>
 *   <li>reclaiming a dead handle's slot takes the byte lock (it succeeds only if the holder is
 *       gone), CASes {@code (g, ATTACHED)} to {@code (g, FREE)}, and drops the lock.</li>
 * </ul>
 * Only the holder of a slot's byte lock writes its word, so claiming and reclaiming never race.
 * The word's CAS from exactly the generation seen keeps a stale reclaimer (two threads of one
 * handle share one description, whose locks never conflict) from freeing a newer attachment.
 *
 * <p>Benign race: a check may see a dead token's word a moment before a new claimer, holding the
 * byte already, bumps the generation, and call the dead token live once; the next check sees the
 * new generation. The opposite error cannot happen: a live holder locks its byte before it
 * publishes ATTACHED and unlocks only after it freed the word.
 */
public final class ProcessTable {

    private final RegionMemory memory;
    private final OpenRegion file;
    /** This handle's token once {@link #attach} succeeded, else 0. */
    private volatile long ownToken;

    public ProcessTable(RegionMemory memory, OpenRegion file) {
        this.memory = memory;
        this.file = file;
    }

    /** The path the region was opened at (for messages and events). */
    public java.nio.file.Path regionPath() {
        return file.path();
    }

    /** The pid recorded in the slot that {@code token} names (as its own pid namespace numbers it), for messages; 0 if none. */
    public long recordedPid(long token) {
        int slot = tokenSlot(token);
        return slot < 0 || slot >= SLOT_COUNT ? 0 : memory.getLongVolatile(slotOffset(slot) + PID_OFFSET);
    }

    /** Claims a slot for this handle and returns its lock-owner token. */
    public long attach(int role) {
        ProcessIdentity self = ProcessIdentity.current();
        for (int slot = 0; slot < SLOT_COUNT; slot++) {
            if (!file.tryLockSlot(slot)) {
                continue; // held by a live handle
            }
            long base = slotOffset(slot);
            long word = memory.getLongVolatile(base + SLOT_WORD_OFFSET);
            long generation = generation(word) + 1;
            if (!memory.compareAndSetLong(base + SLOT_WORD_OFFSET, word, slotWord(generation, STATE_CLAIMING))) {
                // Only a writer that ignores the byte locks gets here: leave the slot to it.
                file.unlockSlot(slot);
                continue;
            }
            if (state(word) != STATE_FREE) { // the byte lock was free: a process died attached (or attaching)
                RegionEvents.slotReclaimed(file.path(), slot, memory.getLong(base + PID_OFFSET));
            }
            ProcessCounters.clear(memory, slot);
            // Plain writes: nobody reads these fields before the release below publishes them.
            memory.putLong(base + PID_OFFSET, self.pid());
            memory.putLong(base + START_TICKS_OFFSET, self.startTicks());
            memory.putInt(base + ROLE_OFFSET, role);
            memory.putLong(base + ATTACHED_AT_MILLIS_OFFSET, System.currentTimeMillis());
            memory.putLong(base + PID_NAMESPACE_OFFSET, self.pidNamespace());
            memory.putLongRelease(base + SLOT_WORD_OFFSET, slotWord(generation, STATE_ATTACHED));
            ownToken = token(slot, generation);
            return ownToken;
        }
        throw new IpcObjectsException("process table is full: " + SLOT_COUNT + " live processes are attached");
    }

    /** Frees the slot of {@code token} if it still names it, then drops its byte lock. */
    public void detach(long token) {
        int slot = tokenSlot(token);
        if (slot < 0 || slot >= SLOT_COUNT) {
            return;
        }
        long base = slotOffset(slot);
        long attached = slotWord(tokenGeneration(token), STATE_ATTACHED);
        memory.compareAndSetLong(base + SLOT_WORD_OFFSET, attached, slotWord(tokenGeneration(token), STATE_FREE));
        if (token == ownToken) {
            ownToken = 0;
            file.unlockSlot(slot); // after freeing the word: a claimer that gets the byte finds it FREE
        }
    }

    /**
     * Whether the attachment named by {@code token} is still live: its slot still holds that
     * generation as ATTACHED, and its byte is locked by another description (or it is this
     * handle's own slot, whose lock this description holds).
     */
    public boolean isLive(long token) {
        int slot = tokenSlot(token);
        if (slot < 0 || slot >= SLOT_COUNT) {
            return false;
        }
        long word = memory.getLongAcquire(slotOffset(slot) + SLOT_WORD_OFFSET);
        if (word != slotWord(tokenGeneration(token), STATE_ATTACHED)) {
            return false;
        }
        return token == ownToken || file.slotLockedElsewhere(slot);
    }

    /** Reclaims the slot named by {@code token}, if its handle is gone. Returns true if freed. */
    public boolean reclaimIfDead(long token) {
        int slot = tokenSlot(token);
        if (slot < 0 || slot >= SLOT_COUNT || token == ownToken) {
            return false;
        }
        long base = slotOffset(slot);
        long attached = slotWord(tokenGeneration(token), STATE_ATTACHED);
        if (memory.getLongAcquire(base + SLOT_WORD_OFFSET) != attached || !file.tryLockSlot(slot)) {
            return false; // not that attachment any more, or its holder lives
        }
        try {
            boolean freed = memory.compareAndSetLong(base + SLOT_WORD_OFFSET, attached,
                    slotWord(tokenGeneration(token), STATE_FREE));
            if (freed) {
                RegionEvents.slotReclaimed(file.path(), slot, memory.getLong(base + PID_OFFSET));
            }
            return freed;
        } finally {
            file.unlockSlot(slot);
        }
    }

    /**
     * The 28-bit claim id of {@code token} that lock-free rings record as an entry's owner: the
     * slot in the low 6 bits, the low 22 bits of the generation above them. A slot reclaimed and
     * claimed again 4 million times between a death and a check could pass for its dead holder;
     * nothing else can.
     */
    public static int claimId(long token) {
        return (tokenSlot(token) & (SLOT_COUNT - 1)) | (int) ((tokenGeneration(token) & 0x3F_FFFF) << 6);
    }

    /** The pid recorded in the slot a {@linkplain #claimId claim id} names, for messages; 0 if none. */
    public long recordedPidOfClaim(int claimId) {
        return memory.getLongVolatile(slotOffset(claimId & (SLOT_COUNT - 1)) + PID_OFFSET);
    }

    /** Whether the attachment a {@linkplain #claimId claim id} names still lives (see {@link #isLive}). */
    public boolean isClaimLive(int claimId) {
        int slot = claimId & (SLOT_COUNT - 1);
        long word = memory.getLongAcquire(slotOffset(slot) + SLOT_WORD_OFFSET);
        if (state(word) != STATE_ATTACHED || (generation(word) & 0x3F_FFFF) != (claimId >>> 6)) {
            return false;
        }
        long token = token(slot, generation(word));
        return token == ownToken || file.slotLockedElsewhere(slot);
    }

    /** Number of live attachments with the given role (dead ones are reclaimed on the way). */
    public int countLive(int role) {
        int live = 0;
        for (int slot = 0; slot < SLOT_COUNT; slot++) {
            long base = slotOffset(slot);
            long word = memory.getLongAcquire(base + SLOT_WORD_OFFSET);
            if (state(word) != STATE_ATTACHED || memory.getInt(base + ROLE_OFFSET) != role) {
                continue;
            }
            long token = token(slot, generation(word));
            if (isLive(token)) {
                live++;
            } else {
                reclaimIfDead(token);
            }
        }
        return live;
    }
}
