package io.ipcobjects.internal.containers;

import io.ipcobjects.internal.codec.RegionContext;

/**
 * What every view of a container block has: the region it belongs to and the block it shows.
 * The codec uses it to store a view of the same region as a reference instead of a copy, and
 * {@code destroy} to find what to free.
 */
public interface ContainerView {
    RegionContext context();

    /** Payload offset of the container's block. */
    long offset();

    /** The slot kind that refers to it ({@code SlotKinds.LIST}, {@code MAP}, ...). */
    int slotKind();

    /** The identity word the view saw when it was made (see {@link ContainerLayout}). */
    long identity();
}
