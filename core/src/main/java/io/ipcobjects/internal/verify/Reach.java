package io.ipcobjects.internal.verify;

import io.ipcobjects.internal.alloc.BlockTypes;

/**
 * Marks blocks as the walk reaches them, and turns what cannot be right into findings: an offset
 * that is not a used block, a block of the wrong kind, an owned block reached twice. Every walk
 * of the verifier reaches blocks through here, so each owned block is looked at once, whatever
 * the region claims: the walk is linear in the heap even when slots share blocks or form cycles.
 */
final class Reach {

    private final BlockCensus census;
    private final Findings findings;

    Reach(BlockCensus census, Findings findings) {
        this.census = census;
        this.findings = findings;
    }

    BlockCensus census() {
        return census;
    }

    Findings findings() {
        return findings;
    }

    /**
     * Reaches the block at {@code payload}, which one reference owns (a blob, a tuple, a struct,
     * an element block, a node): returns true if it is a used block tagged {@code tag} reached
     * for the first time, else records why not and returns false (then it must not be followed).
     *
     * @param from the slot or field that refers to it, for the finding
     */
    boolean owned(long payload, int tag, long from) {
        int index = block(payload, tag, from);
        if (index < 0) {
            return false;
        }
        if (census.reach(index)) {
            findings.add("block " + payload + " (" + tagName(tag) + ") is referred to a second time, from " + from
                    + ": a block has one owner, so two slots share it or it holds itself", from);
            return false;
        }
        return true;
    }

    /**
     * Reaches a block that may have several referrers (a container header, a tensor): returns its
     * census index, or -1 after recording why it is not a used block tagged {@code tag}.
     */
    int shared(long payload, int tag, long from) {
        int index = block(payload, tag, from);
        if (index >= 0) {
            census.reach(index);
        }
        return index;
    }

    private int block(long payload, int tag, long from) {
        int index = census.indexOf(payload);
        if (index < 0) {
            findings.add("offset " + payload + " (meant as " + tagName(tag) + ") referred to from " + from
                    + " is not a used block: freed, or never a block", from);
            return -1;
        }
        int found = census.tag(index);
        if (found != tag) {
            findings.add("block " + payload + " referred to from " + from + " is a " + tagName(found) + ", not a "
                    + tagName(tag), from);
            return -1;
        }
        return index;
    }

    /** A block tag's name in findings. */
    static String tagName(int tag) {
        return switch (tag) {
            case BlockTypes.RAW -> "raw block";
            case BlockTypes.MESSAGE_QUEUE -> "layout-1 queue root";
            case BlockTypes.MESSAGE_NODE -> "message node";
            case BlockTypes.NAME_DIRECTORY -> "name directory";
            case BlockTypes.NAME_ENTRY -> "name entry";
            case BlockTypes.VALUE_BLOB -> "blob";
            case BlockTypes.VALUE_TUPLE -> "tuple";
            case BlockTypes.VALUE_STRUCT -> "struct";
            case BlockTypes.LIST -> "list header";
            case BlockTypes.LIST_ELEMENTS -> "list element block";
            case BlockTypes.HASH -> "map or set header";
            case BlockTypes.HASH_TABLE -> "hash table";
            case BlockTypes.TYPE_DESCRIPTOR -> "type registry entry";
            case BlockTypes.SHARED_OBJECT -> "shared object";
            case BlockTypes.TENSOR -> "tensor";
            case BlockTypes.CHANNEL -> "channel";
            case BlockTypes.TENSOR_RING -> "tensor ring";
            default -> "block of unknown tag " + tag;
        };
    }
}
