package io.ipcobjects.benchmarks.harness;

/**
 * What the channel scenarios send: a {@code Long}, a {@code byte[]} of a given size, or a
 * {@link Msg} record, each carrying a sequence number the receiver checks.
 *
 * @param <T> the channel's element type
 */
interface MessageKind<T> {

    /** The channel's element type. */
    Class<T> type();

    /** Payload bytes of one message, for the bandwidth figure; 0 for a message of no fixed size. */
    long bytes();

    /**
     * The message carrying {@code sequence}. A byte message is one array stamped anew for every
     * message: a channel's put copies it before it returns.
     */
    T message(long sequence);

    /**
     * Checks a received message.
     *
     * @throws IllegalStateException if it is not the message {@code expected}
     */
    void check(T message, long expected);

    /** For the check line, e.g. {@code "byte[32] messages"}. */
    String describe();

    /**
     * The kind of a spec: {@code msg=long} (default), {@code msg=bytes} with {@code bytes=<n>}
     * (default 32), or {@code msg=record}.
     */
    static MessageKind<?> of(RunContext run) {
        return switch (run.param("msg", "long")) {
            case "long" -> new LongMessages();
            case "bytes" -> new ByteMessages((int) run.longParam("bytes", 32));
            case "record" -> new RecordMessages();
            default -> throw new IllegalArgumentException("msg must be long, bytes or record: " + run.spec());
        };
    }

    /** A boxed {@code Long} whose value is the sequence number. */
    final class LongMessages implements MessageKind<Long> {
        @Override
        public Class<Long> type() {
            return Long.class;
        }

        @Override
        public long bytes() {
            return Long.BYTES;
        }

        @Override
        public Long message(long sequence) {
            return sequence;
        }

        @Override
        public void check(Long message, long expected) {
            if (message != expected) {
                throw new IllegalStateException("expected message " + expected + ", received " + message);
            }
        }

        @Override
        public String describe() {
            return "Long messages";
        }
    }

    /** A {@code byte[]} of random bytes with the sequence number at both ends ({@link Payload}). */
    final class ByteMessages implements MessageKind<byte[]> {
        private final byte[] message;

        ByteMessages(int bytes) {
            this.message = Payload.newMessage(bytes);
        }

        @Override
        public Class<byte[]> type() {
            return byte[].class;
        }

        @Override
        public long bytes() {
            return message.length;
        }

        @Override
        public byte[] message(long sequence) {
            Payload.stamp(message, sequence);
            return message;
        }

        @Override
        public void check(byte[] received, long expected) {
            Payload.check(received, message.length, expected);
        }

        @Override
        public String describe() {
            return "byte[" + message.length + "] messages";
        }
    }

    /** A {@link Msg} record built fresh for every message. */
    final class RecordMessages implements MessageKind<Msg> {
        @Override
        public Class<Msg> type() {
            return Msg.class;
        }

        /** 0: a record has no fixed byte size; its figure is messages/s only. */
        @Override
        public long bytes() {
            return 0;
        }

        @Override
        public Msg message(long sequence) {
            return Msg.of(sequence);
        }

        @Override
        public void check(Msg message, long expected) {
            message.check(expected);
        }

        @Override
        public String describe() {
            return "Msg records (name, 3 tags, score, id)";
        }
    }
}
