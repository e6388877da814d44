package io.ipcobjects.spi;

import io.ipcobjects.SharedTensor;

/**
 * A tensor library plugged into core (ND4J, DJL, ...), found with {@link java.util.ServiceLoader}:
 * a binding jar lists its implementation in
 * {@code META-INF/services/io.ipcobjects.spi.TensorBinding} (on the module path, its module
 * {@code provides io.ipcobjects.spi.TensorBinding with} it). Core never names a tensor library;
 * it asks the bindings on the class path.
 *
 * <p>What a binding does for core: it recognises its own array type ({@link #accepts}), copies
 * such an array once into a new shared tensor ({@link #store}), and turns a shared tensor back
 * into its array type without a copy ({@link #view}). The tensor's header records the binding's
 * {@link #id()}, so a process that reads the tensor gets the binding's type back when that
 * binding is on its class path, and a plain {@link SharedTensor} otherwise.
 */
public interface TensorBinding {

    /**
     * A positive number, unique among bindings, stored in tensor headers; it must never change
     * once tensors carry it. 0 is core's own (primitive arrays and {@code SharedTensor}s).
     * Core refuses to load a binding whose id is 0 or negative, or the same as another's.
     *
     * @return the binding's id
     */
    int id();

    /**
     * A short name for messages ("nd4j", "djl").
     *
     * @return the binding's name
     */
    String name();

    /**
     * Whether {@code value} is an array of this binding's library.
     *
     * @param value any value being stored (possibly null)
     * @return true if this binding stores it
     */
    boolean accepts(Object value);

    /**
     * Copies {@code value} (accepted by {@link #accepts}) into a tensor obtained from
     * {@code allocator}, in row-major order, and returns that tensor. Runs under the region lock.
     *
     * @param value     a value {@link #accepts} returned true for
     * @param allocator where to get the tensor from; valid only during this call
     * @return the tensor from {@code allocator} holding the copy
     */
    SharedTensor store(Object value, TensorAllocator allocator);

    /**
     * The binding's array type over {@code tensor}'s memory, with no copy, for a value core is
     * reading (a message, a name, an element of a container). The array belongs to a scope the
     * caller set up through the binding's own API (for DJL, an {@code NDManager} bound to the
     * calling thread); a binding must not park arrays in anything process-wide. When its library
     * needs such a scope and the caller has set none, it returns null and the caller gets the
     * plain {@link SharedTensor}.
     *
     * @param tensor a validated view of a tensor this binding stored
     * @return the binding's array over the same memory, or null to hand out {@code tensor} itself
     */
    Object view(SharedTensor tensor);
}
