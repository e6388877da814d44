package io.ipcobjects;

/**
 * The region was closed (by this handle, or by its creator): nothing in it may be used any more.
 * An {@link IllegalStateException}, like {@link ObjectDestroyedException} (and Lucene's
 * {@code AlreadyClosedException}): the handle or view is still a Java object, but what it showed
 * is gone.
 */
public class RegionClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception about a closed region.
     *
     * @param message what was closed, and by whom
     */
    public RegionClosedException(String message) {
        super(message);
    }
}
