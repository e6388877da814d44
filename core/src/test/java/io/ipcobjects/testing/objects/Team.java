package io.ipcobjects.testing.objects;

/** A record (stored as a copy) that holds a live object (stored as a reference). */
public record Team(String name, Employee lead) {
}
