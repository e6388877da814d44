package io.ipcobjects.internal.structs;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_String;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.MTD_void;

import io.ipcobjects.UnsupportedTypeException;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Generates the class of a live object type ({@link ObjectType}) with the JDK's ClassFile API and
 * defines it as a hidden class in this package, so it calls {@link ObjectState}'s package-private
 * accessors directly. No reflection runs per call: a getter is three instructions and a call the
 * JIT inlines.
 *
 * <p>The generated class (for {@code interface Employee}, or {@code abstract class Employee}):
 * <pre>{@code
 * final class ObjectLive$Employee extends Object (or Employee) implements Employee, ObjectLive {
 *     private final ObjectState state;
 *     ObjectLive$Employee(ObjectState state) { this.state = state; super(); }
 *     public int years()              { return state.getInt(2); }
 *     public void years(int v)        { state.setInt(2, v); }
 *     public List tags()              { return (List) state.get(3); }
 *     public void increaseYears()     { state.enterMethod(); try { Employee.super.increaseYears(); } finally { state.exitMethod(); } }
 *     public String toString()        { return state.describe(); }       // unless the type declares its own
 *     public boolean equals(Object o) { return state.sameObject(o); }   // likewise
 *     public int hashCode()           { return state.hash(); }          // likewise
 *     public ObjectState ipcobjects$state() { return state; }
 * }
 * }</pre>
 * The state is stored before the superclass constructor runs, so an abstract class's constructor
 * may already use its accessors.
 *
 * <h2>Access across modules</h2>
 * The class lives in core's module and class loader and names the user's type. So the type must
 * be public and visible from core's class loader (the class path, or a module layer core's loader
 * sees), and, if it is in a named module, its package exported to {@code io.ipcobjects.core} (or
 * to everyone); core adds the read edge to that module itself.
 */
final class ObjectClassGenerator {
    private ObjectClassGenerator() {
    }

    private static final ClassDesc CD_STATE = ClassDesc.of(ObjectState.class.getName());
    private static final ClassDesc CD_LIVE = ClassDesc.of(ObjectLive.class.getName());
    private static final String STATE = "state";

