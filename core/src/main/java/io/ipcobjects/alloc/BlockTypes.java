package io.ipcobjects.alloc;

/**
 * Type tags written into every used block's header ({@link BlockLayout#TYPE_TAG_OFFSET}): what
 * the payload holds. A reader that follows an offset checks the tag before it trusts the payload.
 * Every tag in the region is defined here, so this class is the index of block kinds.
 */
public final class BlockTypes {
    private BlockTypes() {
    }

    /** Raw bytes handed out by {@code Access.allocate}: the application owns the contents. */
    public static final int RAW = 1;

    // ---- messages and names ----

    /** The message queue's root: head and tail node offsets ({@code messages.MessageQueueLayout}). */
    public static final int MESSAGE_QUEUE = 0x100;
    /** One queued message: next-node offset and the message's value slot ({@code messages.MessageQueueLayout}). */
    public static final int MESSAGE_NODE = 0x101;
    /** The named-object directory: bucket count, entry count, buckets ({@code names.NameDirectoryLayout}). */
    public static final int NAME_DIRECTORY = 0x110;
    /** One named object: chain link, hash, value slot and the name's UTF-8 bytes ({@code names.NameDirectoryLayout}). */
    public static final int NAME_ENTRY = 0x111;
    // ---- end messages and names ----
}
