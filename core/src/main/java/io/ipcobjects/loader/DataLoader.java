package io.ipcobjects.loader;

import io.ipcobjects.Channel;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TensorRing;
import io.ipcobjects.TensorSpec;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Batches made by worker JVMs, handed to the trainer without a copy: PyTorch's
 * {@code DataLoader(num_workers=N)} for the JVM. The trainer's loader starts N worker processes;
 * each runs the user's {@link BatchSource} (read, decode, augment) and writes whole batches into
 * the slots of a {@link TensorRing} in the region; the trainer takes full batches as zero-copy
 * {@link LoaderBatch}es and gives each slot back when it is done with it.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("train", 1L << 30);
 *      DataLoader loader = DataLoader.builder(shm, Images.class)   // Images implements BatchSource
 *              .workers(4).samples(50_000).batchSize(256)
 *              .part(DType.FLOAT32, 3, 32, 32)                      // features of one sample
 *              .part(DType.INT64)                                   // its label (a scalar)
 *              .shuffle(true).seed(42)
 *              .build()) {
 *     for (int e = 0; e < 10; e++) {
 *         DataLoader.Epoch epoch = loader.epoch();
 *         while (epoch.hasNext()) {
 *             try (LoaderBatch batch = epoch.next()) {             // close gives the slot back
 *                 train(batch.tensor(0), batch.tensor(1));         // [256, 3, 32, 32], [256]
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <h2>How it works</h2>
 * The trainer's loader is the coordinator. Each worker has a task channel
 * ({@link Channel Channel&lt;Long&gt;}); the coordinator puts batch tags ({@code epoch << 32 | batch})
 * on them, the least loaded worker first, and remembers which worker owes which batch. A worker
 * computes the batch's sample indices from the seed (the same {@code BatchPlan} in every JVM),
 * claims a free slot, fills it and publishes it with the tag; the coordinator takes published
 * slots, keeps those that arrive early, and hands batches over in batch order
 * ({@link Builder#deterministicOrder}, the default) or as they come.
 *
 * <p><b>Backpressure</b>: batches assigned and not yet taken, taken and not yet handed over, and
 * handed over and not yet closed never number more than the ring's slots, so a worker always
 * finds a slot for the batch it was given, and the workers run at most that far ahead of the
 * trainer. Once an epoch is all assigned, workers go on with the next one.
 *
 * <p><b>A worker that dies</b> (seen through {@link Process#onExit()}) is replaced by a new JVM
 * with the same index. Before its debts are counted, every slot already published is taken and
 * its task channel emptied, so the batches it published count as delivered and only the ones it
 * had not finished are assigned again; the ring gives back the slot it was filling. A batch that
 * arrives for a tag no longer expected (a duplicate, or a batch of an epoch left early) is
 * released unread. Each epoch hands every batch over exactly once. A worker whose source threw
 * ({@link LoaderWorker#SOURCE_FAILED}) is not restarted: the loader fails with its output.
 *
 * <p><b>Shutdown</b>: {@link #close()} sends each worker the stop tag, waits
 * {@link Builder#shutdownGrace} for them to exit, then destroys the rest. Workers also halt when
 * the trainer JVM exits or the region closes.
 *
 * <p><b>Region memory</b>: the ring ({@link #slotCount()} × {@link #batchBytes()} bytes) and the
 * task channels stay in the region after {@link #close()}, empty, as every tensor ring and
 * channel lives as long as its region. A loader built with the same {@link Builder#name} and
 * the same batch shape uses them again.
 *
 * <p><b>Progress</b> goes to the {@link LoaderListener} and to the {@link System.Logger} named
 * {@code io.ipcobjects}: each interval at {@code DEBUG}, each epoch at {@code INFO}, each
 * replaced worker at {@code WARNING}.
 *
 * <p>One trainer thread at a time calls {@link Epoch#next()}; {@link LoaderBatch#close()} may
 * come from another thread.
 */
public final class DataLoader implements AutoCloseable {
    private static final Logger LOG = System.getLogger("io.ipcobjects");
    /** How long one wait for a published slot lasts before the coordinator looks at its workers again. */
    private static final Duration TAKE_POLL = Duration.ofMillis(10);

    private final SharedMemory shm;
    private final String name;
    private final BatchPlan plan;
    private final List<TensorSpec> batchSpecs;
    private final long batchBytes;
    private final int slots;
    private final boolean inOrder;
    private final Duration batchTimeout;
    private final Duration shutdownGrace;
    private final int maxRestarts;
    private final LoaderListener listener;
    private final long progressIntervalNanos;
    private final TensorRing ring;
    private final List<Channel<Long>> tasks = new ArrayList<>();
    private final List<String> workerJvmOptions;
    private final List<String> workerArgs;
    private final boolean echoWorkers;

    /** Everything below is guarded by this lock (fair: a worker's exit is handled between two waits of the trainer). */
    private final ReentrantLock lock = new ReentrantLock(true);
    private final WorkerProcess[] workers;
    private final int[] load;
    /** Tags assigned to a worker and not yet taken from the ring: tag to worker. */
    private final Map<Long, Integer> inFlight = new HashMap<>();
    /** Tags whose worker died before publishing them, to assign again first. */
    private final ArrayDeque<Long> redo = new ArrayDeque<>();
    /** Slots taken from the ring and not yet handed over, by tag. */
    private final TreeMap<Long, TensorRing.Slot> arrived = new TreeMap<>();
    /** Workers that exited, to be handled under the lock. */
    private final ConcurrentLinkedQueue<WorkerProcess> exited = new ConcurrentLinkedQueue<>();
    /** Batches handed over and not yet closed. */
    private int held;
    /** The next batch to assign. */
    private long cursorEpoch;
    private long cursorBatch;
    /** The epoch being handed over; -1 before the first {@link #epoch()}. */
    private long epoch = -1;
    private long epochHanded;
    private long nextInOrder;
    private int restarts;
    private long duplicatesDropped;
    private LoaderException failure;
    private boolean closed;
    // progress
    private long totalBatches;
    private long totalBytes;
    private long waitNanos;
    private final long startNanos;
    private long reportNanos;
    private long reportBatches;
    private long reportBytes;
    private long reportWaitNanos;
    private long epochStartNanos;
    private long epochWaitNanos;

    private DataLoader(Builder b) {
        this.shm = b.shm;
        this.name = b.name != null ? b.name : "loader-" + UUID.randomUUID().toString().substring(0, 8);
        this.plan = new BatchPlan(b.samples, b.batchSize, b.shuffle, b.dropLast, b.seed);
        this.batchSpecs = b.batchSpecs();
        this.batchBytes = batchSpecs.stream().mapToLong(TensorSpec::byteSize).sum();
        this.slots = b.slots > 0 ? b.slots : 2 * b.workers + 2;
        this.inOrder = b.deterministicOrder;
        this.batchTimeout = b.batchTimeout;
        this.shutdownGrace = b.shutdownGrace;
        this.maxRestarts = b.maxRestarts;
        this.listener = b.listener;
        this.progressIntervalNanos = b.progressInterval.toNanos();
        this.workerJvmOptions = List.copyOf(b.workerJvmOptions);
        this.echoWorkers = b.echoWorkerOutput;
        this.ring = shm.tensorRing(ringName(name), slots, batchSpecs);
        for (int w = 0; w < b.workers; w++) {
            tasks.add(shm.channel(taskChannelName(name, w), Long.class, slots + 1));
        }
        drain(); // a ring and channels of this name left by an earlier loader hold nothing for this one
        List<String> args = new ArrayList<>(List.of(
                "trainer=" + ProcessHandle.current().pid(), "region=" + shm.path().toAbsolutePath(), "loader=" + name,
                "workers=" + b.workers, "source=" + b.sourceClass, "samples=" + b.samples, "batch=" + b.batchSize,
                "shuffle=" + b.shuffle, "dropLast=" + b.dropLast, "seed=" + b.seed, "parts=" + LoaderWorker.encodeParts(batchSpecs)));
        b.sourceArgs.forEach((k, v) -> args.add(LoaderWorker.SOURCE_ARG + k + "=" + v));
        this.workerArgs = List.copyOf(args);
        this.workers = new WorkerProcess[b.workers];
        this.load = new int[b.workers];
        this.startNanos = System.nanoTime();
        this.reportNanos = startNanos;
        lock.lock();
        try {
            for (int w = 0; w < workers.length; w++) {
                startWorker(w);
            }
            topUp();
        } catch (RuntimeException | Error e) {
            lock.unlock();
            close();
            throw e;
        }
        lock.unlock();
        LOG.log(Level.DEBUG, () -> "loader " + name + ": " + workers.length + " workers, " + plan.batches()
                + " batches of " + batchSpecs + " per epoch, " + slots + " slots in region " + shm.path());
    }

    /**
     * A builder for a loader over {@code shm} whose workers run {@code source}.
     *
     * @param shm    the region the batch ring lives in; the workers attach to it by its path
     * @param source the worker's batch source: a public class with a public no-argument constructor
     * @return a new builder
     */
    public static Builder builder(SharedMemory shm, Class<? extends BatchSource> source) {
        return new Builder(shm, source.getName());
    }

    /**
     * A builder for a loader whose workers run the source class named {@code sourceClass} (a
     * class this JVM need not load).
     *
     * @param shm         the region the batch ring lives in
     * @param sourceClass the binary name of a {@link BatchSource} on the class path
     * @return a new builder
     */
    public static Builder builder(SharedMemory shm, String sourceClass) {
        return new Builder(shm, sourceClass);
    }

    static String ringName(String loader) {
        return loader + ".batches";
    }

    static String taskChannelName(String loader, int worker) {
        return loader + ".tasks." + worker;
    }

    /**
     * The loader's name: its ring and task channels are named after it in the region.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The ring the workers fill.
     *
     * @return the ring, {@link #slotCount()} slots of {@link #batchSpecs()}
     */
    public TensorRing ring() {
        return ring;
    }

    /**
     * Samples in the dataset.
     *
     * @return the sample count
     */
    public long sampleCount() {
        return plan.samples();
    }

    /**
     * Samples in a full batch.
     *
     * @return the batch size
     */
    public int batchSize() {
        return plan.batchSize();
    }

    /**
     * Batches in each epoch.
     *
     * @return the count, the last one partial unless {@link Builder#dropLast}
     */
    public long batchesPerEpoch() {
        return plan.batches();
    }

    /**
     * The tensors of a full batch: one per part, the batch along axis 0.
     *
     * @return the specs of a slot
     */
    public List<TensorSpec> batchSpecs() {
        return batchSpecs;
    }

    /**
     * Bytes of a full batch, all parts.
     *
     * @return the bytes
     */
    public long batchBytes() {
        return batchBytes;
    }

    /**
     * Slots of the ring: the most batches in flight between the workers and the trainer.
     *
     * @return the slot count
     */
    public int slotCount() {
        return slots;
    }

    /**
     * The pids of the running workers, by index (a replaced worker's new pid).
     *
     * @return the pids
     */
    public List<Long> workerPids() {
        lock.lock();
        try {
            List<Long> pids = new ArrayList<>();
            for (WorkerProcess w : workers) {
                if (w != null) {
                    pids.add(w.pid());
                }
            }
            return pids;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Workers replaced since the loader started.
     *
     * @return the count
     */
    public int workersReplaced() {
        lock.lock();
        try {
            return restarts;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Batches made and not yet handed over: taken from the ring and kept for their turn, or
     * published and waiting in the ring. How far the workers are ahead of the trainer.
     *
     * @return the count, at most {@link #slotCount()}
     */
    public int batchesReady() {
        lock.lock();
        try {
            return arrived.size() + ring.published();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Batches taken from the ring and released unread because nobody expected them any more
     * (a dead worker's batch assigned again, an epoch left before its end).
     *
     * @return the count
     */
    public long batchesDropped() {
        lock.lock();
        try {
            return duplicatesDropped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts the next epoch (the first is epoch 0) and returns its batches. An epoch not read to
     * its end is left: its batches still in flight are released as they arrive.
     *
     * @return the epoch's iterator
     * @throws IllegalStateException if the loader is closed
     */
    public Epoch epoch() {
        lock.lock();
        try {
            checkUsable();
            if (epoch >= 0 && epochHanded < plan.batches()) {
                long left = epoch;
                LOG.log(Level.DEBUG, () -> "loader " + name + ": epoch " + left + " left after " + epochHanded + " batches");
            }
            epoch++;
            epochHanded = 0;
            nextInOrder = 0;
            redo.removeIf(tag -> BatchPlan.epochOf(tag) < epoch);
            while (!arrived.isEmpty() && BatchPlan.epochOf(arrived.firstKey()) < epoch) {
                arrived.pollFirstEntry().getValue().release();
                duplicatesDropped++;
            }
            if (cursorEpoch < epoch) {
                cursorEpoch = epoch;
                cursorBatch = 0;
            }
            epochStartNanos = System.nanoTime();
            epochWaitNanos = 0;
            topUp();
            return new Epoch(epoch);
        } finally {
            lock.unlock();
        }
    }

    /** The batches of one epoch, in batch order or as they come (see {@link Builder#deterministicOrder}). */
    public final class Epoch implements Iterator<LoaderBatch> {
        private final long number;

        private Epoch(long number) {
            this.number = number;
        }

        /**
         * The epoch's number, from 0.
         *
         * @return the number
         */
        public long number() {
            return number;
        }

        /**
         * Batches in the epoch.
         *
         * @return {@link DataLoader#batchesPerEpoch()}
         */
        public long batches() {
            return plan.batches();
        }

        /**
         * Whether a batch of this epoch is still to come (false once a later epoch started).
         *
         * @return true until every batch was handed over
         */
        @Override
        public boolean hasNext() {
            lock.lock();
            try {
                return !closed && epoch == number && epochHanded < plan.batches();
            } finally {
                lock.unlock();
            }
        }

        /**
         * The next batch, waiting for the workers as long as {@link Builder#batchTimeout}.
         * Close it to give its slot back.
         *
         * @return a batch of zero-copy views of a ring slot
         * @throws NoSuchElementException if the epoch is over
         * @throws LoaderException        if a worker's source failed, workers died too often, or no batch came in time
         */
        @Override
        public LoaderBatch next() {
            return nextBatch(number);
        }
    }

    private LoaderBatch nextBatch(long epochNumber) {
        long deadline = System.nanoTime() + batchTimeout.toNanos();
        long waited = 0;
        lock.lock();
        try {
            while (true) {
                checkUsable();
                handleExits();
                checkUsable();
                if (epoch != epochNumber || epochHanded >= plan.batches()) {
                    throw new NoSuchElementException("epoch " + epochNumber + " is over");
                }
                Map.Entry<Long, TensorRing.Slot> ready = ready();
                if (ready != null) {
                    arrived.remove(ready.getKey());
                    return handOver(ready.getKey(), ready.getValue(), waited);
                }
                topUp();
                long takeStart = System.nanoTime();
                TensorRing.Slot slot = ring.take(TAKE_POLL);
                waited += System.nanoTime() - takeStart;
                if (slot != null) {
                    arrive(slot);
                    while ((slot = ring.poll()) != null) {
                        arrive(slot);
                    }
                } else if (System.nanoTime() - deadline > 0) {
                    throw new LoaderException("no batch of epoch " + epoch + " came within " + batchTimeout + " (batch "
                            + nextInOrder + " expected, " + inFlight.size() + " assigned, " + arrived.size() + " waiting, "
                            + held + " held by the trainer)" + workerReport());
                } else {
                    // Let a worker's exit be handled between two waits (the lock is fair).
                    lock.unlock();
                    lock.lock();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The batch to hand over next, if it has arrived. */
    private Map.Entry<Long, TensorRing.Slot> ready() {
        if (inOrder) {
            long tag = BatchPlan.tag(epoch, nextInOrder);
            TensorRing.Slot slot = arrived.get(tag);
            return slot == null ? null : Map.entry(tag, slot);
        }
        Map.Entry<Long, TensorRing.Slot> first = arrived.ceilingEntry(BatchPlan.tag(epoch, 0));
        return first != null && BatchPlan.epochOf(first.getKey()) == epoch ? first : null;
    }

    private LoaderBatch handOver(long tag, TensorRing.Slot slot, long waited) {
        long batch = BatchPlan.batchOf(tag);
        epochHanded++;
        if (inOrder) {
            nextInOrder++;
        }
        held++;
        int length = plan.batchLength(batch);
        long bytes = length == plan.batchSize() ? batchBytes : batchBytes / plan.batchSize() * length;
        totalBatches++;
        totalBytes += bytes;
        waitNanos += waited;
        epochWaitNanos += waited;
        topUp();
        report();
        return new LoaderBatch(this, slot, epoch, batch, length, plan.batchSize(), bytes);
    }

    /** Gives a handed-over batch's slot back (from {@link LoaderBatch#close()}). */
    void release(TensorRing.Slot slot) {
        lock.lock();
        try {
            held--;
            slot.release();
            if (!closed) {
                topUp();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The sample indices of a batch (from {@link LoaderBatch#sampleIndices()}). */
    long[] sampleIndices(long epochNumber, long batch) {
        lock.lock();
        try {
            return plan.sampleIndices(epochNumber, batch);
        } finally {
            lock.unlock();
        }
    }

    /** A slot taken from the ring: kept if its tag is expected, released otherwise. */
    private void arrive(TensorRing.Slot slot) {
        long tag = slot.tag();
        Integer worker = inFlight.remove(tag);
        if (worker == null || BatchPlan.epochOf(tag) < epoch || closed) {
            slot.release();
            duplicatesDropped++;
            return;
        }
        load[worker]--;
        arrived.put(tag, slot);
    }

    /**
     * Assigns batches while the ring has room for them: first those a dead worker owed, then the
     * next ones of the current epoch, then of the one after.
     */
    private void topUp() {
        while (inFlight.size() + arrived.size() + held < slots) {
            long tag;
            boolean again = !redo.isEmpty();
            if (again) {
                tag = redo.peekFirst();
            } else {
                if (cursorBatch >= plan.batches()) {
                    if (cursorEpoch > epoch) {
                        return; // one epoch ahead at most
                    }
                    cursorEpoch++;
                    cursorBatch = 0;
                }
                tag = BatchPlan.tag(cursorEpoch, cursorBatch);
            }
            int worker = leastLoaded();
            if (!tasks.get(worker).offer(tag)) {
                return; // its channel is full: try again on the next call
            }
            if (again) {
                redo.pollFirst();
            } else {
                cursorBatch++;
            }
            inFlight.put(tag, worker);
            load[worker]++;
        }
    }

    private int leastLoaded() {
        int best = 0;
        for (int w = 1; w < load.length; w++) {
            if (load[w] < load[best]) {
                best = w;
            }
        }
        return best;
    }

    private void startWorker(int index) {
        WorkerProcess worker = WorkerProcess.start(index, workerJvmOptions,
                withWorkerIndex(index), echoWorkers);
        workers[index] = worker;
        worker.process.onExit().thenRun(() -> {
            exited.add(worker);
            lock.lock();
            try {
                handleExits();
            } finally {
                lock.unlock();
            }
        });
    }

    private List<String> withWorkerIndex(int index) {
        List<String> args = new ArrayList<>(workerArgs);
        args.add("worker=" + index);
        return args;
    }

    /** Handles the workers that exited: takes what they published, assigns what they owed again, replaces them. */
    private void handleExits() {
        WorkerProcess dead;
        while ((dead = exited.poll()) != null) {
            int w = dead.index;
            if (closed || workers[w] != dead || failure != null) {
                continue;
            }
            int exitCode = dead.process.exitValue();
            // What it published before it died counts: take it before counting its debts.
            TensorRing.Slot slot;
            while ((slot = ring.poll()) != null) {
                arrive(slot);
            }
            while (tasks.get(w).poll() != null) {
                // tags it never took; they are in inFlight and assigned again below
            }
            List<Long> owed = new ArrayList<>();
            inFlight.forEach((tag, worker) -> {
                if (worker == w) {
                    owed.add(tag);
                }
            });
            owed.sort(null);
            for (Long tag : owed) {
                inFlight.remove(tag);
                if (BatchPlan.epochOf(tag) >= epoch) {
                    redo.addLast(tag);
                }
            }
            load[w] = 0;
            if (exitCode == LoaderWorker.SOURCE_FAILED || exitCode == LoaderWorker.USAGE) {
                failure = new LoaderException("loader worker " + w + " (pid " + dead.pid() + ") exited with " + exitCode
                        + (exitCode == LoaderWorker.SOURCE_FAILED ? ": its batch source threw" : ": bad arguments")
                        + "; its last output:\n" + dead.tail());
                LOG.log(Level.ERROR, failure.getMessage());
                continue;
            }
            if (restarts >= maxRestarts) {
                failure = new LoaderException("loader worker " + w + " (pid " + dead.pid() + ") died with exit code " + exitCode
                        + " after " + restarts + " workers were replaced already (maxRestarts " + maxRestarts
                        + "); its last output:\n" + dead.tail());
                LOG.log(Level.ERROR, failure.getMessage());
                continue;
            }
            restarts++;
            startWorker(w);
            long newPid = workers[w].pid();
            long deadPid = dead.pid();
            int redone = owed.size();
            LOG.log(Level.WARNING, () -> "loader " + name + ": worker " + w + " (pid " + deadPid + ") died with exit code "
                    + exitCode + "; replaced by pid " + newPid + ", " + redone + " unfinished batches assigned again");
            listener.workerReplaced(w, deadPid, exitCode, newPid, redone);
            topUp();
        }
    }

    private void checkUsable() {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IllegalStateException("loader " + name + " is closed");
        }
    }

    private String workerReport() {
        StringBuilder text = new StringBuilder();
        for (WorkerProcess w : workers) {
            if (w != null) {
                text.append("\nworker ").append(w.index).append(" (pid ").append(w.pid()).append(w.process.isAlive()
                        ? ", running" : ", exited with " + w.process.exitValue()).append("), last output:\n").append(w.tail());
            }
        }
        return text.toString();
    }

    private void report() {
        long now = System.nanoTime();
        if (now - reportNanos >= progressIntervalNanos) {
            long interval = now - reportNanos;
            LoaderProgress p = new LoaderProgress(epoch, epochHanded, plan.batches(),
                    (totalBatches - reportBatches) * 1e9 / interval, (totalBytes - reportBytes) * 1e9 / interval,
                    totalBatches, totalBytes, waitNanos - reportWaitNanos, interval, restarts);
            reportNanos = now;
            reportBatches = totalBatches;
            reportBytes = totalBytes;
            reportWaitNanos = waitNanos;
            LOG.log(Level.DEBUG, () -> "loader " + name + ": " + p.describe());
            listener.progress(p);
        }
        if (epochHanded == plan.batches()) {
            long interval = Math.max(1, now - epochStartNanos);
            long epochBytes = batchBytes / plan.batchSize() * (plan.dropLast() ? plan.batches() * plan.batchSize() : plan.samples());
            LoaderProgress p = new LoaderProgress(epoch, epochHanded, plan.batches(), epochHanded * 1e9 / interval,
                    epochBytes * 1e9 / interval, totalBatches, totalBytes, epochWaitNanos, interval, restarts);
            LOG.log(Level.INFO, () -> "loader " + name + ": " + p.describe());
            listener.epochFinished(p);
        }
    }

    /**
     * Stops the workers: the stop tag to each, {@link Builder#shutdownGrace} to exit, then
     * {@link Process#destroy()} and, a second later, {@link Process#destroyForcibly()}. Slots
     * waiting to be handed over are released; batches the trainer still holds stay readable
     * until it closes them. Returns once every worker has exited (or after 10 s more).
     */
    @Override
    public void close() {
        List<WorkerProcess> running = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (TensorRing.Slot slot : arrived.values()) {
                slot.release();
            }
            arrived.clear();
            for (int w = 0; w < workers.length; w++) {
                if (workers[w] != null) {
                    running.add(workers[w]);
                    try {
                        tasks.get(w).offer(BatchPlan.STOP);
                    } catch (RuntimeException e) {
                        // the region is closing: the workers stop on their own, or are destroyed below
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        awaitExit(running, shutdownGrace);
        running.forEach(w -> w.process.destroy());
        awaitExit(running, Duration.ofSeconds(1));
        running.forEach(w -> w.process.destroyForcibly());
        awaitExit(running, Duration.ofSeconds(10));
        if (!shm.isClosed() && !shm.isClosing()) {
            drain();
        }
        LOG.log(Level.DEBUG, () -> "loader " + name + ": closed after " + totalBatches + " batches");
    }

    /** Releases every published slot and empties the task channels: the ring and channels stay in the region, empty. */
    private void drain() {
        TensorRing.Slot slot;
        while ((slot = ring.poll()) != null) {
            slot.release();
        }
        for (Channel<Long> channel : tasks) {
            while (channel.poll() != null) {
                // a task nobody will do
            }
        }
    }

    private static void awaitExit(List<WorkerProcess> workers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (WorkerProcess w : workers) {
            try {
                w.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "DataLoader[" + name + ", " + workers.length + " workers, " + plan.batches() + " batches of " + batchSpecs + "]";
    }

    /** How a {@link DataLoader} is made: {@link #samples}, {@link #batchSize} and at least one {@link #part} are required. */
    public static final class Builder {
        private final SharedMemory shm;
        private final String sourceClass;
        private final List<TensorSpec> sampleParts = new ArrayList<>();
        private final Map<String, String> sourceArgs = new LinkedHashMap<>();
        private final List<String> workerJvmOptions = new ArrayList<>();
        private String name;
        private int workers = 2;
        private long samples;
        private int batchSize;
        private long seed;
        private boolean shuffle;
        private boolean dropLast;
        private boolean deterministicOrder = true;
        private int slots;
        private Duration batchTimeout = Duration.ofMinutes(2);
        private Duration shutdownGrace = Duration.ofSeconds(2);
        private int maxRestarts = 8;
        private LoaderListener listener = new LoaderListener() {
        };
        private Duration progressInterval = Duration.ofSeconds(1);
        private boolean echoWorkerOutput = true;

        private Builder(SharedMemory shm, String sourceClass) {
            this.shm = Objects.requireNonNull(shm, "shm");
            this.sourceClass = Objects.requireNonNull(sourceClass, "sourceClass");
        }

        /**
         * How many worker JVMs (default 2).
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder workers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("workers " + count + " is not positive");
            }
            this.workers = count;
            return this;
        }

        /**
         * Samples in the dataset: indices {@code 0 ... count - 1} (required).
         *
         * @param count from 1 to {@code Integer.MAX_VALUE}
         * @return this builder
         */
        public Builder samples(long count) {
            this.samples = count;
            return this;
        }

        /**
         * Samples in a full batch (required).
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /**
         * Adds a part of each sample: features, a label, a sample id. A batch holds one tensor per
         * part, of shape {@code [batchSize, sampleShape...]}; the DJL and ND4J adapters read the
         * first part as features and the second as labels.
         *
         * @param dtype       the element type
         * @param sampleShape the shape of one sample's part (none for a scalar)
         * @return this builder
         */
        public Builder part(DType dtype, long... sampleShape) {
            sampleParts.add(new TensorSpec(dtype, prepend(1, sampleShape)));
            return this;
        }

        /**
         * Shuffles the samples each epoch with an order drawn from {@link #seed} and the epoch
         * number, the same in every JVM (default false: batch {@code b} holds samples
         * {@code b * batchSize ...}).
         *
         * @param on whether to shuffle
         * @return this builder
         */
        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /**
         * The seed of the shuffled orders (default 0); also handed to nothing else.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Whether batches are handed over in batch order, 0, 1, 2, ... of each epoch (default
         * true): with a seed, every run sees the same batches in the same order. False hands
         * each batch over as soon as it is ready (a slow batch does not hold the others back).
         *
         * @param on whether to keep batch order
         * @return this builder
         */
        public Builder deterministicOrder(boolean on) {
            this.deterministicOrder = on;
            return this;
        }

        /**
         * Drops an epoch's last batch when it is not full (default false: it holds what is left).
         *
         * @param on whether to drop it
         * @return this builder
         */
        public Builder dropLast(boolean on) {
            this.dropLast = on;
            return this;
        }

        /**
         * Slots of the ring (default {@code 2 * workers + 2}): how far the workers may run ahead
         * of the trainer, counting the batches it holds. The region needs room for
         * {@code slots * }{@link #batchBytes()} bytes.
         *
         * @param count from 1 to 4096
         * @return this builder
         */
        public Builder slots(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("slots " + count + " is not positive");
            }
            this.slots = count;
            return this;
        }

        /**
         * An argument for the source, read in the worker with {@link WorkerContext#arg}.
         *
         * @param key   a key without {@code '='}
         * @param value its value
         * @return this builder
         */
        public Builder sourceArg(String key, String value) {
            if (key.indexOf('=') >= 0) {
                throw new IllegalArgumentException("source argument key '" + key + "' holds '='");
            }
            sourceArgs.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * JVM options of the workers (e.g. {@code -Xmx1g}), after the flags they inherit from this
         * JVM (native access, the bindings' properties).
         *
         * @param options JVM options
         * @return this builder
         */
        public Builder workerJvmOptions(List<String> options) {
            workerJvmOptions.addAll(options);
            return this;
        }

        /**
         * The name of the loader's ring and channels in the region (default {@code loader-} and
         * eight random hex digits).
         *
         * @param name a name no other object of the region has
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * How long {@code next()} waits for a batch before it fails (default 2 minutes); a
         * worker's start-up counts in it.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder batchTimeout(Duration timeout) {
            this.batchTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long {@link DataLoader#close()} lets the workers stop on their own before it
         * destroys them (default 2 s).
         *
         * @param grace a duration
         * @return this builder
         */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /**
         * How many dead workers are replaced before the loader gives up (default 8).
         *
         * @param count at least 0
         * @return this builder
         */
        public Builder maxRestarts(int count) {
            this.maxRestarts = count;
            return this;
        }

        /**
         * Receives progress reports, epoch totals and worker replacements.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(LoaderListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * How often progress is reported while batches flow (default 1 s).
         *
         * @param interval a duration
         * @return this builder
         */
        public Builder progressInterval(Duration interval) {
            this.progressInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Whether the workers' output is echoed to this JVM's standard output and error, each line
         * after {@code [loader worker n] } (default true). It is kept for error messages either way.
         *
         * @param on whether to echo
         * @return this builder
         */
        public Builder echoWorkerOutput(boolean on) {
            this.echoWorkerOutput = on;
            return this;
        }

        /**
         * Bytes of one full batch (every part) with the parts and batch size given so far: a
         * slot's size.
         *
         * @return the bytes
         */
        public long batchBytes() {
            return batchSpecs().stream().mapToLong(TensorSpec::byteSize).sum();
        }

        private List<TensorSpec> batchSpecs() {
            if (batchSize < 1) {
                throw new IllegalStateException("batchSize not set");
            }
            if (sampleParts.isEmpty()) {
                throw new IllegalStateException("no part: call part(dtype, sampleShape...) for the features (and labels)");
            }
            List<TensorSpec> specs = new ArrayList<>();
            for (TensorSpec part : sampleParts) {
                long[] shape = part.shape();
                shape[0] = batchSize;
                specs.add(new TensorSpec(part.dtype(), shape));
            }
            return List.copyOf(specs);
        }

        /**
         * Creates the ring and the task channels in the region and starts the workers; they
         * begin on the first epoch at once.
         *
         * @return the loader
         */
        public DataLoader build() {
            if (samples < 1) {
                throw new IllegalStateException("samples not set");
            }
            batchSpecs();
            return new DataLoader(this);
        }

        private static long[] prepend(long first, long[] rest) {
            long[] shape = new long[rest.length + 1];
            shape[0] = first;
            System.arraycopy(rest, 0, shape, 1, rest.length);
            return shape;
        }
    }
}
