package io.ipcobjects.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A child JVM started with this JVM's java binary and class path, running a {@code main} class
 * of the tests. Its standard output and error are collected; {@link #await} bounds how long a
 * test waits, so a stuck child fails the test instead of hanging the build.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.start(CounterChild.class, regionName, "100000")) {
 *     ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60)); // exit 0, or fails with its output
 *     assertEquals("100000", r.value("done"), r.describe());
 * }
 * }</pre>
 *
 * <p>A child that dies fails its test at once, with its output: {@link #awaitSuccess} returns as
 * soon as the child exits, and a parent that waits for something a child will do waits with
 * {@link #awaitCondition} (or {@link ReadySignal#await(java.nio.file.Path, Duration, ChildJvm...)}),
 * which ends when a watched child dies. Extra flags for every child (a coverage agent, say)
 * come from the system property {@value #CHILD_FLAGS_PROPERTY}, split at whitespace.
 */
public final class ChildJvm implements AutoCloseable {

    /** What a finished child printed and returned. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** Lines of standard output. */
        public List<String> lines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\\R"));
        }

        /** The value of the last output line of the form {@code key=value}, or null. */
        public String value(String key) {
            String found = null;
            for (String line : lines()) {
                if (line.startsWith(key + "=")) {
                    found = line.substring(key.length() + 1);
                }
            }
            return found;
        }

        public String describe() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }

        /** Fails with the child's output unless it exited with 0; returns this result. */
        public Result assertSucceeded() {
            if (exitCode != 0) {
                throw new AssertionError("child JVM failed: " + describe());
            }
            return this;
        }
    }

    /** System property whose value (flags split at whitespace) every child JVM gets, e.g. a coverage agent. */
    public static final String CHILD_FLAGS_PROPERTY = "ipcobjects.test.childJvmFlags";

    private final Process process;
    private final CompletableFuture<String> stdout;
    private final CompletableFuture<String> stderr;

    private ChildJvm(Process process) {
        this.process = process;
        this.stdout = drain(process.getInputStream());
        this.stderr = drain(process.getErrorStream());
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM; extra JVM flags come from {@link #jvmFlags}. */
    public static ChildJvm start(Class<?> mainClass, String... args) {
        return start(List.of(), mainClass, args);
    }

    /** As {@link #start(Class, String...)} with additional JVM options (e.g. {@code -Dkey=value}). */
    public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, String... args) {
        return startWrapped(List.of(), jvmOptions, mainClass, args);
    }

    /**
     * As {@link #start(List, Class, String...)}, with the java command run by {@code wrapper}: its
     * words come first, e.g. {@code unshare --pid --fork --mount-proc}, or
     * {@code sh -c '... && exec "$@"' sh} to prepare something before the JVM starts. {@link #kill9}
     * kills the wrapper's descendants (the JVM) too.
     */
    public static ChildJvm startWrapped(List<String> wrapper, List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(wrapper);
        command.add(javaBinary());
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmFlags());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName()); // ends the child when this JVM ends
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            return new ChildJvm(new ProcessBuilder(command).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + command, e);
        }
    }

    /**
     * Flags every child gets: the native-access flags when this JVM has them (binding tests),
     * and the system properties the bindings read.
     */
    private static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>();
        for (String arg : ProcessHandle.current().info().arguments().orElse(new String[0])) {
            if (arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access")
                    || arg.startsWith("-Dai.djl.") || arg.startsWith("-Dorg.bytedeco.") || arg.startsWith("-DDJL_CACHE_DIR")
                    || arg.startsWith("-DENGINE_CACHE_DIR")) {
                flags.add(arg);
            }
        }
        String extra = System.getProperty(CHILD_FLAGS_PROPERTY, "").strip();
        if (!extra.isEmpty()) {
            flags.addAll(List.of(extra.split("\\s+")));
        }
        return flags;
    }

    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> System.getProperty("java.home") + "/bin/java");
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Output printed so far is not available before exit; this waits for the exit, bounded. */
    public Result await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("child JVM " + process.pid() + " did not finish within " + timeout + "\n"
                        + partial());
            }
            return new Result(process.exitValue(), stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for child JVM", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("cannot read child JVM output", e);
        }
    }

    /** {@link #await} and {@link Result#assertSucceeded()}: exit 0 within {@code timeout}, or the test fails with the child's output. */
    public Result awaitSuccess(Duration timeout) {
        return await(timeout).assertSucceeded();
    }

    /**
     * Fails with the child's exit code and output if it has died (exited with a code other than
     * 0, or was killed); does nothing while it runs or after a clean exit. For a parent that
     * waits for something the child should do.
     */
    public void failIfDied(String waitingFor) {
        if (!process.isAlive() && process.exitValue() != 0) {
            Result result = await(Duration.ofSeconds(10));
            throw new AssertionError("child JVM " + process.pid() + " died while the test waited for " + waitingFor
                    + ": " + result.describe());
        }
    }

    /**
     * Waits until {@code condition} holds, polling every millisecond; fails at once, with the
     * child's output, if one of {@code watched} dies first (see {@link #failIfDied}), and after
     * {@code timeout} otherwise. A child that exited cleanly may have done its part, and the
     * condition may follow a little later (a message it put being taken), so that is no failure.
     */
    public static void awaitCondition(BooleanSupplier condition, Duration timeout, String what, ChildJvm... watched) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            for (ChildJvm child : watched) {
                if (!child.process.isAlive() && !condition.getAsBoolean()) {
                    child.failIfDied(what);
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                StringBuilder children = new StringBuilder();
                for (ChildJvm child : watched) {
                    children.append("\nchild ").append(child.pid())
                            .append(child.process.isAlive() ? " still running" : " exited with 0: " + child.await(Duration.ofSeconds(10)).describe());
                }
                throw new AssertionError("no " + what + " within " + timeout + children);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Sends SIGKILL ({@code kill -9}) to the child and its descendants (a wrapped JVM: see
     * {@link #startWrapped}) and waits until they are gone.
     */
    public void kill9() {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            for (ProcessHandle descendant : descendants) {
                descendant.onExit().get(30, TimeUnit.SECONDS);
            }
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("a descendant of child " + process.pid() + " did not die", e);
        }
    }

    private String partial() {
        return "--- stdout ---\n" + stdout.getNow("(not finished)") + "\n--- stderr ---\n" + stderr.getNow("(not finished)");
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output lost: " + e + ")";
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "child-jvm-output");
            t.setDaemon(true);
            t.start();
        });
    }
}
