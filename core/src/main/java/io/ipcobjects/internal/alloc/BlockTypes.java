package io.ipcobjects.internal.alloc;

/**
 * Type tags written into every used block's header ({@link BlockLayout#TYPE_TAG_OFFSET}): what
 * the payload holds. A reader that follows an offset checks the tag before it trusts the payload.
 * Every tag in the region is defined here, so this class is the index of block kinds. Packages
 * named below are under {@code io.ipcobjects.internal}.
 */
public final class BlockTypes {
    private BlockTypes() {
    }

    /** Raw bytes handed out by {@code Access.allocate}: the application owns the contents. */
    public static final int RAW = 1;

    // ---- messages and names ----

    /** Layout version 1's message queue root block; unused since the root moved onto the lock's line (kept: never renumber). */
    public static final int MESSAGE_QUEUE = 0x100;
    /** One queued message: next-node offset and the message's value slot ({@code messages.MessageQueueLayout}). */
    public static final int MESSAGE_NODE = 0x101;
    /** The named-object directory: bucket count, entry count, buckets ({@code names.NameDirectoryLayout}). */
    public static final int NAME_DIRECTORY = 0x110;
    /** One named object: chain link, hash, value slot and the name's UTF-8 bytes ({@code names.NameDirectoryLayout}). */
    public static final int NAME_ENTRY = 0x111;

    /** A channel: its header and its lock-free ring ({@code channels.ChannelLayout}). */
    public static final int CHANNEL = 0x120;
    /** A tensor ring: header, specs, slot table and two rings of slot indices ({@code channels.TensorRingLayout}). */
    public static final int TENSOR_RING = 0x121;

    // ---- values ----
    // Tags of the value codec (codec), the containers (containers) and the structs (structs).
    // Numbered from 100 to stay clear of other work.

    /** A byte string whose meaning the referring slot's kind gives: see {@code codec.BlobLayout}. */
    public static final int VALUE_BLOB = 100;
    /** A fixed array of value slots: Object[] and frozen lists, sets and maps: see {@code codec.TupleLayout}. */
    public static final int VALUE_TUPLE = 101;
    /** A record or user object projected onto a field table: see {@code structs.StructLayout}. */
    public static final int VALUE_STRUCT = 102;
    /** The header of a live shared list: see {@code containers.ListLayout}. */
    public static final int LIST = 103;
    /** The element slots of a live shared list (grown by reallocation): see {@code containers.ListLayout}. */
    public static final int LIST_ELEMENTS = 104;
    /** The header of a live shared map or set: see {@code containers.HashLayout}. */
    public static final int HASH = 105;
    /** The open-addressing entry table of a shared map or set: see {@code containers.HashLayout}. */
    public static final int HASH_TABLE = 106;
    /** One class's entry in the type registry, shared by all its structs: see {@code structs.TypeRegistryLayout}. */
    public static final int TYPE_DESCRIPTOR = 107;
    /** A live shared object (an interface or abstract class over a field table): see {@code structs.ObjectLayout}. */
    public static final int SHARED_OBJECT = 108;
    // ---- tensors ----

    /**
     * A tensor: header ({@code tensor.TensorLayout}) and, unless it is a view of another tensor
     * block, its 64-byte aligned data. Primitive arrays, {@code SharedTensor}s and binding arrays
     * are stored as this.
     */
    public static final int TENSOR = 16;
}
