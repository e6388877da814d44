package io.ipcobjects.benchmarks.messages;

import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitStrategy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two-process round trip of a small message through the message queue, beside a plain
 * cache-line ping-pong between the same two processes (the baseline: on this VM the
 * core-to-core latency varies between runs, so only the ratio measured in one run means much).
 *
 * <p>Process A (this {@code main}) pins itself to core 0 and starts process B pinned to core 1
 * ({@code taskset}). Two regions, one per direction, busy-spin wait strategy:
 * A {@code putMessage(i)} into "ping"; B polls {@code hasMessages()} (no lock), takes it,
 * checks it is {@code i}, puts {@code ~i} into "pong"; A polls, takes, checks {@code ~i}.
 * The baseline does the same with one long on each of two cache lines of a mapped file in
 * /dev/shm (A writes i with release, B spins with acquire and answers ~i on the other line).
 *
 * <p>Schedule, known to both sides: warm-up (both kinds), then {@code windows} times one
 * baseline window and one queue window of {@code roundTrips} each, interleaved so both see the
 * same machine. Every reply is checked; at the end A checks the queues are empty and B reports
 * how many messages it took. Prints ns per round trip per window and the medians.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ipcobjects.benchmarks.messages.MessageRoundTrip [roundTrips] [windows]
 * </pre>
 */
public final class MessageRoundTrip {

    private static final long PING_LINE = 0;
    private static final long PONG_LINE = 128; // two lines apart: no adjacent-line prefetch sharing
    private static final long FILE_BYTES = 4096;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private MessageRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--side-b")) {
            sideB(args[1], args[2], Path.of(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            return;
        }
        int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        sideA(roundTrips, windows);
    }

    // ---- side A: the driver ----

    private static void sideA(int roundTrips, int windows) throws Exception {
        long pid = ProcessHandle.current().pid();
        boolean pinned = pin(pid, "0");
        String ping = "rt-ping-" + pid;
        String pong = "rt-pong-" + pid;
        Path lines = Path.of("/dev/shm/ipcobjects-rt-lines-" + pid);
        SharedMemoryOptions options = SharedMemoryOptions.defaults().withWaitStrategy(WaitStrategy.busySpin())
                .withCloseTimeout(Duration.ofSeconds(5));
        try (SharedMemory pingShm = SharedMemory.create(ping, 4 << 20, options);
             SharedMemory pongShm = SharedMemory.create(pong, 4 << 20, options);
             Arena arena = Arena.ofShared()) {
            MemorySegment line = mapLines(lines, arena);
            // The ping line starts at a value B never waits for, so B cannot answer before A asks.
            LONG.setRelease(line, PING_LINE, -1L);
            LONG.setRelease(line, PONG_LINE, 0L);
            Process b = startSideB(ping, pong, lines, roundTrips, windows, pinned);
            try {
                pingShm.awaitConsumers(1, Duration.ofSeconds(60));
                pongShm.awaitConsumers(1, Duration.ofSeconds(60));
                long next = 0;
                // Warm-up: enough for the JIT on both sides.
                for (int w = 0; w < 3; w++) {
                    next = baselineA(line, next, roundTrips);
                    next = queueA(pingShm, pongShm, next, roundTrips);
                }
                double[] baseline = new double[windows];
                double[] queue = new double[windows];
                for (int w = 0; w < windows; w++) {
                    long t0 = System.nanoTime();
                    next = baselineA(line, next, roundTrips);
                    long t1 = System.nanoTime();
                    next = queueA(pingShm, pongShm, next, roundTrips);
                    long t2 = System.nanoTime();
                    baseline[w] = (double) (t1 - t0) / roundTrips;
                    queue[w] = (double) (t2 - t1) / roundTrips;
                    System.out.printf("window %d: baseline ping-pong %.1f ns/rt, message queue %.1f ns/rt%n", w, baseline[w], queue[w]);
                }
                if (!b.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("side B did not finish");
                }
                String bOut = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                long expected = (long) (3 + windows) * roundTrips;
                if (b.exitValue() != 0 || !bOut.contains("taken=" + expected)) {
                    throw new IllegalStateException("side B failed (exit " + b.exitValue() + "):\n" + bOut);
                }
                if (pingShm.hasMessages() || pongShm.hasMessages()) {
                    throw new IllegalStateException("messages left over");
                }
                double mb = median(baseline);
                double mq = median(queue);
                System.out.printf("pinned=%s, every reply checked; queue messages taken by B: %d%n", pinned, expected);
                System.out.printf("median baseline cache-line ping-pong: %.1f ns per round trip%n", mb);
                System.out.printf("median message queue round trip:      %.1f ns per round trip (%.2fx the baseline)%n", mq, mq / mb);
            } finally {
                b.destroyForcibly();
                Files.deleteIfExists(lines);
            }
        }
    }

