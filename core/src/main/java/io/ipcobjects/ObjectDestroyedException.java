package io.ipcobjects;

/**
 * A view was used after the shared object behind it was destroyed ({@code destroy(view)} in any
 * process). An {@link IllegalStateException}, like {@link RegionClosedException}: the view is
 * still a Java object, but what it showed is gone.
 */
public class ObjectDestroyedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception about a destroyed shared object.
     *
     * @param message what was destroyed, and where it was
     */
    public ObjectDestroyedException(String message) {
        super(message);
    }
}
