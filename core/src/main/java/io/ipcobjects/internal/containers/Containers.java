package io.ipcobjects.internal.containers;

import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.FrozenSet;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedSet;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.DeferredDestroys;
import io.ipcobjects.internal.codec.DestructionSteps;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.Tuples;
import io.ipcobjects.internal.codec.ValueSlots;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The codec's side of containers: storing a Java {@code List}, {@code Set} or {@code Map} as a
 * live container (or a snapshot), giving out views, and the reference counts that decide when
 * a container is freed.
 *
 * <h2>Ownership</h2>
 * A container is held by the slots that refer to it (and by the caller of {@code Access.share}).
 * Storing a view of the same region into a slot adds a reference; overwriting or destroying the
 * slot drops it; the last drop frees the container and releases everything it holds.
 * {@code Access.destroy(view)} frees at once, whatever the count. A container being destroyed
 * has identity 0 first, so a cycle (a list holding itself) is freed once.
 */
public final class Containers {
    private Containers() {
    }

    // ---- encoding ----

    /**
     * Stores {@code value} if it is a list, set, map or snapshot; returns false (nothing done)
     * otherwise. Not used for keys (those are frozen values, see {@code ValueSlots.encode}).
     */
    public static boolean encode(RegionContext context, Object value, SlotValue out, int depth) {
        if (value instanceof ContainerView view && view.context() == context && view.slotKind() != SlotKinds.FROZEN_MAP_VIEW
                && view.slotKind() != SlotKinds.FROZEN_SET_VIEW) {
            retain(context, view);
            out.set(view.slotKind(), 0, view.offset());
            return true;
        }
        if (value instanceof FrozenMap<?, ?> map) {
            out.set(SlotKinds.FROZEN_MAP_VIEW, 0, Tuples.store(context, Tuples.flatten(map), 2L * map.size(), depth, true));
            return true;
        }
        if (value instanceof FrozenSet<?> set) {
            out.set(SlotKinds.FROZEN_SET_VIEW, 0, Tuples.store(context, set.iterator(), set.size(), depth, true));
            return true;
        }
        if (value instanceof List<?> list) {
            out.set(SlotKinds.LIST, 0, storeList(context, list, depth));
            return true;
        }
        if (value instanceof Set<?> set) {
            out.set(SlotKinds.SET, 0, storeHash(context, set, null, depth));
            return true;
        }
        if (value instanceof Map<?, ?> map) {
            out.set(SlotKinds.MAP, 0, storeHash(context, null, map, depth));
            return true;
        }
        return false;
    }

    /** A new list holding {@code values}; one reference. On failure nothing stays allocated. */
    public static long storeList(RegionContext context, Collection<?> values, int depth) {
        long mark = context.savepoints().mark();
        long header = newList(context, values.size());
        try {
            SharedArrayList<Object> list = new SharedArrayList<>(context, header);
            for (Object value : values) {
                list.appendLocked(value, depth + 1);
            }
            return header;
        } catch (RuntimeException | Error e) {
            destroy(context, SlotKinds.LIST, header, depth);
            context.savepoints().rollbackTo(mark); // the type entries its stored records registered
            throw e;
        }
    }

