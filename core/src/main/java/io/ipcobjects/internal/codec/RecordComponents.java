package io.ipcobjects.internal.codec;

import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.UnsupportedTypeException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/**
 * A record's component values in declaration order, for stable key hashes: a record used as a
 * map key or set element hashes by its class name and components, the order its struct stores
 * them in. Accessors are looked up once per class.
 */
final class RecordComponents {
    private RecordComponents() {
    }

    private static final ClassValue<MethodHandle[]> ACCESSORS = new ClassValue<>() {
        @Override
        protected MethodHandle[] computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            MethodHandle[] accessors = new MethodHandle[components.length];
            for (int i = 0; i < components.length; i++) {
                Method accessor = components[i].getAccessor();
                try {
                    accessor.setAccessible(true);
                    accessors[i] = MethodHandles.lookup().unreflect(accessor)
                            .asType(MethodType.methodType(Object.class, Object.class));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new UnsupportedTypeException(type, "its accessor " + accessor.getName() + " cannot be called: " + e);
                }
            }
            return accessors;
        }
    };

    /** The component values of {@code record}. */
    static Object[] values(Object record) {
        MethodHandle[] accessors = ACCESSORS.get(record.getClass());
        Object[] values = new Object[accessors.length];
        for (int i = 0; i < accessors.length; i++) {
            try {
                values[i] = (Object) accessors[i].invokeExact(record);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                throw new IpcObjectsException("accessor " + record.getClass().getRecordComponents()[i].getName() + " of "
                        + record.getClass().getName() + " threw", e);
            }
        }
        return values;
    }
}
