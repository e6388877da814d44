package io.ipcobjects.internal.verify;

import io.ipcobjects.CorruptedRegionException;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link RegionVerifier} walk found wrong, in the order found. The walk goes on after a
 * problem (skipping what hangs below it), so one run reports what a repair or a bug hunt needs;
 * only the first {@value #KEPT} are kept word for word.
 */
final class Findings {

    static final int KEPT = 20;

    private final List<String> messages = new ArrayList<>();
    private long count;
    private long firstOffset = -1;

    /** Records a problem found at {@code offset}. */
    void add(String message, long offset) {
        record(message + " (at region offset " + offset + ")", offset);
    }

    /** Records a check that threw (its message names its offset), under what the walk was looking at. */
    void add(String where, CorruptedRegionException e) {
        record(where + ": " + e.getMessage(), e.offset());
    }

    private void record(String message, long offset) {
        if (count++ == 0) {
            firstOffset = offset;
        }
        if (messages.size() < KEPT) {
            messages.add(message);
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Throws one exception naming every kept problem, at the offset of the first; nothing if there is none. */
    void throwIfAny() {
        if (count == 0) {
            return;
        }
        StringBuilder text = new StringBuilder("region verification found ").append(count)
                .append(count == 1 ? " problem: " : " problems: ");
        for (int i = 0; i < messages.size(); i++) {
            text.append(i == 0 ? "" : "; ").append(i + 1).append(". ").append(messages.get(i));
        }
        if (count > messages.size()) {
            text.append("; and ").append(count - messages.size()).append(" more");
        }
        throw new CorruptedRegionException(text.toString(), firstOffset);
    }
}
