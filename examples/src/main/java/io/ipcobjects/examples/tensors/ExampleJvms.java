package io.ipcobjects.examples.tensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the worker processes of an example: the same java binary and class path as this JVM,
 * with the flags the bindings need forwarded, and the child's output passed through.
 */
final class ExampleJvms {
    private ExampleJvms() {
    }

    static Process start(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        command.add("-Xmx1g");
        for (String arg : ProcessHandle.current().info().arguments().orElse(new String[0])) {
            if (arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access")
                    || arg.startsWith("-Dai.djl.") || arg.startsWith("-Dorg.bytedeco.") || arg.startsWith("-DDJL_CACHE_DIR")
                    || arg.startsWith("-DENGINE_CACHE_DIR")) {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Waits for {@code process}; kills it and fails after {@code seconds}. Returns the exit code. */
    static int await(Process process, long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("worker " + process.pid() + " did not finish within " + seconds + " s");
        }
        return process.exitValue();
    }

    /** The value after {@code --name} in {@code args}, or {@code fallback}. */
    static long option(String[] args, String name, long fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--" + name)) {
                return Long.parseLong(args[i + 1]);
            }
        }
        return fallback;
    }

    static boolean flag(String[] args, String name) {
        return List.of(args).contains("--" + name);
    }
}
