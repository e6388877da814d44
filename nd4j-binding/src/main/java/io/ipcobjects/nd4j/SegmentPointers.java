package io.ipcobjects.nd4j;

import java.lang.foreign.MemorySegment;

import org.bytedeco.javacpp.BooleanPointer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * JavaCPP pointers at a shared tensor's data. Each one holds the tensor's {@link MemorySegment}:
 * ND4J keeps the pointer (through the buffer's indexer) as long as the {@code INDArray} lives, so
 * the segment, and with it the region's mapping, stays reachable exactly that long. The pointers
 * have no deallocator: the memory belongs to the region, never to ND4J.
 *
 * <p>JavaCPP keeps address, limit and capacity in protected fields; a subclass is the way to point
 * one at memory that JavaCPP did not allocate (limit and capacity count elements, position is 0).
 */
final class SegmentPointers {
    private SegmentPointers() {
    }

    static final class OfFloat extends FloatPointer {
        private final MemorySegment segment;

        OfFloat(MemorySegment segment) {
            super((Pointer) null);
            this.segment = segment;
            address = segment.address();
            capacity = segment.byteSize() / Float.BYTES;
            limit = capacity;
        }
    }

    static final class OfDouble extends DoublePointer {
        private final MemorySegment segment;

        OfDouble(MemorySegment segment) {
            super((Pointer) null);
            this.segment = segment;
            address = segment.address();
            capacity = segment.byteSize() / Double.BYTES;
            limit = capacity;
        }
    }

    static final class OfShort extends ShortPointer {
        private final MemorySegment segment;

        OfShort(MemorySegment segment) {
            super((Pointer) null);
            this.segment = segment;
            address = segment.address();
            capacity = segment.byteSize() / Short.BYTES;
            limit = capacity;
        }
    }

    static final class OfInt extends IntPointer {
        private final MemorySegment segment;

        OfInt(MemorySegment segment) {
            super((Pointer) null);
            this.segment = segment;
            address = segment.address();
            capacity = segment.byteSize() / Integer.BYTES;
            limit = capacity;
        }
    }

    static final class OfLong extends LongPointer {
        private final MemorySegment segment;

        OfLong(MemorySegment segment) {
            super((Pointer) null);
            this.segment = segment;
            address = segment.address();
            capacity = segment.byteSize() / Long.BYTES;
            limit = capacity;
        }
    }

    static final class OfByte extends BytePointer {
        private final MemorySegment segment;

        OfByte(MemorySegment segment) {
            super((Pointer) null);
            this.segment = segment;
            address = segment.address();
            capacity = segment.byteSize() / Byte.BYTES;
            limit = capacity;
        }
    }

    static final class OfBoolean extends BooleanPointer {
        private final MemorySegment segment;

        OfBoolean(MemorySegment segment) {
            super((Pointer) null);
            this.segment = segment;
            address = segment.address();
            capacity = segment.byteSize() / Byte.BYTES;
            limit = capacity;
        }
    }
}
