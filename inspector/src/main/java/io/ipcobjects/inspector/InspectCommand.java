package io.ipcobjects.inspector;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.IpcObjectsException;

import java.io.UncheckedIOException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ipc-inspect}: looks at ipc-objects regions from outside, the way {@code AeronStat}
 * looks at a running Aeron. Every subcommand reads through {@code SharedMemory.inspect} and
 * {@code SharedMemory.verifyReadOnly}: a read-only mapping, no process-table slot, no lock, no
 * byte written, so it can look at a region whose lock a hung process holds.
 *
 * <p>Exit codes: {@value #OK} success; {@value #INCONSISTENT} {@code verify} found the region
 * inconsistent or marked damaged; {@value #USAGE} a bad command line; {@value #UNREADABLE} the
 * file or directory is missing, is not a region, or cannot be read.
 */
@Command(name = "ipc-inspect", mixinStandardHelpOptions = true, version = "ipc-inspect 0.1.0-SNAPSHOT",
        description = "Read-only inspector of ipc-objects shared-memory regions: never attaches, takes no lock, writes nothing.",
        subcommands = {ListCommand.class, ShowCommand.class, VerifyCommand.class, WatchCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:verify: the region is inconsistent (or was changing while read), or marked damaged",
                "2:bad command line",
                "3:no such file or directory, not a region, or it cannot be read"})
public final class InspectCommand {

    public static final int OK = 0;
    public static final int INCONSISTENT = 1;
    public static final int USAGE = 2;
    public static final int UNREADABLE = 3;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with this tool's error handling: a message on standard error and an exit code, no stack trace. */
    public static CommandLine commandLine() {
        CommandLine line = new CommandLine(new InspectCommand());
        line.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("ipc-inspect " + command.getCommandName() + ": " + message(e));
            command.getErr().flush();
            return exitCode(e);
        });
        return line;
    }

    static int exitCode(Exception e) {
        if (e instanceof CorruptedRegionException) {
            return INCONSISTENT;
        }
        if (e instanceof IpcObjectsException || e instanceof IllegalArgumentException || e instanceof UncheckedIOException
                || e instanceof IllegalStateException) {
            return UNREADABLE;
        }
        return CommandLine.ExitCode.SOFTWARE;
    }

    static String message(Exception e) {
        String message = e.getMessage();
        return message == null ? e.toString() : message;
    }
}
