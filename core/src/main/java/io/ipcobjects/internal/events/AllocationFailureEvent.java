package io.ipcobjects.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: an allocation in a region's heap did not fit ({@code OutOfSharedMemoryException}). */
@Name("io.ipcobjects.AllocationFailure")
@Label("Allocation Failure")
@Category({"ipc-objects", "Heap"})
@Description("An allocation in a region's heap did not fit")
@StackTrace(true)
final class AllocationFailureEvent extends jdk.jfr.Event {
    @Label("Requested")
    @DataAmount
    long requestedBytes;

    @Label("Free")
    @DataAmount
    long freeBytes;

    @Label("Largest Free Block")
    @DataAmount
    long largestFreeBlock;
}
