package io.ipcobjects.examples;

import picocli.CommandLine;

/**
 * How every example reads its command line: picocli, with {@code --help}, the defaults in the
 * help, and a message and exit code 2 for an unknown or malformed option.
 */
public final class Cli {
    private Cli() {
    }

    /** Parses {@code args} into {@code command} (a picocli {@code @Command} that is a {@code Callable<Integer>}), runs it and exits with its code. */
    public static void run(Object command, String... args) {
        int exit = new CommandLine(command)
                .setUsageHelpAutoWidth(true)
                .setAbbreviatedOptionsAllowed(false)
                .execute(args);
        System.out.flush();
        System.exit(exit);
    }
}
