package io.ipcobjects.benchmarks.messages;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.benchmarks.BenchRegions;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@code takeMessage} of the original's example object ({@link ExampleObject}, with its
 * {@code int[]}) in a plain timed loop, one process, one {@code acquire()} scope: each round puts
 * {@code batch} messages, takes them all, then destroys the live containers (and the tensor) each
 * taken example handed over, so the region stays the same size; each of the three loops is timed
 * on its own, and the take loop is the figure. Prints ns per take
 * per round (wall clock and the thread's CPU time: the latter is what to compare on a busy machine,
 * since it leaves out the time the thread spent preempted) and the median of the last half of the rounds (the first are JIT warm-up). Unlike
 * JMH's per-invocation setup this adds no timer overhead to each take.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ipcobjects.benchmarks.messages.TakeExampleLoop [rounds=40] [batch=2000] [with-array|without-array]
 * </pre>
 */
public final class TakeExampleLoop {
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private TakeExampleLoop() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        boolean withArray = args.length <= 2 || !args[2].equals("without-array");
        SharedMemory shm = SharedMemory.create(BenchRegions.uniqueName("take-loop"), 256L << 20,
                SharedMemoryOptions.defaults().withWaitStrategy(WaitStrategy.busySpin()));
        try (Access access = shm.acquire()) {
            Object message = ExampleObject.create(withArray);
            Object[] taken = new Object[batch];
            double[] nanosPerTake = new double[rounds];
            double[] cpuPerTake = new double[rounds];
            double[] nanosPerPut = new double[rounds];
            double[] nanosPerDestroy = new double[rounds];
            long usedBefore = access.stats().usedBytes();
            for (int r = 0; r < rounds; r++) {
                long putStart = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    access.putMessage(message);
                }
                nanosPerPut[r] = (double) (System.nanoTime() - putStart) / batch;
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    taken[i] = access.takeMessage();
                }
                long elapsed = System.nanoTime() - start;
                long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
                long destroyStart = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    ExampleObject.SomeSharedObject example = (ExampleObject.SomeSharedObject) taken[i];
                    if (example.someInt() != 42 || !example.someString().equals("hello shared memory")
                            || !example.company().ceo().name().equals("Ada")) {
                        throw new IllegalStateException("wrong example taken: " + example);
                    }
                    ExampleObject.destroyContainers(access, example);
                    taken[i] = null;
                }
                nanosPerDestroy[r] = (double) (System.nanoTime() - destroyStart) / batch;
                nanosPerTake[r] = (double) elapsed / batch;
                cpuPerTake[r] = (double) cpu / batch;
                System.out.printf(Locale.ROOT, "round %2d: %8.1f ns per takeMessage (%8.1f ns of thread CPU time); "
                        + "putMessage %8.1f ns, destroying what a take handed over %8.1f ns%n", r, nanosPerTake[r], cpuPerTake[r],
                        nanosPerPut[r], nanosPerDestroy[r]);
            }
            double median = medianOfLastHalf(nanosPerTake);
            double cpuMedian = medianOfLastHalf(cpuPerTake);
            System.out.printf(Locale.ROOT, "median of the last %d rounds: %.1f ns per takeMessage = %.2f M/s; thread CPU time %.1f ns "
                    + "= %.2f M/s (example %s its int[]); putMessage %.1f ns, destroy %.1f ns; used bytes before %d, after %d%n",
                    rounds - rounds / 2, median, 1e3 / median, cpuMedian, 1e3 / cpuMedian, withArray ? "with" : "without",
                    medianOfLastHalf(nanosPerPut), medianOfLastHalf(nanosPerDestroy), usedBefore, access.stats().usedBytes());
        } finally {
            BenchRegions.closeAndRemove(shm);
        }
    }

    private static double medianOfLastHalf(double[] perRound) {
        double[] last = Arrays.copyOfRange(perRound, perRound.length / 2, perRound.length);
        Arrays.sort(last);
        return last[last.length / 2];
    }
}
