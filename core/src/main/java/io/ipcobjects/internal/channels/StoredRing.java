package io.ipcobjects.internal.channels;

/**
 * What a name holding a channel or a tensor ring reads as under the lock: the slot kind and the
 * block. The {@link Channels} of a handle turns it into a {@code Channel} or {@code TensorRing}.
 *
 * @param kind  {@code SlotKinds.CHANNEL} or {@code SlotKinds.TENSOR_RING}
 * @param block the payload offset of the channel's or ring's block
 */
public record StoredRing(int kind, long block) {
    @Override
    public String toString() {
        return (kind == io.ipcobjects.internal.codec.SlotKinds.CHANNEL ? "channel" : "tensor ring") + " at region offset " + block;
    }
}
