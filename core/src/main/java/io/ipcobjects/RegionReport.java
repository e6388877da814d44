package io.ipcobjects;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What a region holds, read by {@link SharedMemory#inspect(Path)} from outside: without
 * attaching, without a process-table slot, without the lock, through a read-only mapping. For
 * operators and tools (the {@code ipc-inspect} command prints it), the way {@code AeronStat}
 * prints a running Aeron's counters.
 *
 * <p>A snapshot read while the region's processes may be working: each part was read at a
 * slightly different moment, and a part that was being changed while it was read can be
 * incomplete; {@link #notes()} then says what could not be read consistently. Nothing in it is
 * a reason to change the region.
 *
 * @param path            the region file
 * @param inspectedAt     when the inspection began
 * @param sizeBytes       the region's size, as its header and file agree
 * @param layoutVersion   the layout version in the header
 * @param state           the region's state in its header
 * @param damage          why the region is marked damaged (every {@code acquire()} refuses it
 *                        until it is recreated), or null while it is sound
 * @param creatorPid      the creator's pid as it recorded it (in its own pid namespace)
 * @param createdAt       when the creator made the region
 * @param anyoneAttached  whether some handle holds the region's presence lock (the kernel's word:
 *                        true while any process is attached)
 * @param processes       the process table's occupied slots, by slot number
 * @param lock            the region lock: owner, queued successor, takeovers
 * @param heap            the heap, counted by walking its blocks (largest free block and
 *                        fragmentation included); null if the walk could not finish (see notes)
 * @param messages        messages waiting in the region's queue
 * @param names           the named objects, by name
 * @param registeredTypes the record and user classes in the type registry, oldest first
 * @param notes           what was found inconsistent or changing while reading; empty when all
 *                        parts read cleanly
 */
public record RegionReport(Path path, Instant inspectedAt, long sizeBytes, int layoutVersion, State state, String damage,
                           long creatorPid, Instant createdAt, boolean anyoneAttached, List<ProcessEntry> processes,
                           LockReport lock, HeapStats heap, long messages, List<NamedObject> names,
                           List<String> registeredTypes, List<String> notes) {

    /** Copies the lists: a report never changes. */
    public RegionReport {
        processes = List.copyOf(processes);
        names = List.copyOf(names);
        registeredTypes = List.copyOf(registeredTypes);
        notes = List.copyOf(notes);
    }

    /**
     * Whether the header records damage.
     *
     * @return true if the region is marked damaged
     */
    public boolean isDamaged() {
        return damage != null;
    }

    /**
     * The processes whose slot the kernel says is held.
     *
     * @return how many attached processes are alive
     */
    public long aliveProcesses() {
        return processes.stream().filter(p -> p.liveness() == Liveness.ALIVE).count();
    }

    /** A region's state, as its header says. */
    public enum State {
        /** A creator is still formatting it. */
        INITIALIZING,
        /** In use: processes may attach. */
        READY,
        /** Its creator is closing it: attached processes finish, new ones are refused. */
        CLOSING,
        /** A state this build does not know (a damaged header). */
        UNKNOWN
    }

    /** Whether a process-table slot's process lives, as the kernel's slot lock says. */
    public enum Liveness {
        /** Its slot lock is held: the process is alive (whatever pid namespace it runs in). */
        ALIVE,
        /** Its process is gone (its slot lock is free); the slot is reclaimed when someone needs it. */
        DEAD,
        /** The slot is being claimed (or its claimer died while claiming it). */
        ATTACHING
    }

    /**
     * One occupied process-table slot.
     *
     * @param slot         the slot number
     * @param generation   how many attachments the slot has seen (a lock token names one)
     * @param pid          the pid it recorded, in its own pid namespace
     * @param startTicks   its process start time, clock ticks since boot (0 if unknown)
     * @param pidNamespace the inode of its pid namespace (0 if unknown): pids of different
     *                     namespaces are different processes
     * @param role         {@code "creator"} or {@code "consumer"} ({@code "unknown"} in a damaged slot)
     * @param attachedAt   when it attached
     * @param liveness     alive, dead or attaching, by the kernel's slot lock
     * @param stats        what the attachment counted in the region: lock acquisitions, waits,
     *                     messages, heap bytes (a dead one's last counts stay until its slot is reused)
     */
    public record ProcessEntry(int slot, long generation, long pid, long startTicks, long pidNamespace, String role,
                               Instant attachedAt, Liveness liveness, ProcessStats stats) {
    }

    /**
     * A process named by the lock word.
     *
     * @param slot   its process-table slot
     * @param pid    the pid that slot recorded, or 0 if the slot has moved on to another attachment
     * @param alive  whether that attachment is alive now (its slot still names it and is locked)
     */
    public record LockHolder(int slot, long pid, boolean alive) {
    }

    /**
     * The region lock.
     *
     * @param owner     the owning process, or null when the lock is free
     * @param successor the waiting process queued to take it next, or null
     * @param takeovers how many times a process took the lock from a dead owner, since creation
     */
    public record LockReport(LockHolder owner, LockHolder successor, long takeovers) {
    }

    /**
     * One named object ({@code put(name, value)}).
     *
     * @param name  its name
     * @param kind  what it holds: a Java type name ({@code "SharedMap"}, {@code "String"},
     *              {@code "SharedTensor"}, a record's class name), or {@code "unreadable"} (then a
     *              note says why)
     * @param dtype a tensor's element type, else null
     * @param shape a tensor's shape, else empty
     * @param bytes a tensor's data bytes; for another value held in a block, that block's
     *              payload bytes (not counting what it refers to); 0 for an inline value
     */
    public record NamedObject(String name, String kind, DType dtype, List<Long> shape, long bytes) {
        /** Copies the shape. */
        public NamedObject {
            shape = List.copyOf(shape);
        }
    }
}
