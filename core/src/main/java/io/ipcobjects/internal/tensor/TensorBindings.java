package io.ipcobjects.internal.tensor;

import io.ipcobjects.spi.TensorBinding;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The {@link TensorBinding}s on the class path, loaded once. Two bindings claiming the same id
 * is a packaging error and fails loudly: headers would otherwise come back as the wrong type.
 */
public final class TensorBindings {
    private TensorBindings() {
    }

    private static final class Holder {
        static final List<TensorBinding> BINDINGS = load();
    }

    private static List<TensorBinding> load() {
        List<TensorBinding> found = new ArrayList<>();
        for (TensorBinding binding : ServiceLoader.load(TensorBinding.class, TensorBinding.class.getClassLoader())) {
            if (binding.id() <= 0) {
                throw new IllegalStateException("tensor binding " + binding.getClass().getName() + " has id " + binding.id()
                        + "; ids must be positive");
            }
            for (TensorBinding other : found) {
                if (other.id() == binding.id()) {
                    throw new IllegalStateException("tensor bindings " + other.getClass().getName() + " and "
                            + binding.getClass().getName() + " both claim id " + binding.id());
                }
            }
            found.add(binding);
        }
        return List.copyOf(found);
    }

    /** The binding that accepts {@code value}, or null. */
    public static TensorBinding accepting(Object value) {
        for (TensorBinding binding : Holder.BINDINGS) {
            if (binding.accepts(value)) {
                return binding;
            }
        }
        return null;
    }

    /** The binding with {@code id}, or null when it is not on the class path. */
    public static TensorBinding byId(int id) {
        for (TensorBinding binding : Holder.BINDINGS) {
            if (binding.id() == id) {
                return binding;
            }
        }
        return null;
    }
}
