package io.ipcobjects;

/**
 * What one attachment of a process to a region has done, counted in the region itself (so an
 * inspector in another process can read it): {@link SharedMemory#processStats()}. Counts start
 * at 0 when the process attaches. They are statistics, not state: a scope that was rolled back
 * after a crash stays counted.
 *
 * @param lockAcquisitions acquisitions of the region lock (a re-entry is not one)
 * @param lockWaits        acquisitions that had to wait for another holder
 * @param lockHandOffs     acquisitions handed over directly by the releasing holder, this process
 *                         having queued as its successor
 * @param lockTakeovers    acquisitions that took the lock over from a holder that died
 * @param messagesPut      messages put into the region's channels (its default channel, the
 *                         queue of {@code putMessage}, among them). Counted in the handle and
 *                         added to the region once per 64 messages and whenever the process
 *                         waits in a take or put, takes the lock or reads its own counts: exact
 *                         here, and fewer than 64 behind in another process's inspection of a
 *                         process busy with a stream of messages
 * @param messagesTaken    messages taken from the region's channels, counted as {@code messagesPut}
 * @param bytesAllocated   heap bytes allocated (whole blocks, headers included)
 * @param bytesFreed       heap bytes freed (whole blocks)
 * @param objectsHeld      shared objects (containers, tensors, live objects) this process took by
 *                         reference from a channel or the message queue and has not destroyed or
 *                         passed on: what it must still free; read from the block headers, so it
 *                         is exact, and it stays visible after the process dies
 * @param bytesHeld        the heap bytes of those objects' own blocks
 */
public record ProcessStats(long lockAcquisitions, long lockWaits, long lockHandOffs, long lockTakeovers,
                           long messagesPut, long messagesTaken, long bytesAllocated, long bytesFreed,
                           long objectsHeld, long bytesHeld) {
}
