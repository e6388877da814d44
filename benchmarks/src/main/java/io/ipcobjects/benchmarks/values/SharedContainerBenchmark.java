package io.ipcobjects.benchmarks.values;

import io.ipcobjects.Access;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Live container operations inside one {@code acquire()} scope, the shapes the original
 * publishes rates for: list read and write of an inline slot ({@code company_metrics[i]}), map
 * get and put with a {@code String} key ({@code data_dict['key1']}). Throughput is in operations
 * per microsecond, i.e. millions of operations per second.
 *
 * <p>The scope is taken in the trial setup, on the benchmark thread ({@code Scope.Thread}), and
 * held for the whole trial, as an application holding the lock for a batch of work would.
 * Values stored are pre-boxed so the benchmark measures the container, not {@code Long.valueOf}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SharedContainerBenchmark {

    /** Elements in the list and keys in the map. */
    @Param({"1024"})
    public int size;

    /**
     * Map keys: {@code short} ones ({@code "key0"} to {@code "key1023"}, as the original's
     * {@code 'key1'}) fit the slot (at most 8 Latin-1 chars); {@code long} ones
     * ({@code "a longer key 0"} ...) are stored in a blob and compared there.
     */
    @Param({"short", "long"})
    public String keyLength;

    private SharedMemory shm;
    private Access access;
    private SharedList<Object> list;
    private SharedMap<String, Object> map;
    private String[] keys;
    private Long[] values;
    private int mask;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp() {
        shm = SharedMemory.create("bench-values-" + ProcessHandle.current().pid(), 64L << 20);
        mask = Integer.highestOneBit(size) - 1;
        keys = new String[mask + 1];
        values = new Long[mask + 1];
        List<Object> initialList = new ArrayList<>();
        Map<String, Object> initialMap = new HashMap<>();
        for (int i = 0; i <= mask; i++) {
            keys[i] = (keyLength.equals("short") ? "key" : "a longer key ") + i;
            values[i] = 1_000_000L + i;
            initialList.add(values[i]);
            initialMap.put(keys[i], values[i]);
        }
        access = shm.acquire();
        list = access.share(initialList);
        map = access.share(initialMap);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        access.close();
        Path path = shm.path();
        shm.close();
        Files.deleteIfExists(path);
    }

    private int next() {
        return cursor = (cursor + 1) & mask;
    }

    @Benchmark
    public Object listGetInline() {
        return list.get(next());
    }

    @Benchmark
    public long listGetLongInline() {
        return list.getLong(next());
    }

    @Benchmark
    public Object listSetInline() {
        int i = next();
        return list.set(i, values[i]);
    }

    @Benchmark
    public void listSetLongInline() {
        int i = next();
        list.setLong(i, i);
    }

    @Benchmark
    public Object mapGetStringKey() {
        return map.get(keys[next()]);
    }

    @Benchmark
    public Object mapPutInlineStringKey() {
        int i = next();
        return map.put(keys[i], values[i]);
    }

    @Benchmark
    public void mapSetInlineStringKey() {
        int i = next();
        map.set(keys[i], values[i]);
    }
}
