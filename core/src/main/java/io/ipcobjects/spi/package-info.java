/**
 * The tensor binding SPI: how a tensor library (ND4J, DJL, ...) plugs into core, so that its
 * arrays can be stored in a region and read back as its own type. Core never names a tensor
 * library; applications only put the binding's jar next to core.
 *
 * <h2>Registering a binding</h2>
 *
 * <p>A binding implements {@link io.ipcobjects.spi.TensorBinding} and is found with
 * {@link java.util.ServiceLoader} (so it needs a public no-argument constructor, or in a module
 * a public static {@code provider()} method), once, the first time core needs a binding:
 * <ul>
 *   <li>on the class path, its jar lists the implementation class in
 *       {@code META-INF/services/io.ipcobjects.spi.TensorBinding};</li>
 *   <li>as a module, its descriptor says
 *       {@code provides io.ipcobjects.spi.TensorBinding with com.example.MyBinding;} (and
 *       {@code requires io.ipcobjects.core;}).</li>
 * </ul>
 * Core looks through its own class loader, so the binding must be visible from there (as it is
 * when both are on the class path or in the same module layer).
 *
 * <h2>The binding id</h2>
 *
 * <p>{@link io.ipcobjects.spi.TensorBinding#id()} is stored in the header of every tensor the
 * binding stored (as {@link io.ipcobjects.SharedTensor#origin()}). A process that reads such a
 * tensor hands out the binding's array type if a binding with that id is on its class path, and
 * a plain {@link io.ipcobjects.SharedTensor} otherwise. The id must be positive (0 is core's own
 * tensors), unique among the bindings loaded together (two bindings with one id, or an id of 0
 * or less, fail loading with an {@link IllegalStateException}), and must never change once
 * tensors carry it. The bindings of this project use 1 (ND4J) and 2 (DJL).
 *
 * <h2>Storing and viewing</h2>
 *
 * <p>Storing copies once: when a value is stored, core asks each binding whether it
 * {@link io.ipcobjects.spi.TensorBinding#accepts accepts} it, and the first that does
 * {@link io.ipcobjects.spi.TensorBinding#store stores} it, under the region lock, into a tensor
 * it gets from the {@link io.ipcobjects.spi.TensorAllocator} core passes in.
 *
 * <p>Reading does not copy: {@link io.ipcobjects.spi.TensorBinding#view view} wraps the shared
 * tensor's memory in the library's array type. Views belong to a scope the caller gives through
 * the binding's own API (for DJL, an {@code NDManager} bound to the calling thread with
 * {@code SharedDjl.bind}); a binding must not keep arrays in anything process-wide. When its
 * library needs such a scope and the caller has set none, {@code view} returns null to decline,
 * and the caller gets the plain {@link io.ipcobjects.SharedTensor}.
 *
 * <p>Views are made once per scope with {@link io.ipcobjects.spi.TensorViewCache}, the cache of
 * the tensor's handle ({@code tensor.viewCache()}): the scope is null for the handle itself, or
 * an object of the library (DJL's {@code NDManager}). A cache holds views and scopes weakly and
 * hands a view out only for the tensor it was made for, never for a tensor allocated later in
 * the same block.
 *
 * <pre>{@code
 * public final class MyBinding implements TensorBinding {
 *     public int id() { return 42; }                       // never change it once released
 *     public String name() { return "mylib"; }
 *     public boolean accepts(Object value) { return value instanceof MyArray; }
 *     public SharedTensor store(Object value, TensorAllocator allocator) {
 *         MyArray array = (MyArray) value;
 *         SharedTensor tensor = allocator.allocate(DType.FLOAT32, array.shape());
 *         tensor.copyFrom(array.toFloatArray());           // row-major
 *         return tensor;
 *     }
 *     public Object view(SharedTensor tensor) {
 *         MyScope scope = MyScope.current();               // the caller's scope, if any
 *         return scope == null ? null : scope.wrap(tensor.segment(), tensor.shape());
 *     }
 * }
 * }</pre>
 */
package io.ipcobjects.spi;