    /** Generates and defines the class of {@code type}; returns its constructor as {@code (ObjectState) -> Object}. */
    static MethodHandle generate(ObjectType type) {
        Class<?> user = type.type();
        checkAccess(user);
        ClassDesc self = ClassDesc.of(ObjectClassGenerator.class.getPackageName(), "ObjectLive$" + user.getSimpleName());
        boolean isInterface = user.isInterface();
        ClassDesc userDesc = desc(user);
        ClassDesc superDesc = isInterface ? CD_Object : userDesc;
        Set<ClassDesc> interfaces = new LinkedHashSet<>();
        interfaces.add(CD_LIVE);
        if (isInterface) {
            interfaces.add(userDesc);
            for (Method m : type.lockedMethods()) { // invokespecial of a default needs its interface as a direct one
                interfaces.add(desc(m.getDeclaringClass()));
            }
        }
        ClassLoader loader = user.getClassLoader();
        ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                .orElse(ClassHierarchyResolver.ofClassLoading(loader != null ? loader : ClassLoader.getPlatformClassLoader()))));
        byte[] bytes = classFile.build(self, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withSuperclass(superDesc);
            cb.withInterfaceSymbols(interfaces.toArray(new ClassDesc[0]));
            cb.withField(STATE, CD_STATE, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL);
            cb.withMethodBody(INIT_NAME, MethodTypeDesc.of(CD_void, CD_STATE), 0, code -> code
                    .aload(0).aload(1).putfield(self, STATE, CD_STATE)
                    .aload(0).invokespecial(superDesc, INIT_NAME, MTD_void)
                    .return_());
            cb.withMethodBody("ipcobjects$state", MethodTypeDesc.of(CD_STATE), ClassFile.ACC_PUBLIC, code -> code
                    .aload(0).getfield(self, STATE, CD_STATE).areturn());
            for (int i = 0; i < type.fieldCount(); i++) {
                ObjectType.FieldInfo field = type.field(i);
                int index = i;
                cb.withMethodBody(field.getter().getName(), methodDesc(field.getter()), ClassFile.ACC_PUBLIC,
                        code -> getter(code, self, field, index));
                if (field.setter() != null) {
                    cb.withMethodBody(field.setter().getName(), methodDesc(field.setter()), ClassFile.ACC_PUBLIC,
                            code -> setter(code, self, field, index));
                }
            }
            for (Method m : type.lockedMethods()) {
                int access = Modifier.isPublic(m.getModifiers()) ? ClassFile.ACC_PUBLIC : ClassFile.ACC_PROTECTED;
                cb.withMethodBody(m.getName(), methodDesc(m), access, code -> locked(code, self, superDesc, m, isInterface));
            }
            if (declaredByObject(user, "toString")) {
                cb.withMethodBody("toString", MethodTypeDesc.of(CD_String), ClassFile.ACC_PUBLIC, code -> code
                        .aload(0).getfield(self, STATE, CD_STATE)
                        .invokevirtual(CD_STATE, "describe", MethodTypeDesc.of(CD_String)).areturn());
            }
            if (declaredByObject(user, "equals", Object.class)) {
                cb.withMethodBody("equals", MethodTypeDesc.of(CD_boolean, CD_Object), ClassFile.ACC_PUBLIC, code -> code
                        .aload(0).getfield(self, STATE, CD_STATE).aload(1)
                        .invokevirtual(CD_STATE, "sameObject", MethodTypeDesc.of(CD_boolean, CD_Object)).ireturn());
            }
            if (declaredByObject(user, "hashCode")) {
                cb.withMethodBody("hashCode", MethodTypeDesc.of(CD_int), ClassFile.ACC_PUBLIC, code -> code
                        .aload(0).getfield(self, STATE, CD_STATE)
                        .invokevirtual(CD_STATE, "hash", MethodTypeDesc.of(CD_int)).ireturn());
            }
        });
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class, ObjectState.class))
                    .asType(MethodType.methodType(Object.class, ObjectState.class));
        } catch (IllegalAccessException | NoSuchMethodException | LinkageError e) {
            UnsupportedTypeException failure = new UnsupportedTypeException(user, "its live implementation could not be "
                    + "defined (" + e + "); the type must be public and visible to io.ipcobjects.core's class loader");
            failure.initCause(e);
            throw failure;
        }
    }

    private static void checkAccess(Class<?> user) {
        Module core = ObjectClassGenerator.class.getModule();
        Module module = user.getModule();
        if (!core.isNamed()) {
            return; // core on the class path: the unnamed module reads every module
        }
        if (module.isNamed() && !module.isExported(user.getPackageName(), core)) {
            throw new UnsupportedTypeException(user, "its package " + user.getPackageName() + " is not exported to "
                    + "io.ipcobjects.core: add 'exports " + user.getPackageName() + " to io.ipcobjects.core;' to "
                    + module.getName() + "'s module-info.java");
        }
        if (!core.canRead(module)) {
            core.addReads(module);
        }
    }

    private static boolean declaredByObject(Class<?> user, String name, Class<?>... parameters) {
        if (user.isInterface()) {
            return true;
        }
        try {
            return user.getMethod(name, parameters).getDeclaringClass() == Object.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    private static ClassDesc desc(Class<?> type) {
        return type.describeConstable().orElseThrow(() -> new UnsupportedTypeException(type, "it cannot be named in a class file"));
    }

    private static MethodTypeDesc methodDesc(Method m) {
        return MethodType.methodType(m.getReturnType(), m.getParameterTypes()).describeConstable()
                .orElseThrow(() -> new UnsupportedTypeException(m.getDeclaringClass(), "method " + m.getName()
                        + " names a type that cannot be named in a class file"));
    }

    /** The {@link ObjectState} accessor suffix of a primitive type ({@code Int}, {@code Boolean}...), or "" for references. */
    private static String suffix(Class<?> t) {
        if (!t.isPrimitive()) {
            return "";
        }
        String name = t.getName();
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static void getter(CodeBuilder code, ClassDesc self, ObjectType.FieldInfo field, int index) {
        Class<?> t = field.type();
        code.aload(0).getfield(self, STATE, CD_STATE).loadConstant(index);
        if (t.isPrimitive()) {
            ClassDesc d = desc(t);
            code.invokevirtual(CD_STATE, "get" + suffix(t), MethodTypeDesc.of(d, CD_int));
            code.return_(TypeKind.from(d));
        } else {
            code.invokevirtual(CD_STATE, "get", MethodTypeDesc.of(CD_Object, CD_int));
            if (t != Object.class) {
                code.checkcast(desc(t));
            }
            code.areturn();
        }
    }

    private static void setter(CodeBuilder code, ClassDesc self, ObjectType.FieldInfo field, int index) {
        Class<?> t = field.type();
        code.aload(0).getfield(self, STATE, CD_STATE).loadConstant(index);
        if (t.isPrimitive()) {
            ClassDesc d = desc(t);
            code.loadLocal(TypeKind.from(d), 1);
            code.invokevirtual(CD_STATE, "set" + suffix(t), MethodTypeDesc.of(CD_void, CD_int, d));
        } else {
            code.aload(1);
            code.invokevirtual(CD_STATE, "set", MethodTypeDesc.of(CD_void, CD_int, CD_Object));
        }
        code.return_();
    }

    /** {@code state.enterMethod(); try { return super.m(args); } finally { state.exitMethod(); }} */
    private static void locked(CodeBuilder code, ClassDesc self, ClassDesc superDesc, Method m, boolean isInterface) {
        MethodTypeDesc d = methodDesc(m);
        Label start = code.newLabel();
        Label end = code.newLabel();
        Label handler = code.newLabel();
        code.aload(0).getfield(self, STATE, CD_STATE).invokevirtual(CD_STATE, "enterMethod", MTD_void);
        code.labelBinding(start);
        code.aload(0);
        int slot = 1;
        for (Class<?> p : m.getParameterTypes()) {
            TypeKind kind = TypeKind.from(desc(p));
            code.loadLocal(kind, slot);
            slot += kind.slotSize();
        }
        if (isInterface) {
            code.invokespecial(desc(m.getDeclaringClass()), m.getName(), d, true);
        } else {
            // Through the direct superclass: resolution finds the method (or the default it inherits) above it.
            code.invokespecial(superDesc, m.getName(), d, false);
        }
        code.labelBinding(end);
        code.aload(0).getfield(self, STATE, CD_STATE).invokevirtual(CD_STATE, "exitMethod", MTD_void);
        code.return_(TypeKind.from(d.returnType()));
        code.labelBinding(handler);
        code.astore(slot);
        code.aload(0).getfield(self, STATE, CD_STATE).invokevirtual(CD_STATE, "exitMethod", MTD_void);
        code.aload(slot).athrow();
        code.exceptionCatchAll(start, end, handler);
    }
}
