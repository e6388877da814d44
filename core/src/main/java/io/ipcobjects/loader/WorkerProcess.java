package io.ipcobjects.loader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker JVM of a {@link DataLoader}: the command line that starts it, and the last lines it
 * printed (kept for the loader's error messages, echoed with a prefix if asked).
 *
 * <p>The command is this JVM's java binary and class path, the flags of this JVM the bindings
 * need ({@code --enable-native-access}, {@code --sun-misc-unsafe-memory-access}, {@code -Dai.djl.*},
 * {@code -Dorg.bytedeco.*}, DJL's cache directories, {@code --add-exports} and {@code --add-opens}), then the loader's worker options, then
 * {@link LoaderWorker} and its arguments.
 */
final class WorkerProcess {
    /** Lines of output kept per worker for error messages. */
    private static final int TAIL_LINES = 40;

    final int index;
    final Process process;
    private final ArrayDeque<String> tail = new ArrayDeque<>();

    private WorkerProcess(int index, Process process, boolean echo) {
        this.index = index;
        this.process = process;
        String prefix = "[loader worker " + index + "] ";
        pump(process.getInputStream(), echo ? System.out : null, prefix);
        pump(process.getErrorStream(), echo ? System.err : null, prefix);
    }

    static WorkerProcess start(int index, List<String> workerJvmOptions, List<String> workerArgs, boolean echo) {
        List<String> command = command(workerJvmOptions, workerArgs);
        try {
            return new WorkerProcess(index, new ProcessBuilder(command).start(), echo);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start loader worker " + index + ": " + command, e);
        }
    }

    static List<String> command(List<String> workerJvmOptions, List<String> workerArgs) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseGet(() -> System.getProperty("java.home") + "/bin/java"));
        command.addAll(inheritedFlags());
        command.addAll(workerJvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LoaderWorker.class.getName());
        command.addAll(workerArgs);
        return command;
    }

    /** The flags of this JVM that the core and the bindings need in a worker too. */
    static List<String> inheritedFlags() {
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access")
                    || arg.startsWith("-Dai.djl.") || arg.startsWith("-Dorg.bytedeco.") || arg.startsWith("-DDJL_CACHE_DIR")
                    || arg.startsWith("-DENGINE_CACHE_DIR") || arg.startsWith("--add-exports=") || arg.startsWith("--add-opens=")) {
                flags.add(arg);
            }
        }
        return flags;
    }

    long pid() {
        return process.pid();
    }

    /** The last lines the worker printed, standard output and error interleaved as they came. */
    String tail() {
        synchronized (tail) {
            return tail.isEmpty() ? "(no output)" : String.join("\n", tail);
        }
    }

    private void pump(InputStream in, PrintStream echo, String prefix) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (tail) {
                        if (tail.size() == TAIL_LINES) {
                            tail.removeFirst();
                        }
                        tail.addLast(line);
                    }
                    if (echo != null) {
                        echo.println(prefix + line);
                    }
                }
            } catch (IOException e) {
                synchronized (tail) {
                    tail.addLast("(output lost: " + e + ")");
                }
            }
        }, "loader-worker-" + index + "-output");
        reader.setDaemon(true);
        reader.start();
    }
}