    private static long baselineA(MemorySegment line, long next, int count) {
        for (int i = 0; i < count; i++, next++) {
            LONG.setRelease(line, PING_LINE, next);
            while ((long) LONG.getAcquire(line, PONG_LINE) != ~next) {
                Thread.onSpinWait();
            }
        }
        return next;
    }

    private static long queueA(SharedMemory ping, SharedMemory pong, long next, int count) {
        for (int i = 0; i < count; i++, next++) {
            ping.putMessage(next);
            while (!pong.hasMessages()) {
                Thread.onSpinWait();
            }
            long reply = pong.takeMessage();
            if (reply != ~next) {
                throw new IllegalStateException("round trip " + next + " got reply " + reply);
            }
        }
        return next;
    }

    // ---- side B: the echo ----

    private static void sideB(String ping, String pong, Path lines, int roundTrips, int windows) throws IOException {
        SharedMemoryOptions options = SharedMemoryOptions.defaults().withWaitStrategy(WaitStrategy.busySpin());
        try (SharedMemory pingShm = SharedMemory.attach(ping, Duration.ofSeconds(60), options);
             SharedMemory pongShm = SharedMemory.attach(pong, Duration.ofSeconds(60), options);
             Arena arena = Arena.ofShared()) {
            MemorySegment line = mapLines(lines, arena);
            long next = 0;
            long taken = 0;
            for (int w = 0; w < 3 + windows; w++) {
                next = baselineB(line, next, roundTrips);
                for (int i = 0; i < roundTrips; i++, next++) {
                    while (!pingShm.hasMessages()) {
                        Thread.onSpinWait();
                    }
                    long message = pingShm.takeMessage();
                    if (message != next) {
                        throw new IllegalStateException("expected message " + next + ", took " + message);
                    }
                    taken++;
                    pongShm.putMessage(~message);
                }
            }
            System.out.println("taken=" + taken);
        }
    }

    private static long baselineB(MemorySegment line, long next, int count) {
        for (int i = 0; i < count; i++, next++) {
            while ((long) LONG.getAcquire(line, PING_LINE) != next) {
                Thread.onSpinWait();
            }
            LONG.setRelease(line, PONG_LINE, ~next);
        }
        return next;
    }

    // ---- plumbing ----

    private static MemorySegment mapLines(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (channel.size() < FILE_BYTES) {
                channel.truncate(FILE_BYTES);
                channel.write(java.nio.ByteBuffer.allocate(1), FILE_BYTES - 1);
            }
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES, arena);
            return segment;
        }
    }

    private static Process startSideB(String ping, String pong, Path lines, int roundTrips, int windows, boolean pin)
            throws IOException {
        List<String> command = new ArrayList<>();
        if (pin) {
            command.addAll(List.of("taskset", "-c", "1"));
        }
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MessageRoundTrip.class.getName(), "--side-b",
                ping, pong, lines.toString(), Integer.toString(roundTrips), Integer.toString(windows)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Pins every thread of this process to {@code cpu}; false (and a note) if taskset is missing or fails. */
    private static boolean pin(long pid, String cpu) {
        try {
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpu, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new BufferedReader(new InputStreamReader(p.getInputStream())).lines().reduce("", String::concat);
            if (p.waitFor() == 0) {
                return true;
            }
            System.out.println("taskset failed, running unpinned: " + out);
        } catch (IOException e) {
            System.out.println("taskset not available, running unpinned: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
