package io.ipcobjects.internal.structs;

import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.UnsupportedTypeException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How one class is projected onto a struct: its field names in a fixed order, how to read them
 * from an instance, and how to make an instance from them. Computed once per class.
 *
 * <ul>
 *   <li>Records: the record components, read through their accessors, rebuilt through the
 *       canonical constructor.</li>
 *   <li>User classes (copy mode): every non-static, non-transient field of the class and its
 *       superclasses below {@code Object}, read and written reflectively; the class needs a
 *       no-argument constructor (any access). Reading gives a new instance.</li>
 * </ul>
 * A field declared with a type a stored value could not come back as (a concrete collection
 * class, a numeric array) is refused up front, so what is stored can always be read back.
 */
public final class StructType extends RegisteredType {

    private static final ClassValue<Object> TYPES = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return new StructType(type);
            } catch (UnsupportedTypeException e) {
                return e;
            }
        }
    };

    private final Class<?> type;
    private final boolean record;
    private final String[] names;
    private final Field[] fields;
    private final Constructor<?> constructor;
    /** Field readers as {@code (Object) -> Object}: record accessors or field getters, called through invokeExact. */
    private final MethodHandle[] getters;
    /** A record's canonical constructor as {@code (Object[]) -> Object}; null for user classes. */
    private final MethodHandle recordConstructor;
    private final byte[] descriptor;

    /** The projection of {@code type}, or an {@link UnsupportedTypeException} saying why there is none. */
    public static StructType of(Class<?> type) {
        Object found = TYPES.get(type);
        if (found instanceof UnsupportedTypeException e) {
            throw new UnsupportedTypeException(type, e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
        }
        return (StructType) found;
    }

    /** Whether {@code type} can be stored as a struct (a candidate whose projection exists). */
    public static boolean isProjectable(Class<?> type) {
        return isCandidate(type) && !(TYPES.get(type) instanceof UnsupportedTypeException);
    }

    /** Whether {@code type} is a candidate for a struct at all (the JDK's own classes are not). */
    public static boolean isCandidate(Class<?> type) {
        if (type.isRecord()) {
            return true;
        }
        String name = type.getName();
        return !type.isArray() && !type.isInterface() && !type.isPrimitive() && !name.startsWith("java.")
                && !name.startsWith("javax.") && !name.startsWith("jdk.") && !name.startsWith("sun.")
                && !name.startsWith("com.sun.");
    }

    private StructType(Class<?> type) {
        this.type = type;
        this.record = type.isRecord();
        if (type.isHidden() || type.isAnonymousClass() || type.isSynthetic()) {
            throw new UnsupportedTypeException(type, "hidden, anonymous and synthetic classes cannot be named in the region");
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new UnsupportedTypeException(type, "an abstract class cannot be instantiated on reading");
        }
        if (type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers()) && !record) {
            throw new UnsupportedTypeException(type, "an inner (non-static) class holds a hidden outer instance");
        }
        List<String> names = new ArrayList<>();
        Method[] accessors = null; // records: turned into getters below
        if (record) {
            RecordComponent[] components = type.getRecordComponents();
            accessors = new Method[components.length];
            Class<?>[] parameterTypes = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                checkFieldType(components[i].getName(), components[i].getType());
                names.add(components[i].getName());
                accessors[i] = accessible(components[i].getAccessor());
                parameterTypes[i] = components[i].getType();
            }
            try {
                constructor = accessible(type.getDeclaredConstructor(parameterTypes));
            } catch (NoSuchMethodException e) {
                throw new UnsupportedTypeException(type, "no canonical constructor");
            }
            fields = null;
        } else {
            List<Field> found = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
                if (!isCandidate(c)) {
                    throw new UnsupportedTypeException(type, "it extends " + c.getName() + ", whose state cannot be projected");
                }
                for (Field f : c.getDeclaredFields()) {
                    int modifiers = f.getModifiers();
                    if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers) || f.isSynthetic()) {
                        continue;
                    }
                    if (!seen.add(f.getName())) {
                        throw new UnsupportedTypeException(type, "field name " + f.getName() + " is declared twice in its hierarchy");
                    }
                    checkFieldType(f.getName(), f.getType());
                    found.add(accessible(f));
                    names.add(f.getName());
                }
            }
            fields = found.toArray(new Field[0]);
            try {
                constructor = accessible(type.getDeclaredConstructor());
            } catch (NoSuchMethodException e) {
                throw new UnsupportedTypeException(type, "a user class needs a no-argument constructor (any access) to be read back");
            }
        }
        this.names = names.toArray(new String[0]);
        this.getters = new MethodHandle[this.names.length];
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodType getterType = MethodType.methodType(Object.class, Object.class);
        try {
            for (int i = 0; i < getters.length; i++) {
                // The members were made accessible above, so unreflecting them skips access checks.
                MethodHandle raw = record ? lookup.unreflect(accessors[i]) : lookup.unreflectGetter(fields[i]);
                getters[i] = raw.asType(getterType);
            }
            recordConstructor = record
                    ? lookup.unreflectConstructor(constructor).asSpreader(Object[].class, getters.length)
                            .asType(MethodType.methodType(Object.class, Object[].class))
                    : null;
        } catch (IllegalAccessException e) {
            throw new UnsupportedTypeException(type, "its members are not accessible to ipc-objects (" + e.getMessage()
                    + "); open the package to this library");
        }
        this.descriptor = (type.getName() + "\n" + String.join("\n", names)).getBytes(StandardCharsets.UTF_8);
    }

    private void checkFieldType(String name, Class<?> fieldType) {
        checkFieldType(type, name, fieldType, "SharedTensor or Object");
    }

    private <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
        try {
            member.setAccessible(true);
            return member;
        } catch (RuntimeException e) {
            throw new UnsupportedTypeException(type, "its members are not accessible to ipc-objects (" + e.getMessage()
                    + "); open the package to this library");
        }
    }

    @Override
    public Class<?> type() {
        return type;
    }

    public boolean isRecord() {
        return record;
    }

    @Override
    public int fieldCount() {
        return names.length;
    }

    public String[] names() {
        return names.clone();
    }

    /** Class name and field names, as stored in the class's type registry entry ({@link TypeRegistryLayout}). */
    @Override
    public byte[] descriptor() {
        return descriptor;
    }

    public boolean matches(String[] storedNames) {
        return java.util.Arrays.equals(names, storedNames);
    }

    /** The value of field {@code index} of {@code instance}. */
    public Object get(Object instance, int index) {
        try {
            return (Object) getters[index].invokeExact(instance);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            throw new IpcObjectsException("accessor " + names[index] + " of " + type.getName() + " threw", e);
        }
    }

    /** A new instance with these field values (in {@link #names()} order). */
    public Object newInstance(Object[] values) {
        if (record) {
            if (values.length != getters.length) {
                throw new IllegalArgumentException(values.length + " values for the " + getters.length + " components of " + type.getName());
            }
            try {
                return (Object) recordConstructor.invokeExact(values);
            } catch (ClassCastException | NullPointerException e) {
                // A stored value of the wrong type for its component (or null for a primitive one).
                throw new IpcObjectsException("cannot rebuild a " + type.getName() + " from its stored fields: " + e.getMessage(), e);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                throw new IpcObjectsException("the constructor of " + type.getName() + " threw on stored fields", e);
            }
        }
        try {
            Object instance = constructor.newInstance();
            for (int i = 0; i < fields.length; i++) {
                fields[i].set(instance, values[i]);
            }
            return instance;
        } catch (InstantiationException | IllegalAccessException | IllegalArgumentException e) {
            throw new IpcObjectsException("cannot rebuild a " + type.getName() + " from its stored fields: " + e.getMessage(), e);
        } catch (InvocationTargetException e) {
            throw new IpcObjectsException("the constructor of " + type.getName() + " threw on stored fields", e.getCause());
        }
    }
}
