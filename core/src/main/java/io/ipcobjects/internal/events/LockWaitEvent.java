package io.ipcobjects.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * JFR: a thread waited for a region's lock (another process or thread held it). Recorded when the
 * wait lasts longer than the threshold (10 ms unless the recording's settings say otherwise).
 * Only waits that reach the lock's slow path are timed, so an uncontended acquire costs nothing.
 */
@Name("io.ipcobjects.LockWait")
@Label("Lock Wait")
@Category({"ipc-objects", "Lock"})
@Description("A thread waited for the region lock")
@Threshold("10 ms")
@StackTrace(true)
public final class LockWaitEvent extends jdk.jfr.Event {
    @Label("Region")
    public String region;

    @Label("Outcome")
    @Description("ACQUIRED, TAKEN_OVER or TIMED_OUT")
    public String outcome;
}
