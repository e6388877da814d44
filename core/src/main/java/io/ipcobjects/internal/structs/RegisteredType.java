package io.ipcobjects.internal.structs;

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
}
