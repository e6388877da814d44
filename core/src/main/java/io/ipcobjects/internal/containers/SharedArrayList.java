package io.ipcobjects.internal.containers;

import io.ipcobjects.ObjectDestroyedException;
import static io.ipcobjects.internal.containers.ListLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedList;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.DestructionSteps;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueSlots;

import java.lang.foreign.MemorySegment;
import java.util.AbstractList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * The view of a shared list ({@link ListLayout}).
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li>Every public method runs under the region lock: inside the caller's {@code acquire()}
 *       scope directly (the hot path: a thread check, then the work), otherwise through
 *       the handle's lock scope ({@link io.ipcobjects.internal.lock.LockScope#call}).</li>
 *   <li>The view caches the element block's offset and capacity after validating them once.
 *       Each operation re-reads both words from the header (another process may have grown the
 *       list) and validates again only when they changed; it checks the list's identity (not
 *       destroyed) and {@code size <= capacity} every time. So a read is a few loads and no
 *       allocation in the region.</li>
 *   <li>Structural changes bump the shared modification count; iterators compare it, in any
 *       process. They also bump {@code AbstractList.modCount}, which {@code subList} checks.</li>
 *   <li>Failure atomicity: a new element is encoded before the list grows, and the list grows
 *       (allocate, copy, free) before anything is shifted; a failure releases what was encoded.</li>
 * </ul>
 */
public final class SharedArrayList<E> extends AbstractList<E> implements SharedList<E>, ContainerView {

    private final RegionContext context;
    private final RegionMemory memory;
    private final long header;
    private final long identity;
    private final SlotValue scratch = new SlotValue();
    /** Element block offset and capacity last validated; guarded by the region lock. */
    private long cachedElements = -1;
    private long cachedCapacity = -1;

    public SharedArrayList(RegionContext context, long header) {
        this.context = context;
        this.memory = context.memory();
        this.header = header;
        Containers.checkHeader(context, header, BlockTypes.LIST, HEADER_BYTES);
        this.identity = memory.getLong(header + ContainerLayout.IDENTITY_OFFSET);
        if (identity == 0) {
            throw new ObjectDestroyedException("the shared list at " + header + " was destroyed");
        }
    }

    // ---- ContainerView ----

    @Override
    public RegionContext context() {
        return context;
    }

    @Override
    public long offset() {
        return header;
    }

    @Override
    public long identity() {
        return identity;
    }

    @Override
    public int slotKind() {
        return SlotKinds.LIST;
    }

    // ---- locking ----

    private <T> T locked(Supplier<T> operation) {
        return context.scope().call(operation);
    }


    // ---- validated access (under the lock) ----

    private void checkLive() {
        if (memory.getLong(header + ContainerLayout.IDENTITY_OFFSET) != identity) {
            throw new ObjectDestroyedException("the shared list at " + header + " was destroyed");
        }
    }

    /** The element block, validated (or known valid); call after {@link #checkLive}. */
    private long elements() {
        long elements = memory.getLong(header + ELEMENTS_OFFSET);
        long capacity = memory.getLong(header + CAPACITY_OFFSET);
        if (elements != cachedElements || capacity != cachedCapacity) {
            if (capacity < 0 || (capacity == 0) != (elements == 0)) {
                throw new CorruptedRegionException("list element block " + elements + " of capacity " + capacity, header);
            }
            if (elements != 0) {
                long bytes = context.allocator().checkBlock(elements, BlockTypes.LIST_ELEMENTS);
                if (capacity > bytes / SlotLayout.SLOT_BYTES) {
                    throw new CorruptedRegionException("list capacity " + capacity + " exceeds its block of " + bytes + " bytes",
                            header);
                }
            }
            cachedElements = elements;
            cachedCapacity = capacity;
        }
        return elements;
    }

    /** The size, checked against the validated capacity; call after {@link #elements}. */
    private int size0() {
        long size = memory.getLong(header + SIZE_OFFSET);
        if (size < 0 || size > cachedCapacity) {
            throw new CorruptedRegionException("list size " + size + " exceeds its capacity " + cachedCapacity, header);
        }
        return (int) Math.min(size, Integer.MAX_VALUE); // as Collection.size says, past what an int holds
    }

