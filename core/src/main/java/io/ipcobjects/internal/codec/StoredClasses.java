package io.ipcobjects.internal.codec;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.IpcObjectsException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The classes a handle loads when the region names them (struct classes, enums), and the loading.
 *
 * <h2>Why a filter</h2>
 * A class name read from the region was written by another process. Loading and instantiating
 * whatever it names would run code the reader never chose: a static initializer, a private
 * constructor, {@code hashCode()} once the object lands in a set. So a name is looked at before
 * anything is loaded, and loaded only if it is allowed:
 * <ul>
 *   <li>classes this process has itself stored in a region (through any handle: a struct's class,
 *       an enum's class), remembered by {@link #remember};</li>
 *   <li>classes the handle's {@code SharedMemoryOptions.withClassFilter} /
 *       {@code withAllowedClasses} accept;</li>
 *   <li>enums of the JDK ({@code java.*}, a prefix only the JDK's own loaders may define): their
 *       initializers are the JDK's.</li>
 * </ul>
 * Anything else is an {@link IpcObjectsException} naming the class and the option. An allowed
 * class is loaded with {@code Class.forName(name, false, loader)}: not initialized by loading;
 * an enum must be an enum class ({@code isEnum()}) before its constants are asked for, which is
 * what initializes it.
 *
 * <p>Classes are looked up through the thread's context class loader, then this library's.
 */
public final class StoredClasses {

    /** Names of classes this process stored; only grows (bounded by the classes a program has). */
    private static final Set<String> STORED = ConcurrentHashMap.newKeySet();

    private final Predicate<String> allowed;
    /**
     * Classes this handle loaded, by name: a read of a record or enum in a loop pays one map
     * lookup, not a {@code Class.forName}. Only allowed names get in, so it is bounded by them.
     */
    private final ConcurrentHashMap<String, Class<?>> loaded = new ConcurrentHashMap<>();

    /** A handle's view: {@code allowed} accepts names beyond the ones this process stored. */
    public StoredClasses(Predicate<String> allowed) {
        this.allowed = allowed;
    }

    /** Adds a class's name to {@link #STORED} the first time it is seen: a class-keyed lookup after that. */
    private static final ClassValue<Boolean> REMEMBERED = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            STORED.add(type.getName());
            return Boolean.TRUE;
        }
    };

    /** Records that this process stored a value of {@code type}: its name may be read back by any handle. */
    public static void remember(Class<?> type) {
        REMEMBERED.get(type);
    }

    /** Whether this handle may load the class called {@code name}. */
    public boolean allows(String name) {
        return STORED.contains(name) || allowed.test(name);
    }

    /**
     * Loads, without initializing, the class {@code name} that a struct at {@code at} names.
     *
     * @throws IpcObjectsException      the class is not allowed (nothing was loaded)
     * @throws CorruptedRegionException the class cannot be loaded in this process
     */
    public Class<?> load(String name, long at) {
        Class<?> known = loaded.get(name);
        if (known != null) {
            return known;
        }
        if (!allows(name)) {
            throw refused(name, at);
        }
        Class<?> type = forName(name, at);
        loaded.put(name, type);
        return type;
    }

    /**
     * The enum class {@code name} that an enum value at {@code at} names: allowed, loaded without
     * initializing, and an enum; only then may its constants be read (which initializes it).
     */
    public Class<?> loadEnum(String name, long at) {
        boolean jdk = name.startsWith("java.");
        if (!jdk && !allows(name)) {
            throw refused(name, at);
        }
        Class<?> type = forName(name, at);
        if (!type.isEnum()) {
            throw new CorruptedRegionException("class " + name + " named by an enum value is not an enum", at);
        }
        return type;
    }

    private static IpcObjectsException refused(String name, long at) {
        return new IpcObjectsException("the value at region offset " + at + " names class " + name
                + ", which this handle does not load: a class is read back only if this process stored values of it "
                + "or SharedMemoryOptions.withAllowedClasses / withClassFilter allows it");
    }

    private static Class<?> forName(String name, long at) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        try {
            return Class.forName(name, false, context != null ? context : StoredClasses.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            try {
                return Class.forName(name, false, StoredClasses.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError again) {
                CorruptedRegionException c = new CorruptedRegionException("class " + name
                        + " named by a stored value cannot be loaded in this process", at);
                c.initCause(again);
                throw c;
            }
        }
    }
}
