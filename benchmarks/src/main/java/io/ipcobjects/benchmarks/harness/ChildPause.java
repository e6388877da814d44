package io.ipcobjects.benchmarks.harness;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Stops and resumes a child JVM as a whole with {@code SIGSTOP} and {@code SIGCONT} (libc's
 * {@code kill}, through the FFM linker), so that several scenarios can be set up at once and
 * measured window by window in turn ({@link InterleavedRun}) while only one child runs: a stopped
 * child takes no CPU time, whatever loop it was in, and goes on from the same instruction when
 * resumed. Linux only (the signal numbers are Linux's, the same on x86-64 and AArch64).
 */
final class ChildPause {

    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;
    private static final MethodHandle KILL = kill();

    private ChildPause() {
    }

    /** Why stopping children cannot work here, or null if it can. */
    static String unsupportedReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "stopping a child between windows needs Linux (SIGSTOP/SIGCONT), this is " + System.getProperty("os.name");
        }
        return KILL == null ? "libc's kill() was not found by the FFM linker" : null;
    }

    /** Stops process {@code pid} (every thread of it) until {@link #resume}. */
    static void stop(long pid) {
        signal(pid, SIGSTOP, "SIGSTOP");
    }

    /** Lets process {@code pid} go on after {@link #stop}; harmless on a process that runs. */
    static void resume(long pid) {
        signal(pid, SIGCONT, "SIGCONT");
    }

    private static void signal(long pid, int signal, String name) {
        if (KILL == null) {
            throw new IllegalStateException(unsupportedReason());
        }
        int result;
        try {
            result = (int) KILL.invokeExact(Math.toIntExact(pid), signal);
        } catch (Throwable t) {
            throw new IllegalStateException("kill(" + pid + ", " + name + ") failed", t);
        }
        if (result != 0) {
            throw new IllegalStateException("kill(" + pid + ", " + name + ") returned " + result + ": the child is gone");
        }
    }

    private static MethodHandle kill() {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("kill")
                .map(address -> linker.downcallHandle(address,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)))
                .orElse(null);
    }
}
