package io.ipcobjects.childjvm;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * What a {@link ChildJvm} runs: the child's {@code main} class, with a watch on the parent JVM.
 * When the parent is gone (a test JVM killed on a timeout, a mutation-testing minion ended),
 * the child halts too, so no child is left behind holding a lock or a region file.
 *
 * <p>args: parent pid, main class, the main class's arguments. An exception thrown by the main
 * class ends this {@code main} the same way, so the child exits non-zero.
 */
public final class ChildMain {
    private ChildMain() {
    }

    /** Exit status of a child whose parent JVM went away. */
    public static final int PARENT_GONE = 86;

    public static void main(String[] args) throws Throwable {
        long parentPid = Long.parseLong(args[0]);
        // A parent this child cannot see (it runs in another pid namespace, under unshare) is not
        // watched: absent from this namespace's /proc does not mean gone.
        ProcessHandle.of(parentPid).ifPresent(parent -> parent.onExit().thenRun(ChildMain::parentGone));
        try {
            Class.forName(args[1]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void parentGone() {
        System.err.println("the parent JVM is gone: this child halts");
        Runtime.getRuntime().halt(PARENT_GONE);
    }
}
