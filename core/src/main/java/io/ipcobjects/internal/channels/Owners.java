package io.ipcobjects.internal.channels;

/**
 * Who holds ring entries and tensor slots: this process's claim id and whether another id's
 * process still lives. Backed by the process table ({@code memory.ProcessTable#claimId}).
 */
public interface Owners {

    /** This handle's claim id (28 bits: process-table slot and generation). */
    int ownId();

    /**
     * Whether the process that claimed with {@code id} still lives: asks the kernel (a file-lock
     * probe), so it is for waiters that have waited a while, never for the fast path.
     */
    boolean isLive(int id);

    /** The pid of the process that claimed with {@code id}, as the process table records it, for messages; 0 if none. */
    long pid(int id);
}
