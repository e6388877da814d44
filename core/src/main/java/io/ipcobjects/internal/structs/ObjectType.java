package io.ipcobjects.internal.structs;

import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.codec.SlotKinds;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How an interface or abstract class is laid over a live shared object ({@link ObjectLayout}):
 * its fields, found from its abstract accessor methods, and the generated class that implements
 * them ({@link ObjectClassGenerator}). Computed once per class, checked in full before anything
 * is generated.
 *
 * <h2>Accessors</h2>
 * Every abstract method must be an accessor of a field:
 * <ul>
 *   <li>a getter takes nothing and returns the field's type: {@code years()}, {@code getYears()},
 *       or {@code isFlag()} for a {@code boolean};</li>
 *   <li>a setter takes the field's type and returns {@code void}: {@code years(int)} or
 *       {@code setYears(int)}.</li>
 * </ul>
 * Each field has one getter and at most one setter of the same type. Fields are ordered by name,
 * so the layout does not depend on the order reflection lists methods in. Field types are those a
 * value slot stores and gives back as that type: primitives, their boxes, {@code String},
 * {@code List}/{@code Set}/{@code Map} (live views), {@code SharedTensor}, other live object
 * types, records, {@code Object}, and the codec's other value types.
 *
 * <h2>Abstract classes</h2>
 * The generated class extends it, so it needs a public or protected no-argument constructor
 * (run for every view made, in every process) and may declare no instance fields: state that is
 * not in accessors would stay in one process. Its public and protected concrete methods run
 * inside the region lock, like an interface's default methods.
 */
public final class ObjectType extends RegisteredType {

