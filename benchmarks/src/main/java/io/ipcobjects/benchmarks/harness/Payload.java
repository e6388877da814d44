package io.ipcobjects.benchmarks.harness;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * How the byte messages of the one-way and round-trip scenarios carry their sequence number: in
 * their first 8 bytes and, when they are at least 16 bytes long, again in their last 8 (little
 * endian), so a check sees both ends of every message. The bytes in between are random, set once.
 */
final class Payload {

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Payload() {
    }

    /** A message of {@code bytes} random bytes (at least 8), seeded so every run sends the same. */
    static byte[] newMessage(int bytes) {
        if (bytes < Long.BYTES) {
            throw new IllegalArgumentException("a message carries an 8-byte sequence number: bytes must be at least 8, not " + bytes);
        }
        byte[] message = new byte[bytes];
        new SplittableRandom(bytes).nextBytes(message);
        return message;
    }

    /** Writes {@code sequence} into both ends of {@code message}. */
    static void stamp(byte[] message, long sequence) {
        LONG_LE.set(message, 0, sequence);
        if (message.length >= 2 * Long.BYTES) {
            LONG_LE.set(message, message.length - Long.BYTES, sequence);
        }
    }

    /**
     * Checks that {@code message} has {@code bytes} bytes and carries {@code expected} at both ends.
     *
     * @throws IllegalStateException otherwise
     */
    static void check(byte[] message, int bytes, long expected) {
        if (message.length != bytes) {
            throw new IllegalStateException("message " + expected + ": " + message.length + " bytes, sent " + bytes);
        }
        long first = (long) LONG_LE.get(message, 0);
        long last = message.length >= 2 * Long.BYTES ? (long) LONG_LE.get(message, message.length - Long.BYTES) : first;
        if (first != expected || last != expected) {
            throw mismatch(expected, first, last);
        }
    }

    static IllegalStateException mismatch(long expected, long first, long last) {
        return new IllegalStateException("expected message " + expected + ", received one carrying " + first
                + (first == last ? "" : " at its start and " + last + " at its end"));
    }
}
