package io.ipcobjects;

/**
 * A value of a type the region cannot store (see {@code docs/values.md} for the type table).
 * Thrown before anything is left allocated: the region is exactly as it was.
 */
public class UnsupportedTypeException extends IpcObjectsException {
    private final Class<?> type;

    public UnsupportedTypeException(Class<?> type, String why) {
        super("cannot store a value of type " + type.getName() + ": " + why);
        this.type = type;
    }

    /** The class that was refused. */
    public Class<?> type() {
        return type;
    }
}
