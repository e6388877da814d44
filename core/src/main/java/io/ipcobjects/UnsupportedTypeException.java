package io.ipcobjects;

/**
 * A value of a type the region cannot store (see {@code docs/values.md} for the type table).
 * Thrown before anything is left allocated: the region is exactly as it was.
 */
public class UnsupportedTypeException extends IpcObjectsException {
    /** The class that was refused. */
    private final Class<?> type;

    /**
     * An exception naming the refused class and why it was refused.
     *
     * @param type the class of the value that cannot be stored
     * @param why  why, and what to do instead when there is something
     */
    public UnsupportedTypeException(Class<?> type, String why) {
        super("cannot store a value of type " + type.getName() + ": " + why);
        this.type = type;
    }

    /**
     * The class that was refused.
     *
     * @return the refused value's class
     */
    public Class<?> type() {
        return type;
    }
}
