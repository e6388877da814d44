package io.ipcobjects.childjvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A child JVM started with this JVM's java binary and class path, running a {@code main} class.
 * Its standard output and error are read line by line as they come: kept (so a failure can show
 * them) and, if asked, echoed to this JVM's own output with a prefix. Every wait is bounded, so a
 * stuck child fails its caller instead of hanging it.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.start(CounterChild.class, regionName, "100000")) {
 *     ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60)); // exit 0, or fails with its output
 *     assertEquals("100000", r.value("done"), r.describe());
 * }
 *
 * ChildJvm worker = ChildJvm.builder(Worker.class).args(region, "1").echo("[worker 1] ").start();
 * }</pre>
 *
 * <p>A child that dies fails its caller at once, with its output: {@link #awaitSuccess} and
 * {@link #awaitAllSuccess} return as soon as a child exits, and a parent that waits for
 * something a child will do waits with {@link #awaitCondition} or checks {@link #failIfDied},
 * which end when a watched child dies. Failures are {@link ChildJvmException}s.
 *
 * <p>The child runs under {@link ChildMain}, which halts it when this JVM is gone, so no child is
 * left behind holding a lock or a region file. Flags it gets: a heap limit and the serial GC
 * (both settable), the native-access and binding flags this JVM was started with
 * ({@code --enable-native-access}, {@code --sun-misc-unsafe-memory-access}, {@code -Dai.djl.*},
 * {@code -Dorg.bytedeco.*}), or all of this JVM's flags with {@link Builder#inheritAllJvmFlags()};
 * then the flags in the system property {@value #CHILD_FLAGS_PROPERTY} (split at whitespace:
 * a coverage agent, say); then the caller's.
 */
public final class ChildJvm implements AutoCloseable {

    /** What a finished child printed and returned. */
    public record Result(long pid, int exitCode, String stdout, String stderr) {
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
            return "child JVM " + pid + ", exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }

        /** Fails with the child's output unless it exited with 0; returns this result. */
        public Result assertSucceeded() {
            if (exitCode != 0) {
                throw new ChildJvmException("child JVM failed: " + describe());
            }
            return this;
        }
    }

    /** A child JVM failed, died, or did not finish in time; the message holds its output. */
    public static final class ChildJvmException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ChildJvmException(String message) {
            super(message);
        }

        public ChildJvmException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** System property whose value (flags split at whitespace) every child JVM gets, e.g. a coverage agent. */
    public static final String CHILD_FLAGS_PROPERTY = "ipcobjects.test.childJvmFlags";

    /** How long the output of an exited child may take to arrive (a descendant may still hold the pipe). */
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final OutputReader stdout;
    private final OutputReader stderr;

    private ChildJvm(Process process, String echoPrefix, boolean inheritedIO) {
        this.process = process;
        this.stdout = new OutputReader(process.getInputStream(), echoPrefix, System.out, inheritedIO);
        this.stderr = new OutputReader(process.getErrorStream(), echoPrefix, System.err, inheritedIO);
    }

    /** A builder for a child running {@code mainClass}. */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass);
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM, its output kept and not echoed. */
    public static ChildJvm start(Class<?> mainClass, String... args) {
        return builder(mainClass).args(args).start();
    }

    /** As {@link #start(Class, String...)} with additional JVM options (e.g. {@code -Dkey=value}). */
    public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, String... args) {
        return builder(mainClass).jvmOptions(jvmOptions).args(args).start();
    }

    /**
     * As {@link #start(List, Class, String...)}, with the java command run by {@code wrapper}: its
     * words come first, e.g. {@code unshare --pid --fork --mount-proc}, or
     * {@code sh -c '... && exec "$@"' sh} to prepare something before the JVM starts. {@link #kill9}
     * kills the wrapper's descendants (the JVM) too.
     */
    public static ChildJvm startWrapped(List<String> wrapper, List<String> jvmOptions, Class<?> mainClass, String... args) {
        return builder(mainClass).wrapper(wrapper).jvmOptions(jvmOptions).args(args).start();
    }

    /** How a child is started; {@link #start()} starts it. */
    public static final class Builder {
        private final Class<?> mainClass;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> wrapper = new ArrayList<>();
        private String maxHeap = "512m";
        private boolean serialGc = true;
        private boolean inheritAllJvmFlags;
        private String echoPrefix;
        private boolean inheritIO;

        private Builder(Class<?> mainClass) {
            this.mainClass = mainClass;
        }

        /** Arguments of the main class. */
        public Builder args(String... args) {
            this.args.addAll(Arrays.asList(args));
            return this;
        }

        /** Arguments of the main class. */
        public Builder args(List<String> args) {
            this.args.addAll(args);
            return this;
        }

        /** JVM options, after the ones this class adds (so they win where the JVM takes the last). */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions.addAll(options);
            return this;
        }

        /** Words run before the java command, e.g. {@code taskset -c 1}. */
        public Builder wrapper(List<String> words) {
            this.wrapper.addAll(words);
            return this;
        }

        /** {@code -Xmx} of the child (default {@code 512m}); null for the JVM's default. */
        public Builder maxHeap(String size) {
            this.maxHeap = size;
            return this;
        }

        /** Whether the child uses the serial GC (default true: small children on a small machine). */
        public Builder serialGc(boolean on) {
            this.serialGc = on;
            return this;
        }

        /**
         * Gives the child every JVM flag this JVM was started with (heap, GC, {@code --add-exports},
         * agents: a benchmark child runs as its parent does) instead of the heap, GC and binding
         * flags chosen here.
         */
        public Builder inheritAllJvmFlags() {
            this.inheritAllJvmFlags = true;
            return this;
        }

        /**
         * Echoes each line the child prints, as it comes, to this JVM's standard output (or error),
         * after {@code prefix}; the output is kept for {@link Result} all the same.
         */
        public Builder echo(String prefix) {
            this.echoPrefix = prefix;
            return this;
        }

        /**
         * Lets the child write straight to this JVM's standard output and error, so its lines and
         * this JVM's come out in the order they were written (an echo goes through a reader
         * thread of this JVM, and may fall behind). Its output is then not kept: a failure says
         * to look above.
         */
        public Builder inheritIO() {
            this.inheritIO = true;
            return this;
        }

        /** Starts the child. */
        public ChildJvm start() {
            List<String> command = new ArrayList<>(wrapper);
            command.add(javaBinary());
            Set<String> flags = new LinkedHashSet<>();
            if (inheritAllJvmFlags) {
                flags.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            } else {
                if (maxHeap != null) {
                    flags.add("-Xmx" + maxHeap);
                }
                if (serialGc) {
                    flags.add("-XX:+UseSerialGC");
                }
                flags.addAll(bindingFlags());
            }
            String extra = System.getProperty(CHILD_FLAGS_PROPERTY, "").strip();
            if (!extra.isEmpty()) {
                flags.addAll(List.of(extra.split("\\s+")));
            }
            flags.addAll(jvmOptions);
            command.addAll(flags);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(ChildMain.class.getName()); // ends the child when this JVM ends
            command.add(Long.toString(ProcessHandle.current().pid()));
            command.add(mainClass.getName());
            command.addAll(args);
            try {
                ProcessBuilder builder = new ProcessBuilder(command);
                if (inheritIO) {
                    builder.inheritIO();
                }
                return new ChildJvm(builder.start(), echoPrefix, inheritIO);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start child JVM " + command, e);
            }
        }
    }

    /**
     * The native-access flags and the bindings' system properties this JVM was started with. Read
     * from the JVM's input arguments, not from {@code ProcessHandle.Info}: with a long class path
     * the latter may come back without the flags.
     */
    private static List<String> bindingFlags() {
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access")
                    || arg.startsWith("-Dai.djl.") || arg.startsWith("-Dorg.bytedeco.") || arg.startsWith("-DDJL_CACHE_DIR")
                    || arg.startsWith("-DENGINE_CACHE_DIR")) {
                flags.add(arg);
            }
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

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the child has printed to its standard output so far. */
    public String stdoutSoFar() {
        return stdout.text();
    }

    /** Waits for the child to exit, at most {@code timeout}; kills it and fails after that. */
    public Result await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new ChildJvmException("child JVM " + process.pid() + " did not finish within " + timeout + "; killed\n"
                        + partial());
            }
            return new Result(process.pid(), process.exitValue(), stdout.awaitText(), stderr.awaitText());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChildJvmException("interrupted waiting for child JVM " + process.pid(), e);
        }
    }

    /** {@link #await} and {@link Result#assertSucceeded()}: exit 0 within {@code timeout}, or it fails with the child's output. */
    public Result awaitSuccess(Duration timeout) {
        return await(timeout).assertSucceeded();
    }

    /**
     * Waits until every child has exited with 0, at most {@code timeout} in all; fails as soon as
     * one exits with another code (the others are not waited for), with its output.
     */
    public static List<Result> awaitAllSuccess(Duration timeout, ChildJvm... children) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ChildJvm> running = new ArrayList<>(List.of(children));
        while (!running.isEmpty()) {
            CompletableFuture<?> anyExit = CompletableFuture.anyOf(
                    running.stream().map(c -> c.process.onExit()).toArray(CompletableFuture[]::new));
            try {
                anyExit.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // the first one still running gets the timeout message (and is killed)
                running.getFirst().await(Duration.ZERO);
            } catch (ExecutionException e) {
                throw new ChildJvmException("cannot wait for a child JVM", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChildJvmException("interrupted waiting for child JVMs", e);
            }
            for (ChildJvm child : List.copyOf(running)) {
                if (!child.process.isAlive()) {
                    child.await(Duration.ZERO).assertSucceeded();
                    running.remove(child);
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (ChildJvm child : children) {
            results.add(child.await(Duration.ZERO));
        }
        return results;
    }

    /**
     * Fails with the child's exit code and output if it has died (exited with a code other than
     * 0, or was killed); does nothing while it runs or after a clean exit. For a parent that
     * waits for something the child should do.
     */
    public void failIfDied(String waitingFor) {
        if (!process.isAlive() && process.exitValue() != 0) {
            Result result = await(Duration.ofSeconds(10));
            throw new ChildJvmException("child JVM " + process.pid() + " died while waiting for " + waitingFor
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
                throw new ChildJvmException("no " + what + " within " + timeout + children);
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
        } catch (ExecutionException | TimeoutException e) {
            throw new ChildJvmException("a descendant of child " + process.pid() + " did not die", e);
        }
    }

    private String partial() {
        return "--- stdout so far ---\n" + stdout.text() + "\n--- stderr so far ---\n" + stderr.text();
    }

    /** Kills the child (and its descendants) if it still runs. */
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

    /** Reads one output stream of the child line by line on a daemon thread: keeps it, and echoes it if asked. */
    private static final class OutputReader {
        private final StringBuilder text = new StringBuilder();
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        OutputReader(InputStream in, String echoPrefix, PrintStream echoTo, boolean inheritedIO) {
            if (inheritedIO) {
                text.append("(written straight to the parent's output: see above)\n");
            }
            Thread reader = new Thread(() -> read(in, echoPrefix, echoTo), "child-jvm-output");
            reader.setDaemon(true);
            reader.start();
        }

        private void read(InputStream in, String echoPrefix, PrintStream echoTo) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (text) {
                        text.append(line).append('\n');
                    }
                    if (echoPrefix != null) {
                        echoTo.println(echoPrefix + line);
                    }
                }
            } catch (IOException e) {
                synchronized (text) {
                    text.append("(output lost: ").append(e).append(")\n");
                }
            } finally {
                done.complete(null);
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }

        /** All of it, once the stream has ended (bounded: a descendant may hold the pipe open). */
        String awaitText() throws InterruptedException {
            try {
                done.get(OUTPUT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return text() + "(output still open after the exit)\n";
            }
            return text();
        }
    }
}
