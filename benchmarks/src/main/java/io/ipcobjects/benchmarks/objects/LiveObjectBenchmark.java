package io.ipcobjects.benchmarks.objects;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.benchmarks.BenchRegions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Field access through a live shared object ({@code Access.newObject}) inside one
 * {@code acquire()} scope, beside the floor: a plain {@link MemorySegment} get and set of a word
 * of a raw block of the same region. Throughput in operations per microsecond (millions per
 * second); run with {@code -prof gc} to see the allocation per operation.
 *
 * <p>The scope is taken in the trial setup on the benchmark thread and held for the whole trial,
 * as in {@code SharedContainerBenchmark}. Writes to the object go through the undo log (the first
 * write of a word in the scope logs it; later ones find it logged); the raw block's are not
 * logged at all, which is part of what the comparison shows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LiveObjectBenchmark {

    /** The shape of the original's example: state in accessors, behaviour in default methods. */
    public interface Employee {
        int years();

        void years(int years);

        long count();

        void count(long count);

        default void increaseYearsOfEmployment() {
            years(years() + 1);
        }

        /** Two field writes in one method: one critical section, nested in the caller's scope. */
        default void setBoth(int years, long count) {
            years(years);
            count(count);
        }
    }

    private SharedMemory shm;
    private Access access;
    private Employee employee;
    private MemorySegment word;
    private int value;

    @Setup(Level.Trial)
    public void setUp() {
        shm = SharedMemory.create(BenchRegions.uniqueName("bench-objects"), 16L << 20);
        access = shm.acquire();
        employee = access.newObject(Employee.class);
        word = access.block(access.allocate(16));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        access.close();
        BenchRegions.closeAndRemove(shm);
    }

    @Benchmark
    public int fieldRead() {
        return employee.years();
    }

    @Benchmark
    public void fieldIncrement() {
        employee.years(employee.years() + 1);
    }

    @Benchmark
    public void defaultMethodIncrement() {
        employee.increaseYearsOfEmployment();
    }

    @Benchmark
    public void twoFieldWrites() {
        int v = ++value;
        employee.years(v);
        employee.count(v);
    }

    @Benchmark
    public void defaultMethodTwoFieldWrites() {
        int v = ++value;
        employee.setBoth(v, v);
    }

    @Benchmark
    public long segmentRead() {
        return word.get(ValueLayout.JAVA_LONG, 0);
    }

    @Benchmark
    public void segmentIncrement() {
        word.set(ValueLayout.JAVA_LONG, 0, word.get(ValueLayout.JAVA_LONG, 0) + 1);
    }

    @Benchmark
    public void segmentTwoWrites() {
        long v = ++value;
        word.set(ValueLayout.JAVA_LONG, 0, v);
        word.set(ValueLayout.JAVA_LONG, 8, v);
    }
}
