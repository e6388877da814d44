package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.ProcessTableLayout.*;

import io.ipcobjects.IpcObjectsException;

/**
 * Claims, releases and inspects process-table slots (layout: {@link ProcessTableLayout}).
 *
 * <p>Protocol: a slot is claimed by CAS on its slot word (FREE to CLAIMING with the generation
 * bumped), filled with plain writes, and published as ATTACHED with a release store; readers
 * load the slot word with acquire before reading the other fields. A slot whose process died is
 * reclaimed by whoever notices (an attacher finding the table full, the lock's takeover, the
 * creator counting consumers) with one CAS from exactly the word it saw, so two reclaimers
 * cannot both succeed and a newer attachment is never freed by mistake.
 */
public final class ProcessTable {

    private final RegionMemory memory;

    public ProcessTable(RegionMemory memory) {
        this.memory = memory;
    }

    /** Claims a slot for this process and returns its lock-owner token. */
    public long attach(ProcessIdentity self, int role) {
        for (int round = 0; round < 2; round++) {
            for (int slot = 0; slot < SLOT_COUNT; slot++) {
                long base = slotOffset(slot);
                long word = memory.getLongVolatile(base + SLOT_WORD_OFFSET);
                if (state(word) != STATE_FREE) {
                    continue;
                }
                long generation = generation(word) + 1;
                if (!memory.compareAndSetLong(base + SLOT_WORD_OFFSET, word, slotWord(generation, STATE_CLAIMING))) {
                    continue;
                }
                memory.putLong(base + PID_OFFSET, self.pid());
                memory.putLong(base + START_TICKS_OFFSET, self.startTime());
                memory.putInt(base + ROLE_OFFSET, role);
                memory.putLong(base + ATTACHED_AT_MILLIS_OFFSET, System.currentTimeMillis());
                memory.putLongRelease(base + SLOT_WORD_OFFSET, slotWord(generation, STATE_ATTACHED));
                return token(slot, generation);
            }
            reclaimDead();
        }
        throw new IpcObjectsException("process table is full: " + SLOT_COUNT + " live processes are attached");
    }

    /** Frees the slot of {@code token} if it still names it. */
    public void detach(long token) {
        int slot = tokenSlot(token);
        if (slot < 0 || slot >= SLOT_COUNT) {
            return;
        }
        long base = slotOffset(slot);
        long attached = slotWord(tokenGeneration(token), STATE_ATTACHED);
        memory.compareAndSetLong(base + SLOT_WORD_OFFSET, attached, slotWord(tokenGeneration(token), STATE_FREE));
    }

    /**
     * Whether the attachment named by {@code token} is still live: its slot still holds that
     * generation, and the process recorded there runs with the same start time.
     */
    public boolean isLive(long token) {
        int slot = tokenSlot(token);
        if (slot < 0 || slot >= SLOT_COUNT) {
            return false;
        }
        long base = slotOffset(slot);
        long word = memory.getLongAcquire(base + SLOT_WORD_OFFSET);
        if (word != slotWord(tokenGeneration(token), STATE_ATTACHED)) {
            return false;
        }
        return identityAt(base).isAlive();
    }

    /** Reclaims the slot named by {@code token}, if its process is dead. Returns true if freed. */
    public boolean reclaimIfDead(long token) {
        int slot = tokenSlot(token);
        if (slot < 0 || slot >= SLOT_COUNT) {
            return false;
        }
        long base = slotOffset(slot);
        long attached = slotWord(tokenGeneration(token), STATE_ATTACHED);
        if (memory.getLongAcquire(base + SLOT_WORD_OFFSET) != attached || identityAt(base).isAlive()) {
            return false;
        }
        return memory.compareAndSetLong(base + SLOT_WORD_OFFSET, attached, slotWord(tokenGeneration(token), STATE_FREE));
    }

    /** Frees every ATTACHED slot whose process is gone; returns how many. */
    public int reclaimDead() {
        int freed = 0;
        for (int slot = 0; slot < SLOT_COUNT; slot++) {
            long word = memory.getLongAcquire(slotOffset(slot) + SLOT_WORD_OFFSET);
            if (state(word) == STATE_ATTACHED && reclaimIfDead(token(slot, generation(word)))) {
                freed++;
            }
        }
        return freed;
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
            if (identityAt(base).isAlive()) {
                live++;
            } else {
                reclaimIfDead(token(slot, generation(word)));
            }
        }
        return live;
    }

    private ProcessIdentity identityAt(long base) {
        return new ProcessIdentity(memory.getLong(base + PID_OFFSET), memory.getLong(base + START_TICKS_OFFSET));
    }
}
