package io.ipcobjects.internal.codec;

import io.ipcobjects.CorruptedRegionException;

/**
 * Loads a class named in the region (enums, records, user classes). The name comes from shared
 * memory, so a missing class is reported as what it is; classes are looked up through the
 * thread's context class loader, then this library's.
 */
public final class StoredClasses {
    private StoredClasses() {
    }

    public static Class<?> load(String name, long at) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        try {
            return Class.forName(name, true, context != null ? context : StoredClasses.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            try {
                return Class.forName(name, true, StoredClasses.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError again) {
                CorruptedRegionException c = new CorruptedRegionException("class " + name
                        + " named by a stored value cannot be loaded in this process", at);
                c.initCause(again);
                throw c;
            }
        }
    }
}
