package io.ipcobjects.internal.channels;

import io.ipcobjects.Channel;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.messages.MessageQueue;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The region's message queue ({@code messages.MessageQueue}: {@code putMessage},
 * {@code takeMessage}) as a {@link Channel} of any value: unbounded, every operation under the
 * lock, waits polling its count without the lock.
 */
final class DefaultChannel implements Channel<Object> {
    private final RegionContext context;
    private final Channels channels;

    DefaultChannel(RegionContext context, Channels channels) {
        this.context = context;
        this.channels = channels;
    }

    @Override
    public String name() {
        return "";
    }

    @Override
    public Class<Object> type() {
        return Object.class;
    }

    @Override
    public int capacity() {
        return Integer.MAX_VALUE;
    }

    @Override
    public int inlineBytes() {
        return 16;
    }

    @Override
    public Producers producers() {
        return Producers.MANY;
    }

    @Override
    public boolean offer(Object message) {
        put(message);
        return true;
    }

    @Override
    public boolean offer(Object message, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        put(message);
        return true;
    }

    @Override
    public void put(Object message) {
        Objects.requireNonNull(message, "a channel message cannot be null");
        context.scope().call(() -> MessageQueue.put(context, message));
    }

    @Override
    public Object putAndRead(Object message) {
        Objects.requireNonNull(message, "a channel message cannot be null");
        return context.scope().call(() -> MessageQueue.put(context, message));
    }

    @Override
    public int putAll(Collection<?> messages) {
        messages.forEach(m -> Objects.requireNonNull(m, "a channel message cannot be null"));
        return context.scope().call(() -> {
            for (Object message : messages) {
                MessageQueue.put(context, message);
            }
            return messages.size();
        });
    }

    @Override
    public Object poll() {
        if (MessageQueue.countWithoutLock(context) == 0) {
            return null;
        }
        return context.scope().callWatchingFirst(() -> MessageQueue.count(context) > 0 ? MessageQueue.take(context) : null);
    }

    @Override
    public Object take() {
        return takeBefore(Long.MAX_VALUE, "message");
    }

    @Override
    public Object take(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return takeBefore(Waiter.deadline(timeout), "message within " + timeout);
    }

    private Object takeBefore(long deadline, String what) {
        return context.scope().callWhen(() -> MessageQueue.countWithoutLock(context) > 0,
                () -> MessageQueue.count(context) > 0, () -> MessageQueue.take(context), deadline, what);
    }

    @Override
    public int drainTo(Collection<? super Object> sink, int max) {
        Objects.requireNonNull(sink, "sink");
        if (max <= 0 || MessageQueue.countWithoutLock(context) == 0) {
            return 0;
        }
        return context.scope().call(() -> {
            int taken = 0;
            while (taken < max && MessageQueue.count(context) > 0) {
                sink.add(MessageQueue.take(context));
                taken++;
            }
            return taken;
        });
    }

    @Override
    public CompletableFuture<Object> takeAsync() {
        context.scope().ensureOpen();
        return channels.takeAsync(this);
    }

    @Override
    public int size() {
        return MessageQueue.countWithoutLock(context);
    }

    @Override
    public String toString() {
        return "the default channel (" + size() + " messages)";
    }
}