    private static final ClassValue<Object> TYPES = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return new ObjectType(type);
            } catch (UnsupportedTypeException e) {
                return e;
            }
        }
    };

    /** One field: its name, declared type, slot kind for primitives (-1 otherwise) and accessors. */
    record FieldInfo(String name, Class<?> type, int primitiveKind, Method getter, Method setter) {
    }

    private final Class<?> type;
    private final FieldInfo[] fields;
    private final Class<?>[] fieldTypes;
    private final byte[] descriptor;
    private final String[] descriptorLines;
    /** Concrete and default methods the generated class runs inside the lock. */
    private final List<Method> lockedMethods;
    /** The generated class's constructor as {@code (ObjectState) -> Object}; made on first use. */
    private volatile MethodHandle constructor;

    /** The layout of {@code type}, or an {@link UnsupportedTypeException} saying why there is none. */
    public static ObjectType of(Class<?> type) {
        Object found = TYPES.get(type);
        if (found instanceof UnsupportedTypeException e) {
            throw new UnsupportedTypeException(type, e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
        }
        return (ObjectType) found;
    }

    private ObjectType(Class<?> type) {
        this.type = type;
        boolean isInterface = type.isInterface();
        if (type.isHidden() || type.isAnonymousClass() || type.isSynthetic() || type.isAnnotation() || type.isArray()
                || type.isPrimitive()) {
            throw new UnsupportedTypeException(type, "a live object is made for a public interface or abstract class");
        }
        if (!isInterface && !Modifier.isAbstract(type.getModifiers())) {
            throw new UnsupportedTypeException(type, "a live object is made for an interface or an abstract class; "
                    + "a concrete class is stored as a copy (put it as a value) or declared as an interface of accessors");
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new UnsupportedTypeException(type, "the type must be public (and its package exported to, or on the class "
                    + "path with, io.ipcobjects.core) for the generated implementation to implement it");
        }
        if (type.getTypeParameters().length > 0) {
            throw new UnsupportedTypeException(type, "a generic type cannot be named in the region: its field types "
                    + "would not be known; declare the types in a non-generic interface");
        }
        if (!isInterface) {
            checkAbstractClass(type);
        }
        Map<String, Method> abstracts = abstractMethods(type);
        Map<String, Method[]> accessors = new TreeMap<>(); // field name -> {getter, setter}
        for (Method m : abstracts.values()) {
            classify(m, accessors);
        }
        List<FieldInfo> found = new ArrayList<>();
        for (Map.Entry<String, Method[]> e : accessors.entrySet()) {
            Method getter = e.getValue()[0];
            Method setter = e.getValue()[1];
            if (getter == null) {
                throw new UnsupportedTypeException(type, "field " + e.getKey() + " has a setter (" + setter.getName()
                        + ") but no getter");
            }
            Class<?> fieldType = getter.getReturnType();
            if (setter != null && setter.getParameterTypes()[0] != fieldType) {
                throw new UnsupportedTypeException(type, "field " + e.getKey() + " is read as " + fieldType.getName()
                        + " but written as " + setter.getParameterTypes()[0].getName());
            }
            checkFieldType(e.getKey(), fieldType);
            found.add(new FieldInfo(e.getKey(), fieldType, primitiveKind(fieldType), getter, setter));
        }
        this.fields = found.toArray(new FieldInfo[0]);
        this.fieldTypes = new Class<?>[fields.length];
        StringBuilder text = new StringBuilder(type.getName());
        this.descriptorLines = new String[fields.length];
        for (int i = 0; i < fields.length; i++) {
            fieldTypes[i] = fields[i].type();
            descriptorLines[i] = fields[i].name() + " " + fields[i].type().getName();
            text.append('\n').append(descriptorLines[i]);
        }
        this.descriptor = text.toString().getBytes(StandardCharsets.UTF_8);
        this.lockedMethods = lockedMethods(type, abstracts);
    }

    private void checkAbstractClass(Class<?> type) {
        if (type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers())) {
            throw new UnsupportedTypeException(type, "an inner (non-static) class holds a hidden outer instance");
        }
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    throw new UnsupportedTypeException(type, "it declares the instance field " + c.getSimpleName() + "."
                            + f.getName() + ", which would stay in one process; declare the state as abstract accessors");
                }
            }
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor();
            int modifiers = constructor.getModifiers();
            if (!Modifier.isPublic(modifiers) && !Modifier.isProtected(modifiers)) {
                throw new UnsupportedTypeException(type, "its no-argument constructor must be public or protected for the "
                        + "generated subclass to call it");
            }
        } catch (NoSuchMethodException e) {
            throw new UnsupportedTypeException(type, "an abstract class needs a public or protected no-argument constructor: "
                    + "the generated subclass calls it for every view");
        }
    }

    /** Signature key of a method: name and parameter types. */
    private static String key(Method m) {
        return m.getName() + Arrays.toString(m.getParameterTypes());
    }

    /**
     * The abstract methods {@code type} leaves to an implementation, by signature: public ones of
     * it and its interfaces, and the protected ones of its class chain; none is implemented by a
     * concrete class method or a default method.
     */
    private Map<String, Method> abstractMethods(Class<?> type) {
        Map<String, Method> candidates = new LinkedHashMap<>();
        for (Method m : type.getMethods()) {
            if (!m.isBridge() && !m.isSynthetic() && !Modifier.isStatic(m.getModifiers())) {
                candidates.putIfAbsent(key(m), m);
            }
        }
        if (!type.isInterface()) {
            for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (!m.isBridge() && !m.isSynthetic() && !Modifier.isStatic(m.getModifiers()) && Modifier.isAbstract(m.getModifiers())) {
                        if (!Modifier.isPublic(m.getModifiers()) && !Modifier.isProtected(m.getModifiers())) {
                            throw new UnsupportedTypeException(type, "abstract method " + m.getName() + " is "
                                    + (Modifier.isPrivate(m.getModifiers()) ? "private" : "package-private")
                                    + ": the generated class can implement only public and protected accessors");
                        }
                        candidates.putIfAbsent(key(m), m);
                    }
                }
            }
        }
        Map<String, Method> abstracts = new LinkedHashMap<>();
        for (Map.Entry<String, Method> e : candidates.entrySet()) {
            Method m = e.getValue();
            if (Modifier.isAbstract(m.getModifiers()) && concreteImplementation(type, m) == null) {
                abstracts.put(e.getKey(), m);
            }
        }
        return abstracts;
    }

    /** A concrete method of {@code type}'s class chain (or a default method) with {@code m}'s signature, or null. */
    private static Method concreteImplementation(Class<?> type, Method m) {
        for (Class<?> c = type; c != null && !c.isInterface(); c = c.getSuperclass()) {
            try {
                Method found = c.getDeclaredMethod(m.getName(), m.getParameterTypes());
                if (!Modifier.isAbstract(found.getModifiers())) {
                    return found;
                }
                break; // re-declared abstract here: it stays abstract
            } catch (NoSuchMethodException e) {
                // look further up
            }
        }
        for (Method candidate : type.getMethods()) {
            if (candidate.isDefault() && key(candidate).equals(key(m))) {
                return candidate;
            }
        }
        return null;
    }

    private void classify(Method m, Map<String, Method[]> accessors) {
        String name = m.getName();
        int params = m.getParameterCount();
        Class<?> returns = m.getReturnType();
        if (params == 0 && returns != void.class) {
            String field = name;
            if (name.length() > 3 && name.startsWith("get") && Character.isUpperCase(name.charAt(3))) {
                field = decapitalize(name.substring(3));
            } else if (name.length() > 2 && name.startsWith("is") && Character.isUpperCase(name.charAt(2))
                    && (returns == boolean.class || returns == Boolean.class)) {
                field = decapitalize(name.substring(2));
            }
            put(accessors, field, 0, m);
            return;
        }
        if (params == 1 && returns == void.class) {
            String field = name;
            if (name.length() > 3 && name.startsWith("set") && Character.isUpperCase(name.charAt(3))) {
                field = decapitalize(name.substring(3));
            }
            put(accessors, field, 1, m);
            return;
        }
        throw new UnsupportedTypeException(type, "abstract method " + m.getName() + " is not an accessor: a getter takes "
                + "nothing and returns the field (years() or getYears()), a setter takes the field and returns void "
                + "(years(int) or setYears(int)); give other methods a body (a default method) that uses the accessors");
    }

    private void put(Map<String, Method[]> accessors, String field, int which, Method m) {
        Method[] pair = accessors.computeIfAbsent(field, f -> new Method[2]);
        if (pair[which] != null) {
            throw new UnsupportedTypeException(type, "field " + field + " has two " + (which == 0 ? "getters" : "setters")
                    + ": " + pair[which].getName() + " and " + m.getName());
        }
        pair[which] = m;
    }

    private static String decapitalize(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(1))) {
            return s; // URL stays URL, as java.beans does
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private void checkFieldType(String name, Class<?> fieldType) {
        checkFieldType(type, name, fieldType, "SharedTensor");
        if (fieldType.isArray() && !fieldType.getComponentType().isPrimitive() && fieldType != Object[].class) {
            throw new UnsupportedTypeException(type, "field " + name + " is a " + fieldType.getSimpleName()
                    + ": of arrays of references only Object[] is stored");
        }
    }

    private static int primitiveKind(Class<?> t) {
        if (!t.isPrimitive()) {
            return -1;
        }
        if (t == int.class) {
            return SlotKinds.INT;
        }
        if (t == long.class) {
            return SlotKinds.LONG;
        }
        if (t == boolean.class) {
            return SlotKinds.BOOLEAN;
        }
        if (t == double.class) {
            return SlotKinds.DOUBLE;
        }
        if (t == float.class) {
            return SlotKinds.FLOAT;
        }
        if (t == short.class) {
            return SlotKinds.SHORT;
        }
        if (t == byte.class) {
            return SlotKinds.BYTE;
        }
        return SlotKinds.CHAR;
    }

    /**
     * The concrete methods the generated class wraps in the lock: default methods of an
     * interface; public and protected, non-final concrete methods of an abstract class and its
     * superclasses below {@code Object} (and the defaults they inherit). Accessors are excluded.
     */
    private static List<Method> lockedMethods(Class<?> type, Map<String, Method> abstracts) {
        Map<String, Method> found = new LinkedHashMap<>();
        for (Method m : type.getMethods()) {
            int modifiers = m.getModifiers();
            if (m.isBridge() || m.isSynthetic() || Modifier.isStatic(modifiers) || Modifier.isAbstract(modifiers)
                    || Modifier.isFinal(modifiers) || m.getDeclaringClass() == Object.class || abstracts.containsKey(key(m))) {
                continue;
            }
            found.putIfAbsent(key(m), m);
        }
        if (!type.isInterface()) {
            for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    int modifiers = m.getModifiers();
                    if (Modifier.isProtected(modifiers) && !m.isBridge() && !m.isSynthetic() && !Modifier.isStatic(modifiers)
                            && !Modifier.isAbstract(modifiers) && !Modifier.isFinal(modifiers)) {
                        found.putIfAbsent(key(m), m);
                    }
                }
            }
        }
        return List.copyOf(found.values());
    }

    // ---- what the rest of the package reads ----

    @Override
    public Class<?> type() {
        return type;
    }

    @Override
    public int fieldCount() {
        return fields.length;
    }

    @Override
    public byte[] descriptor() {
        return descriptor;
    }

    FieldInfo field(int index) {
        return fields[index];
    }

    Class<?> fieldType(int index) {
        return fieldTypes[index];
    }

    /** The field lines of the descriptor ({@code name type}), in field order. */
    String[] descriptorLines() {
        return descriptorLines.clone();
    }

    List<Method> lockedMethods() {
        return lockedMethods;
    }

    /** A new view over {@code state}: an instance of the generated class. */
    Object newView(ObjectState state) {
        MethodHandle c = constructor;
        if (c == null) {
            c = generate();
        }
        try {
            return (Object) c.invokeExact(state);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new io.ipcobjects.IpcObjectsException("the constructor of " + type.getName() + " threw", e);
        }
    }

    private synchronized MethodHandle generate() {
        if (constructor == null) {
            constructor = ObjectClassGenerator.generate(this);
        }
        return constructor;
    }
}
