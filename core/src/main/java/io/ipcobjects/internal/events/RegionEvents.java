package io.ipcobjects.internal.events;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * The one place that reports what happens to a region behind its users' backs: a lock taken
 * over from a dead holder, a dead process's slot reclaimed, a stale region replaced, a region
 * marked damaged or refused. Each goes to the {@link System.Logger} named {@value #LOGGER_NAME}
 * (so no logging library is forced on users: the JDK routes it to {@code java.util.logging},
 * or to SLF4J / Log4j when their {@code System.LoggerFinder} bridge is on the class path), and the
 * lock and allocator events also to JDK Flight Recorder ({@link LockTakeoverEvent},
 * {@link LockWaitEvent}, {@link AllocationFailureEvent}).
 *
 * <p>Everything here is off the hot path: these are rare events, so messages are built eagerly.
 */
public final class RegionEvents {
    /** The name of the logger every message of the library goes to. */
    public static final String LOGGER_NAME = "io.ipcobjects";

    private static final Logger LOG = System.getLogger(LOGGER_NAME);

    private RegionEvents() {
    }

    /**
     * After a takeover: the dead holder was destroying a container too big for the undo log,
     * in committed steps, and this process finished it.
     */
    public static void pendingDestructionFinished(Path region, long container) {
        LOG.log(Level.INFO, () -> "region " + region + ": finished destroying the container at " + container
                + " that the dead lock holder was destroying");
    }

    /**
     * The lock was taken over from a holder that died: a process ({@code deadPid}, as its own pid
     * namespace numbers it; 0 if unknown) or a thread of this process ({@code threadOfThisProcess}).
     * {@code rolledBackBytes} of its open scope's undo log were put back.
     */
    public static void lockTakenOver(Path region, long deadPid, boolean threadOfThisProcess, long rolledBackBytes) {
        String holder = threadOfThisProcess ? "a thread of this process" : "process " + pidText(deadPid);
        LOG.log(Level.WARNING, () -> "region " + region + ": took the lock over from " + holder + " that died holding it; "
                + (rolledBackBytes > 0 ? "rolled its open scope back (" + rolledBackBytes + " bytes of undo log)"
                : "it had nothing to roll back"));
        LockTakeoverEvent event = new LockTakeoverEvent();
        if (event.shouldCommit()) {
            event.region = region.toString();
            event.deadPid = deadPid;
            event.threadOfThisProcess = threadOfThisProcess;
            event.rolledBackBytes = rolledBackBytes;
            event.commit();
        }
    }

    /** Starts timing a wait for the lock (on its slow path only): pass the result to {@link #lockWaitEnds}. */
    public static LockWaitEvent lockWaitBegins() {
        LockWaitEvent event = new LockWaitEvent();
        event.begin();
        return event;
    }

    /** Records the wait if JFR is recording it and it lasted past the event's threshold. */
    public static void lockWaitEnds(LockWaitEvent event, Path region, Enum<?> outcome) {
        event.end();
        if (event.shouldCommit()) {
            event.region = region.toString();
            event.outcome = outcome.name();
            event.commit();
        }
    }

    /** A dead process's slot in the process table was freed for reuse. */
    public static void slotReclaimed(Path region, int slot, long deadPid) {
        LOG.log(Level.INFO, () -> "region " + region + ": process " + pidText(deadPid) + " is gone; its process-table slot "
                + slot + " is reclaimed");
    }

    /** A region nobody was attached to was replaced by a new one at the same path. */
    public static void staleRegionReplaced(Path region, long oldCreatorPid) {
        LOG.log(Level.INFO, () -> "region " + region + ": replaced a stale region nobody was attached to"
                + (oldCreatorPid > 0 ? " (created by process " + oldCreatorPid + ")" : ""));
    }

    /** The region was marked damaged for every process (the first mark only). */
    public static void regionMarkedDamaged(Path region, String damage) {
        LOG.log(Level.ERROR, () -> "region " + region + " is marked damaged (" + damage
                + "): every process refuses it from now on; recreate it");
    }

    /** Opening or attaching to the file at {@code region} was refused. */
    public static void regionRefused(Path region, RuntimeException why) {
        LOG.log(Level.WARNING, () -> "refused region " + region + ": " + why.getMessage());
    }

    /** An allocation did not fit: {@code requested} bytes with {@code freeBytes} free, the largest block {@code largestFree}. */
    public static void allocationFailed(long requested, long freeBytes, long largestFree) {
        LOG.log(Level.DEBUG, () -> "allocation of " + requested + " bytes failed: " + freeBytes + " bytes free, largest free block "
                + largestFree);
        AllocationFailureEvent event = new AllocationFailureEvent();
        if (event.shouldCommit()) {
            event.requestedBytes = requested;
            event.freeBytes = freeBytes;
            event.largestFreeBlock = largestFree;
            event.commit();
        }
    }

    private static String pidText(long pid) {
        return pid > 0 ? Long.toString(pid) : "(pid unknown)";
    }
}
