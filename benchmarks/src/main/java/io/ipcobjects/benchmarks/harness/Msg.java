package io.ipcobjects.benchmarks.harness;

import java.io.Serializable;
import java.util.List;

/**
 * The record message of the record scenarios ({@code channel-oneway:msg=record},
 * {@code uds-objects}): a name, three tags, a score and an id. Every message is built fresh from
 * its id (new strings, a new list), as a producer building messages from its data would, and
 * every received message is checked against its id. {@link Serializable} for the
 * {@code ObjectOutputStream} peer; the library stores it as a record.
 *
 * @param name  {@code "msg-<id>"}
 * @param tags  {@code ["tag-a", "tag-<id % 10>", "batch-<id / 1000>"]}
 * @param score {@code id * 0.25}
 * @param id    the sequence number
 */
public record Msg(String name, List<String> tags, double score, long id) implements Serializable {

    /** The message with sequence number {@code id}. */
    public static Msg of(long id) {
        return new Msg("msg-" + id, List.of("tag-a", "tag-" + id % 10, "batch-" + id / 1000), id * 0.25, id);
    }

    /**
     * Checks that this is {@link #of(long) of(expected)}, field by field, without building the
     * expected message.
     *
     * @throws IllegalStateException otherwise
     */
    public void check(long expected) {
        if (id != expected || score != expected * 0.25 || !hasNumber(name, "msg-", expected) || tags.size() != 3
                || !"tag-a".equals(tags.get(0)) || !hasNumber(tags.get(1), "tag-", expected % 10)
                || !hasNumber(tags.get(2), "batch-", expected / 1000)) {
            throw new IllegalStateException("expected message " + expected + ", received " + this);
        }
    }

    private static boolean hasNumber(String text, String prefix, long number) {
        return text.length() > prefix.length() && text.startsWith(prefix)
                && Long.parseLong(text, prefix.length(), text.length(), 10) == number;
    }
}
