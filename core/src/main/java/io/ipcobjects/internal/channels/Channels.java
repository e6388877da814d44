package io.ipcobjects.internal.channels;

import io.ipcobjects.Channel;
import io.ipcobjects.TensorRing;
import io.ipcobjects.TensorSpec;
import io.ipcobjects.internal.codec.RegionContext;
import java.util.List;

/** The channels and tensor rings of one handle (being built). */
public final class Channels {
    private final RegionContext context;

    public Channels(RegionContext context) {
        this.context = context;
    }

    public <T> Channel<T> channel(String name, Class<T> type, int capacity, int inlineBytes, boolean create) {
        throw new UnsupportedOperationException("channels are being built");
    }

    public Channel<Object> defaultChannel() {
        throw new UnsupportedOperationException("channels are being built");
    }

    public TensorRing tensorRing(String name, int slots, List<TensorSpec> specs, boolean create) {
        throw new UnsupportedOperationException("tensor rings are being built");
    }
}
