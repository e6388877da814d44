package io.ipcobjects.internal.codec;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.codec.RegionContext;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * Values stored with Java serialization ({@link SlotKinds#SERIALIZED}, a blob of the
 * serialization stream): the opt-in fallback for {@code Serializable} values the region cannot
 * store otherwise ({@code SharedMemoryOptions.withSerialization(filter)}).
 *
 * <p>Why it is off by default and filtered on reading: deserializing runs code of whatever
 * classes the bytes name, and the bytes were written by another process. So a handle reads a
 * serialized value only with serialization on, and only through its {@link ObjectInputFilter}
 * (an allow-list of classes, depth and sizes); a rejected stream is an exception naming the
 * filter, and nothing in the region changes. Serialized values are copies, like strings: they
 * cannot be keys or set elements (their {@code equals} is not known to every process).
 */
public final class Serialized {
    private Serialized() {
    }

    /** Whether {@code value} may be stored serialized by a handle of {@code context}. */
    public static boolean accepts(RegionContext context, Object value, boolean frozen) {
        return context.serialization() != null && !frozen && value instanceof Serializable;
    }

    /** Serializes {@code value} into a new blob; returns its payload offset. */
    static long store(RegionContext context, Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new UnsupportedTypeException(value.getClass(), "serializing it reached " + e.getMessage()
                    + ", which is not Serializable");
        } catch (IOException e) {
            throw new UnsupportedTypeException(value.getClass(), "it could not be serialized: " + e);
        }
        return Blobs.store(context, bytes.toByteArray());
    }

    /** Reads the serialized value in the blob at {@code payload} through the handle's filter. */
    static Object read(RegionContext context, long payload) {
        ObjectInputFilter filter = context.serialization();
        if (filter == null) {
            throw new IpcObjectsException("the value at region offset " + payload + " was stored with Java serialization, "
                    + "which this handle does not read: attach with SharedMemoryOptions.withSerialization(filter) "
                    + "and a filter that allows its classes");
        }
        byte[] bytes = Blobs.bytes(context, payload);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException e) {
            if (e.getMessage() != null && e.getMessage().contains("filter status: REJECTED")) { // ObjectInputStream's wording
                throw new IpcObjectsException("the serialized value at region offset " + payload
                        + " was rejected by this handle's serialization filter (" + filter + "): " + e.getMessage(), e);
            }
            throw new CorruptedRegionException("serialized value does not deserialize: " + e, payload);
        } catch (ClassNotFoundException e) {
            throw new IpcObjectsException("the serialized value at region offset " + payload + " names a class this process "
                    + "does not have: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CorruptedRegionException("serialized value does not deserialize: " + e, payload);
        }
    }
}
