package io.ipcobjects.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: this process took a region's lock over from a holder that died. */
@Name("io.ipcobjects.LockTakeover")
@Label("Lock Takeover")
@Category({"ipc-objects", "Lock"})
@Description("The region lock was taken over from a process or thread that died holding it")
@StackTrace(false)
final class LockTakeoverEvent extends jdk.jfr.Event {
    @Label("Region")
    String region;

    @Label("Dead Holder Pid")
    @Description("As the dead holder's pid namespace numbers it; 0 if unknown")
    long deadPid;

    @Label("Thread Of This Process")
    boolean threadOfThisProcess;

    @Label("Rolled Back")
    @DataAmount
    long rolledBackBytes;
}