    /** A new set ({@code map == null}) or map holding the given entries; one reference. */
    public static long storeHash(RegionContext context, Set<?> set, Map<?, ?> map, int depth) {
        boolean isMap = map != null;
        int size = isMap ? map.size() : set.size();
        long mark = context.savepoints().mark();
        long header = newHash(context, isMap ? HashLayout.MAP_ENTRY_BYTES : HashLayout.SET_ENTRY_BYTES, size);
        try {
            HashTable table = new HashTable(context, header);
            if (isMap) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    table.put(e.getKey(), e.getValue(), false, depth + 1);
                }
            } else {
                for (Object element : set) {
                    table.put(element, null, false, depth + 1);
                }
            }
            return header;
        } catch (RuntimeException | Error e) {
            destroy(context, isMap ? SlotKinds.MAP : SlotKinds.SET, header, depth);
            context.savepoints().rollbackTo(mark); // the type entries its stored records registered
            throw e;
        }
    }

    static long newList(RegionContext context, long capacity) {
        RegionMemory memory = context.memory();
        long header = context.allocator().allocate(ListLayout.HEADER_BYTES, BlockTypes.LIST);
        long elements = 0;
        if (capacity > 0) {
            try {
                elements = context.allocator().allocate(capacity * ValueSlots.SLOT_BYTES, BlockTypes.LIST_ELEMENTS);
            } catch (RuntimeException e) {
                context.allocator().free(header);
                throw e;
            }
            memory.fill(elements, capacity * ValueSlots.SLOT_BYTES, (byte) 0);
        }
        initCommon(memory, header);
        memory.putLong(header + ListLayout.SIZE_OFFSET, 0);
        memory.putLong(header + ListLayout.ELEMENTS_OFFSET, elements);
        memory.putLong(header + ListLayout.CAPACITY_OFFSET, capacity);
        return header;
    }

    static long newHash(RegionContext context, long entryBytes, long expectedSize) {
        RegionMemory memory = context.memory();
        long header = context.allocator().allocate(HashLayout.HEADER_BYTES, BlockTypes.HASH);
        initCommon(memory, header);
        memory.putLong(header + HashLayout.SIZE_OFFSET, 0);
        memory.putLong(header + HashLayout.TABLE_OFFSET, 0);
        memory.putLong(header + HashLayout.CAPACITY_OFFSET, 0);
        memory.putLong(header + HashLayout.USED_OFFSET, 0);
        memory.putLong(header + HashLayout.ENTRY_BYTES_OFFSET, entryBytes);
        if (expectedSize > 0) {
            try {
                new HashTable(context, header).resize(HashTable.capacityFor(expectedSize));
            } catch (RuntimeException e) {
                context.allocator().free(header);
                throw e;
            }
        }
        return header;
    }

    private static void initCommon(RegionMemory memory, long header) {
        memory.putLong(header + ContainerLayout.IDENTITY_OFFSET, ThreadLocalRandom.current().nextLong() | 1);
        memory.putLong(header + ContainerLayout.REFERENCES_OFFSET, 1);
        memory.putLong(header + ContainerLayout.MOD_COUNT_OFFSET, 0);
    }

    // ---- views ----

    /** The view handed out for a container slot. */
    public static Object view(RegionContext context, int kind, long offset) {
        return switch (kind) {
            case SlotKinds.LIST -> new SharedArrayList<>(context, offset);
            case SlotKinds.MAP -> new SharedHashMap<>(context, offset);
            case SlotKinds.SET -> new SharedHashSet<>(context, offset);
            case SlotKinds.FROZEN_MAP_VIEW -> new FrozenMapView<>(context, offset);
            case SlotKinds.FROZEN_SET_VIEW -> new FrozenSetView<>(context, offset);
            default -> throw new CorruptedRegionException("not a container kind: " + kind, offset);
        };
    }

    /**
     * Runs {@code operation} under the lock as one read of the handle's {@link DecodeBudget}: for
     * view operations that read every element once ({@code toArray}, {@code toString},
     * {@code indexOf}), so slots that share a block cannot make the result, or the time, larger
     * than the region could account for. Only for single passes: an operation that reads an
     * element twice (as {@code containsAll} does) would count it twice. Element-by-element
     * iteration reads each element as a read of its own.
     */
    static <T> T readingAll(RegionContext context, Supplier<T> operation) {
        return context.scope().call(() -> {
            DecodeBudget budget = context.budget();
            budget.begin();
            try {
                return operation.get();
            } finally {
                budget.end();
            }
        });
    }

    // ---- lifetime ----

    static long checkHeader(RegionContext context, long header, int tag, long minBytes) {
        long capacity = context.allocator().checkBlock(header, tag);
        if (capacity < minBytes) {
            throw new CorruptedRegionException("container header block of " + capacity + " bytes", header);
        }
        return capacity;
    }

    private static int tagOf(int kind) {
        return kind == SlotKinds.LIST ? BlockTypes.LIST : BlockTypes.HASH;
    }

    private static long headerBytes(int kind) {
        return kind == SlotKinds.LIST ? ListLayout.HEADER_BYTES : HashLayout.HEADER_BYTES;
    }

    /**
     * Most references a container may count: slots and the holders of views handed out (each
     * {@code share}, each taken message) add one, so a long-lived container used in many messages
     * may count far more than the heap has slots, but never this many.
     */
    static final long MAX_REFERENCES = 1L << 48;

    /**
     * The reference count of the live container at {@code header}, checked: a live container
     * counts at least one reference (it is freed at zero) and not absurdly many.
     */
    static long checkedReferences(RegionContext context, long header) {
        long references = context.memory().getLong(header + ContainerLayout.REFERENCES_OFFSET);
        if (references < 1 || references >= MAX_REFERENCES) {
            throw new CorruptedRegionException("shared container counts " + references + " references",
                    header + ContainerLayout.REFERENCES_OFFSET);
        }
        return references;
    }

    /**
     * Checks that a reference to {@code view}'s container can be added or dropped: that it is
     * still the view's container (not destroyed, its block not reused by another), its header,
     * and its count. Nothing changes; callers that add several references check them all first,
     * so a bad one changes none.
     */
    public static void checkRetainable(RegionContext context, ContainerView view) {
        long header = view.offset();
        if (context.memory().getLong(header + ContainerLayout.IDENTITY_OFFSET) != view.identity()) {
            throw new ObjectDestroyedException("the shared container at " + header + " was destroyed");
        }
        checkHeader(context, header, tagOf(view.slotKind()), headerBytes(view.slotKind()));
        checkedReferences(context, header);
    }

    static void retain(RegionContext context, ContainerView view) {
        checkRetainable(context, view);
        long header = view.offset();
        context.memory().putLong(header + ContainerLayout.REFERENCES_OFFSET, checkedReferences(context, header) + 1);
    }

    /** Drops one reference to the container in a slot of {@code kind}; the last one frees it. */
    public static void release(RegionContext context, int kind, long offset, int depth) {
        if (kind == SlotKinds.FROZEN_MAP_VIEW || kind == SlotKinds.FROZEN_SET_VIEW) {
            Tuples.free(context, offset, depth);
            return;
        }
        checkHeader(context, offset, tagOf(kind), headerBytes(kind));
        RegionMemory memory = context.memory();
        if (memory.getLong(offset + ContainerLayout.IDENTITY_OFFSET) == 0) {
            return; // being destroyed further up: a cycle
        }
        long references = checkedReferences(context, offset) - 1;
        if (references > 0) {
            memory.putLong(offset + ContainerLayout.REFERENCES_OFFSET, references);
            return;
        }
        if (depth > DeferredDestroys.FROM_DEPTH) {
            // Deep in a destruction: marked as being destroyed now (a cycle back to it, or a view
            // of it, sees that), destroyed by the nearest shallower one (see DeferredDestroys).
            memory.putLong(offset + ContainerLayout.IDENTITY_OFFSET, 0);
            context.deferredDestroys().deferDestroy(kind, offset);
            return;
        }
        destroy(context, kind, offset, depth);
    }

    /** Frees the container now, releasing everything it holds. */
    public static void destroy(RegionContext context, int kind, long offset, int depth) {
        if (kind == SlotKinds.FROZEN_MAP_VIEW || kind == SlotKinds.FROZEN_SET_VIEW) {
            Tuples.free(context, offset, depth);
            return;
        }
        if (depth > ValueSlots.MAX_RELEASE_DEPTH) {
            throw new CorruptedRegionException("containers nest deeper than " + ValueSlots.MAX_RELEASE_DEPTH + " levels", offset);
        }
        checkHeader(context, offset, tagOf(kind), headerBytes(kind));
        RegionMemory memory = context.memory();
        if (memory.getLong(offset + ContainerLayout.IDENTITY_OFFSET) == 0) {
            return;
        }
        memory.putLong(offset + ContainerLayout.IDENTITY_OFFSET, 0);
        destroyMarked(context, kind, offset, depth);
    }

    /** Destroys a container whose last reference a deeper destruction dropped (it is marked already). */
    static void destroyDeferred(RegionContext context, int kind, long offset, int depth) {
        checkHeader(context, offset, tagOf(kind), headerBytes(kind));
        destroyMarked(context, kind, offset, depth);
    }

    /**
     * Releases what the container (identity 0 already) holds and frees its block. Deep in a
     * destruction its block is freed later, with the others, so that a cycle back to it still
     * finds its header; at most {@link DeferredDestroys#FROM_DEPTH} deep it first does what the
     * deeper ones left.
     */
    private static void destroyMarked(RegionContext context, int kind, long offset, int depth) {
        DeferredDestroys deferred = context.deferredDestroys();
        try {
            if (kind == SlotKinds.LIST) {
                SharedArrayList.freeContents(context, offset, depth);
            } else {
                HashTable.freeContents(context, offset, depth);
            }
        } catch (RuntimeException | Error e) {
            deferred.clear();
            throw e;
        }
        if (depth > DeferredDestroys.FROM_DEPTH) {
            deferred.deferFree(offset);
            return;
        }
        if (deferred.pending()) {
            deferred.drain(context, depth);
        }
        context.allocator().free(offset);
        context.destructionSteps().destroyed(context.memory(), offset);
    }

    /** {@code Access.destroy}: frees the view's container now, if it still lives. */
    public static void destroyView(RegionContext context, ContainerView view) {
        int kind = view.slotKind();
        long offset = view.offset();
        long identityOffset = kind == SlotKinds.FROZEN_MAP_VIEW || kind == SlotKinds.FROZEN_SET_VIEW
                ? offset + io.ipcobjects.internal.codec.TupleLayout.IDENTITY_OFFSET : offset + ContainerLayout.IDENTITY_OFFSET;
        if (context.memory().getLong(identityOffset) != view.identity()) {
            throw new ObjectDestroyedException("the shared object at " + offset + " was already destroyed");
        }
        if (kind != SlotKinds.LIST && kind != SlotKinds.MAP && kind != SlotKinds.SET) {
            destroy(context, kind, offset, 0);
            return;
        }
        // The operation's only write: a long destruction may commit steps (DestructionSteps).
        context.destructionSteps().runAsRoot(kind, offset, false, () -> destroy(context, kind, offset, 0));
    }

    /**
     * After a takeover's rollback, before anyone reads: finishes destroying the container whose
     * destruction a dead process left in committed steps ({@link DestructionSteps}), as recorded
     * in the region header. Returns its offset, or 0 if none was pending.
     *
     * @throws CorruptedRegionException the record names no container being destroyed
     */
    public static long finishPendingDestruction(RegionContext context) {
        RegionMemory memory = context.memory();
        long offset = memory.getLong(RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET);
        if (offset == 0) {
            return 0;
        }
        int kind = memory.getInt(RegionHeaderLayout.PENDING_DESTRUCTION_KIND_OFFSET);
        if (kind != SlotKinds.LIST && kind != SlotKinds.MAP && kind != SlotKinds.SET) {
            throw new CorruptedRegionException("a pending destruction names slot kind " + kind + ", not a container",
                    RegionHeaderLayout.PENDING_DESTRUCTION_KIND_OFFSET);
        }
        checkHeader(context, offset, tagOf(kind), headerBytes(kind));
        if (memory.getLong(offset + ContainerLayout.IDENTITY_OFFSET) != 0) {
            throw new CorruptedRegionException("the container of a pending destruction is not being destroyed", offset);
        }
        context.destructionSteps().runAsRoot(kind, offset, true, () -> destroyMarked(context, kind, offset, 0));
        return offset;
    }

    /** How many slots hold the container (for tests and tools), checked. */
    public static long references(RegionContext context, ContainerView view) {
        return checkedReferences(context, view.offset());
    }

    /**
     * The value to hand back for a container about to be removed from a slot: if the slot holds
     * its last reference, a plain Java deep copy (the container is freed right after); otherwise
     * the live view.
     */
    public static Object detach(RegionContext context, int kind, long offset) {
        Object view = view(context, kind, offset);
        if (kind == SlotKinds.FROZEN_MAP_VIEW || kind == SlotKinds.FROZEN_SET_VIEW) {
            return kind == SlotKinds.FROZEN_MAP_VIEW ? FrozenMap.of((Map<?, ?>) view) : FrozenSet.of((Set<?>) view);
        }
        if (checkedReferences(context, offset) > 1) {
            return view;
        }
        return toJava(view);
    }

    /**
     * A deep copy on the Java heap of a value that may hold live views (the caller reads within
     * one budget operation: {@code ValueSlots.readForRemoval}). A container reached twice (two
     * slots may share one) is copied once and the copy shared, so a chain of shared containers is
     * copied in linear time; a container that holds itself cannot be copied. The walk keeps its
     * path in a list, not on the thread's stack, so a nest of any depth (built one level at a
     * time, see {@link DeferredDestroys}) is copied whole.
     */
    private static Object toJava(Object value) {
        Map<Long, Object> copies = new HashMap<>();
        Set<Long> onPath = new HashSet<>();
        ArrayDeque<CopyFrame> path = new ArrayDeque<>();
        Object top = copyOrShell(value, copies, onPath, path);
        while (!path.isEmpty()) {
            CopyFrame frame = path.peek();
            if (!frame.elements.hasNext()) {
                onPath.remove(frame.offset);
                path.pop();
                continue;
            }
            Object next = frame.elements.next();
            if (frame.copy instanceof Map<?, ?>) {
                Map.Entry<?, ?> entry = (Map.Entry<?, ?>) next;
                Object key = entry.getKey();
                @SuppressWarnings("unchecked")
                Map<Object, Object> entries = (Map<Object, Object>) frame.copy;
                entries.put(key, copyOrShell(entry.getValue(), copies, onPath, path));
            } else {
                @SuppressWarnings("unchecked")
                Collection<Object> elements = (Collection<Object>) frame.copy;
                elements.add(copyOrShell(next, copies, onPath, path));
            }
        }
        return top;
    }

    /** A live container being copied by {@link #toJava}: its copy so far and what is left of it. */
    private record CopyFrame(long offset, Object copy, Iterator<?> elements) {
    }

    /**
     * What stands for {@code value} in a copy: the value itself if it holds no live container, a
     * snapshot's copy, the copy already made of a container reached before, or a new empty
     * collection for a container reached first, which the walk fills when it gets to its frame.
     */
    private static Object copyOrShell(Object value, Map<Long, Object> copies, Set<Long> onPath, ArrayDeque<CopyFrame> path) {
        // A snapshot is decoded now: its tuple is freed with the container that holds it.
        if (value instanceof FrozenMapView<?, ?> frozen) {
            return FrozenMap.of(frozen);
        }
        if (value instanceof FrozenSetView<?> frozen) {
            return FrozenSet.of(frozen);
        }
        if (!(value instanceof ContainerView view)
                || view.slotKind() != SlotKinds.LIST && view.slotKind() != SlotKinds.SET && view.slotKind() != SlotKinds.MAP) {
            return value;
        }
        long offset = view.offset();
        if (onPath.contains(offset)) {
            throw new IllegalArgumentException("the shared container at " + offset
                    + " holds itself: a cycle cannot be copied to the Java heap");
        }
        Object copy = copies.get(offset);
        if (copy != null) {
            return copy;
        }
        Iterator<?> elements;
        if (value instanceof SharedList<?> list) {
            copy = new ArrayList<>(list.size());
            elements = list.iterator();
        } else if (value instanceof SharedSet<?> set) {
            copy = new LinkedHashSet<>();
            elements = set.iterator();
        } else {
            copy = new LinkedHashMap<>();
            elements = ((SharedMap<?, ?>) value).entrySet().iterator();
        }
        copies.put(offset, copy);
        onPath.add(offset);
        path.push(new CopyFrame(offset, copy, elements));
        return copy;
    }
}
