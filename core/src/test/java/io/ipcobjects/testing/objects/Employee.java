package io.ipcobjects.testing.objects;

import io.ipcobjects.SharedTensor;

import java.util.List;

/** A live object type for the tests: the original README's employee, as an interface of accessors. */
public interface Employee {
    String name();

    void name(String name);

    int years();

    void years(int years);

    boolean stage();

    void stage(boolean stage);

    double salary();

    void salary(double salary);

    long id();

    void id(long id);

    List<String> tags();

    SharedTensor scores();

    void scores(SharedTensor scores);

    Employee manager();

    void manager(Employee manager);

    default void increaseYearsOfEmployment() {
        years(years() + 1);
    }

    /** Changes two fields: one critical section. */
    default void promote(String tag) {
        years(years() + 1);
        stage(true);
        tags().add(tag);
    }

    default void fail() {
        years(-1);
        throw new IllegalStateException("failed on purpose");
    }
}
