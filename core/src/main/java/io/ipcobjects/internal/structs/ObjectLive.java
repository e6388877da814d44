package io.ipcobjects.internal.structs;

/**
 * What every generated live object class implements beside the user's type: the way back from a
 * view to its {@link ObjectState}. The {@code $} in its name keeps it clear of the accessors and
 * methods a user type declares in practice.
 */
interface ObjectLive {
    /** The view's state. */
    ObjectState ipcobjects$state();
}
