package io.ipcobjects.internal.structs;

import io.ipcobjects.UnsupportedTypeException;

import java.util.Collection;
import java.util.Map;

/**
 * A type with an entry in the region's {@link TypeRegistry}: a struct's class ({@link StructType})
 * or a live object's type ({@link ObjectType}). Its descriptor is what the entry stores.
 */
abstract class RegisteredType {

    /** This type's entry in the registry it was last stored in (see {@link TypeRegistry}); a cache. */
    volatile TypeRegistry.Registration registration;

    /** The class the entry names. */
    public abstract Class<?> type();

    /** The number of fields (value slots) a block of this type has. */
    public abstract int fieldCount();

    /** The bytes the registry entry holds: UTF-8, the class name then one line per field. */
    public abstract byte[] descriptor();

    /**
     * Refuses a field type that would not come back as declared: a concrete collection class
     * (shared containers come back as {@code SharedList} / {@code SharedSet} / {@code SharedMap})
     * or a primitive array other than {@code byte[]} and {@code char[]} (shared as a tensor view,
     * so declared as {@code tensorDeclaration}).
     */
    static void checkFieldType(Class<?> type, String name, Class<?> fieldType, String tensorDeclaration) {
        boolean container = Collection.class.isAssignableFrom(fieldType) || Map.class.isAssignableFrom(fieldType);
        if (container && !fieldType.isInterface()) {
            throw new UnsupportedTypeException(type, "field " + name + " is declared as " + fieldType.getName()
                    + ", but shared containers come back as SharedList / SharedSet / SharedMap: declare it as List, Set or Map");
        }
        if (fieldType.isArray() && fieldType.getComponentType().isPrimitive() && fieldType != byte[].class
                && fieldType != char[].class) {
            throw new UnsupportedTypeException(type, "field " + name + " is a " + fieldType.getSimpleName()
                    + ", which is shared as a tensor view: declare it as " + tensorDeclaration);
        }
    }
}
