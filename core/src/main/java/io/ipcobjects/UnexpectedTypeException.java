package io.ipcobjects;

/**
 * A typed read ({@code get(name, type)}, {@code takeMessage(type)}, ...) found a value of another
 * type. The message names both; a message found so stays queued and a name keeps its value.
 */
public class UnexpectedTypeException extends IpcObjectsException {

    private static final long serialVersionUID = 1L;

    /** The type the caller asked for. */
    private final Class<?> expectedType;
    /** The class of the value that was found. */
    private final Class<?> storedType;

    /**
     * An exception naming both types and where the value was.
     *
     * @param where        what held the value ("the oldest message", "name \"weights\"")
     * @param expectedType the type the caller asked for
     * @param storedType   the class of the value found
     */
    public UnexpectedTypeException(String where, Class<?> expectedType, Class<?> storedType) {
        super(where + " holds a " + storedType.getName() + ", not a " + expectedType.getName());
        this.expectedType = expectedType;
        this.storedType = storedType;
    }

    /**
     * The type the caller asked for.
     *
     * @return the expected class
     */
    public Class<?> expectedType() {
        return expectedType;
    }

    /**
     * The class of the value that was found.
     *
     * @return the stored value's class
     */
    public Class<?> storedType() {
        return storedType;
    }

    /**
     * {@code value} as a {@code type}, or this exception.
     *
     * @param value the value read
     * @param type  the expected type
     * @param where what held the value, for the message
     * @param <T>   the expected type
     * @return {@code value}, cast (null stays null)
     */
    static <T> T check(Object value, Class<T> type, String where) {
        if (value != null && !type.isInstance(value)) {
            throw new UnexpectedTypeException(where, type, value.getClass());
        }
        return type.cast(value);
    }
}