    private long slotChecked(int index) {
        checkLive();
        long elements = elements();
        int size = size0();
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + ", size " + size);
        }
        return ListLayout.slotOffset(elements, index);
    }

    private long modCountShared() {
        return memory.getLong(header + ContainerLayout.MOD_COUNT_OFFSET);
    }

    private void structurallyModified() {
        memory.putLong(header + ContainerLayout.MOD_COUNT_OFFSET, modCountShared() + 1);
        modCount++;
    }

    // ---- reads ----

    @Override
    public int size() {
        if (context.scope().inScopeOperation()) {
            return sizeLocked();
        }
        return locked(this::sizeLocked);
    }

    private int sizeLocked() {
        checkLive();
        elements();
        return size0();
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        if (context.scope().inScopeOperation()) {
            return (E) ValueSlots.read(context, slotChecked(index));
        }
        return locked(() -> (E) ValueSlots.read(context, slotChecked(index)));
    }

    @Override
    public long getLong(int index) {
        if (context.scope().inScopeOperation()) {
            return getLongLocked(index);
        }
        return context.scope().callLong(() -> getLongLocked(index));
    }

    private long getLongLocked(int index) {
        long slot = slotChecked(index);
        int kind = memory.getInt(slot + SlotLayout.KIND_OFFSET);
        if (kind == SlotKinds.LONG || kind == SlotKinds.INT || kind == SlotKinds.SHORT || kind == SlotKinds.BYTE) {
            return memory.getLong(slot + SlotLayout.BITS_OFFSET);
        }
        throw new ClassCastException("element " + index + " is not an integral number (" + describe(slot) + ")");
    }

    @Override
    public double getDouble(int index) {
        if (context.scope().inScopeOperation()) {
            return getDoubleLocked(index);
        }
        return locked(() -> getDoubleLocked(index));
    }

    private double getDoubleLocked(int index) {
        long slot = slotChecked(index);
        int kind = memory.getInt(slot + SlotLayout.KIND_OFFSET);
        long bits = memory.getLong(slot + SlotLayout.BITS_OFFSET);
        if (kind == SlotKinds.DOUBLE) {
            return Double.longBitsToDouble(bits);
        }
        if (kind == SlotKinds.FLOAT) {
            return Float.intBitsToFloat((int) bits);
        }
        throw new ClassCastException("element " + index + " is not a Float or Double (" + describe(slot) + ")");
    }

    private String describe(long slot) {
        Object value = ValueSlots.read(context, slot);
        return value == null ? "null" : value.getClass().getName();
    }

    // ---- writes ----

    @Override
    @SuppressWarnings("unchecked")
    public E set(int index, E element) {
        if (context.scope().inScopeOperation()) {
            return setLocked(index, element);
        }
        return locked(() -> setLocked(index, element));
    }

    @SuppressWarnings("unchecked")
    private E setLocked(int index, E element) {
        long slot = slotChecked(index);
        E old = (E) ValueSlots.readForRemoval(context, slot);
        ValueSlots.write(context, slot, element);
        return old;
    }

    @Override
    public void setLong(int index, long value) {
        if (context.scope().inScopeOperation()) {
            ValueSlots.writeLong(context, slotChecked(index), value);
            return;
        }
        context.scope().run(() -> ValueSlots.writeLong(context, slotChecked(index), value));
    }

    @Override
    public void setDouble(int index, double value) {
        if (context.scope().inScopeOperation()) {
            ValueSlots.writeDouble(context, slotChecked(index), value);
            return;
        }
        context.scope().run(() -> ValueSlots.writeDouble(context, slotChecked(index), value));
    }

    @Override
    public boolean add(E element) {
        if (context.scope().inScopeOperation()) {
            appendLocked(element, 0);
            return true;
        }
        context.scope().run(() -> appendLocked(element, 0));
        return true;
    }

    /** Appends under the lock (also used to fill a new list). */
    void appendLocked(Object element, int depth) {
        checkLive();
        elements();
        insertLocked(size0(), element, depth);
    }

    @Override
    public void add(int index, E element) {
        context.scope().run(() -> {
            checkLive();
            elements();
            int size = size0();
            if (index < 0 || index > size) {
                throw new IndexOutOfBoundsException("index " + index + ", size " + size);
            }
            insertLocked(index, element, 0);
        });
    }

    private void insertLocked(int index, Object element, int depth) {
        int size = size0();
        SlotValue encoded = scratch;
        long mark = context.savepoints().mark();
        if (!ValueSlots.encodeInline(element, encoded)) {
            encoded = ValueSlots.encode(context, element, new SlotValue(), depth, false);
        }
        long elements;
        try {
            elements = ensureCapacity(size + 1L);
        } catch (RuntimeException | Error e) {
            ValueSlots.release(context, encoded.kind, encoded.aux, encoded.bits, depth);
            context.savepoints().rollbackTo(mark); // the type entries the element registered
            throw e;
        }
        if (index < size) {
            memory.copyWithin(ListLayout.slotOffset(elements, index), ListLayout.slotOffset(elements, index + 1),
                    (size - index) * SlotLayout.SLOT_BYTES);
        }
        encoded.writeTo(memory, ListLayout.slotOffset(elements, index));
        memory.putLong(header + SIZE_OFFSET, size + 1L);
        structurallyModified();
    }

    /** Grows the element block to hold {@code needed} slots; returns the (maybe new) block. */
    private long ensureCapacity(long needed) {
        long elements = cachedElements;
        long capacity = cachedCapacity;
        if (needed <= capacity) {
            return elements;
        }
        long grown = Math.max(needed, capacity < 8 ? 8 : capacity + (capacity >> 1));
        long fresh = context.allocator().allocate(grown * SlotLayout.SLOT_BYTES, BlockTypes.LIST_ELEMENTS);
        long size = memory.getLong(header + SIZE_OFFSET);
        if (size > 0) {
            memory.copyWithin(elements, fresh, size * SlotLayout.SLOT_BYTES);
        }
        memory.fill(fresh + size * SlotLayout.SLOT_BYTES, (grown - size) * SlotLayout.SLOT_BYTES, (byte) 0);
        if (elements != 0) {
            context.allocator().free(elements);
        }
        memory.putLong(header + ELEMENTS_OFFSET, fresh);
        memory.putLong(header + CAPACITY_OFFSET, grown);
        cachedElements = fresh;
        cachedCapacity = grown;
        return fresh;
    }

    @Override
    public E remove(int index) {
        return locked(() -> removeLocked(index));
    }

    @SuppressWarnings("unchecked")
    private E removeLocked(int index) {
        long slot = slotChecked(index);
        int size = size0();
        E old = (E) ValueSlots.readForRemoval(context, slot);
        ValueSlots.destroy(context, slot);
        long elements = cachedElements;
        if (index < size - 1) {
            memory.copyWithin(ListLayout.slotOffset(elements, index + 1), slot, (size - 1L - index) * SlotLayout.SLOT_BYTES);
        }
        memory.fill(ListLayout.slotOffset(elements, size - 1), SlotLayout.SLOT_BYTES, (byte) 0);
        memory.putLong(header + SIZE_OFFSET, size - 1L);
        structurallyModified();
        return old;
    }

    @Override
    protected void removeRange(int fromIndex, int toIndex) {
        context.scope().run(() -> {
            checkLive();
            long elements = elements();
            int size = size0();
            if (fromIndex < 0 || toIndex > size || fromIndex > toIndex) {
                throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndex + "), size " + size);
            }
            for (int i = fromIndex; i < toIndex; i++) {
                ValueSlots.destroy(context, ListLayout.slotOffset(elements, i));
            }
            int removed = toIndex - fromIndex;
            memory.copyWithin(ListLayout.slotOffset(elements, toIndex), ListLayout.slotOffset(elements, fromIndex),
                    (long) (size - toIndex) * SlotLayout.SLOT_BYTES);
            memory.fill(ListLayout.slotOffset(elements, size - removed), (long) removed * SlotLayout.SLOT_BYTES, (byte) 0);
            memory.putLong(header + SIZE_OFFSET, size - removed);
            structurallyModified();
        });
    }

    @Override
    public void clear() {
        context.scope().run(() -> removeRange(0, size()));
    }

    /** Releases every element and the element block (the header is freed by the caller). */
    static void freeContents(RegionContext context, long header, int depth) {
        RegionMemory memory = context.memory();
        long elements = memory.getLong(header + ELEMENTS_OFFSET);
        long capacity = memory.getLong(header + CAPACITY_OFFSET);
        long size = memory.getLong(header + SIZE_OFFSET);
        if (elements == 0) {
            return;
        }
        long bytes = context.allocator().checkBlock(elements, BlockTypes.LIST_ELEMENTS);
        if (capacity < 0 || capacity > bytes / SlotLayout.SLOT_BYTES || size < 0 || size > capacity) {
            throw new CorruptedRegionException("list size " + size + " / capacity " + capacity + " do not fit its block", header);
        }
        // From the end, shrinking the size as it goes: between elements the list is a valid,
        // shorter list, so a long destruction commits steps there where DestructionSteps allows
        // (the takeover after a crash then finishes it).
        SlotValue slot = new SlotValue();
        UndoLog undo = memory.undoLog();
        DestructionSteps steps = context.destructionSteps();
        for (long i = size - 1; i >= 0; i--) {
            slot.readFrom(memory, ListLayout.slotOffset(elements, i));
            ValueSlots.release(context, slot.kind, slot.aux, slot.bits, depth + 1);
            memory.putLong(header + SIZE_OFFSET, i);
            if (undo != null && undo.stepDue() && steps.mayStep(header, true, context.deferredDestroys())) {
                steps.commitStep(memory, undo, header);
            }
        }
        context.allocator().free(elements);
    }

    // ---- whole-list operations: one lock hold for the whole walk ----

    @Override
    public boolean equals(Object o) {
        return o == this || locked(() -> super.equals(o));
    }

    @Override
    public int hashCode() {
        return locked(super::hashCode);
    }

    @Override
    public String toString() {
        return Containers.readingAll(context, super::toString);
    }

    @Override
    public int indexOf(Object o) {
        return Containers.readingAll(context, () -> super.indexOf(o));
    }

    @Override
    public int lastIndexOf(Object o) {
        return Containers.readingAll(context, () -> super.lastIndexOf(o));
    }

    @Override
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    @Override
    public Object[] toArray() {
        return Containers.readingAll(context, super::toArray);
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return Containers.readingAll(context, () -> super.toArray(a));
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        return locked(() -> super.addAll(c));
    }

    @Override
    public boolean addAll(int index, Collection<? extends E> c) {
        return locked(() -> super.addAll(index, c));
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return locked(() -> super.removeAll(c));
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return locked(() -> super.retainAll(c));
    }

    @Override
    public boolean containsAll(Collection<?> c) {
        return locked(() -> super.containsAll(c));
    }

    @Override
    public boolean remove(Object o) {
        return locked(() -> super.remove(o));
    }

    // ---- iteration ----

    @Override
    public Iterator<E> iterator() {
        return new Cursor(0);
    }

    @Override
    public ListIterator<E> listIterator() {
        return new Cursor(0);
    }

    @Override
    public ListIterator<E> listIterator(int index) {
        return locked(() -> {
            int size = sizeLocked();
            if (index < 0 || index > size) {
                throw new IndexOutOfBoundsException("index " + index + ", size " + size);
            }
            return new Cursor(index);
        });
    }

    /** A list iterator that fails fast on a change made by any process but itself. */
    private final class Cursor implements ListIterator<E> {
        private int cursor;
        private int lastReturned = -1;
        private long expectedModCount;

        Cursor(int start) {
            cursor = start;
            expectedModCount = context.scope().callLong(() -> {
                checkLive();
                return modCountShared();
            });
        }

        private void checkForComodification() {
            checkLive();
            if (modCountShared() != expectedModCount) {
                throw new ConcurrentModificationException("the shared list was changed (in this or another process) "
                        + "while it was being iterated");
            }
        }

        @Override
        public boolean hasNext() {
            return cursor < size();
        }

        @Override
        public E next() {
            return locked(() -> {
                checkForComodification();
                if (cursor >= sizeLocked()) {
                    throw new NoSuchElementException();
                }
                E e = get(cursor);
                lastReturned = cursor++;
                return e;
            });
        }

        @Override
        public boolean hasPrevious() {
            return cursor > 0;
        }

        @Override
        public E previous() {
            return locked(() -> {
                checkForComodification();
                if (cursor <= 0) {
                    throw new NoSuchElementException();
                }
                E e = get(cursor - 1);
                lastReturned = --cursor;
                return e;
            });
        }

        @Override
        public int nextIndex() {
            return cursor;
        }

        @Override
        public int previousIndex() {
            return cursor - 1;
        }

        @Override
        public void remove() {
            if (lastReturned < 0) {
                throw new IllegalStateException("next() or previous() first");
            }
            context.scope().run(() -> {
                checkForComodification();
                removeLocked(lastReturned);
                cursor = lastReturned;
                lastReturned = -1;
                expectedModCount = modCountShared();
            });
        }

        @Override
        public void set(E e) {
            if (lastReturned < 0) {
                throw new IllegalStateException("next() or previous() first");
            }
            context.scope().run(() -> {
                checkForComodification();
                setLocked(lastReturned, e);
            });
        }

        @Override
        public void add(E e) {
            context.scope().run(() -> {
                checkForComodification();
                elements();
                insertLocked(cursor++, e, 0);
                lastReturned = -1;
                expectedModCount = modCountShared();
            });
        }
    }
}
