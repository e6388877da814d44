package io.ipcobjects.internal.channels;

import static io.ipcobjects.internal.channels.ChannelLayout.PRODUCER_SEAT_OFFSET;
import static io.ipcobjects.internal.channels.ChannelLayout.SEAT_HELD;

import io.ipcobjects.internal.memory.RegionMemory;

/**
 * Who may put into a channel of one producer ({@link ChannelLayout#PRODUCERS_ONE}): one handle
 * of one process, the one whose claim id is in the channel's seat word, and within it one
 * thread at a time. The one place that decides it; every put of such a channel asks
 * {@link #heldByThisThread} first, and {@link #take} when not.
 *
 * <p>The seat word is taken by CAS, from free or from a holder whose attachment is gone (its
 * process died, or closed the region), and is never given back by its holder: a handle keeps it
 * while it stays attached. Within the handle the seat belongs to the thread that put first,
 * until that thread ends. Why so strict: the holder claims its entries with plain stores, so two
 * putters at once would write the same entry.
 *
 * <p>Memory ordering: the seat word is read volatile and taken by CAS; the thread is handed on
 * under this object's monitor, and a thread seen to have ended has finished all it did
 * (JLS 17.4.4), so the next one finds the ring's put hint as the last one left it.
 */
final class ProducerSeat {
    private final String channel;
    private final RegionMemory memory;
    private final long seatOffset;
    private final Owners owners;
    /** The thread of this handle that may put, or null before the handle's first put. */
    private volatile Thread holder;

    ProducerSeat(String channel, RegionMemory memory, long block, Owners owners) {
        this.channel = channel;
        this.memory = memory;
        this.seatOffset = block + PRODUCER_SEAT_OFFSET;
        this.owners = owners;
    }

    /** Whether the calling thread may put: it holds the seat (one volatile read). */
    boolean heldByThisThread() {
        return holder == Thread.currentThread();
    }

    /**
     * Lets the calling thread put from now on, or throws {@link IllegalStateException} naming
     * who holds the seat: another live thread of this handle, or another handle that is still
     * attached.
     */
    synchronized void take() {
        Thread current = Thread.currentThread();
        Thread held = holder;
        if (held != null && held != current && held.isAlive()) {
            throw new IllegalStateException("channel " + channel + " takes one producer, and thread \"" + held.getName()
                    + "\" of this process holds its seat; use a channel of Producers.MANY for several");
        }
        long mine = SEAT_HELD | (owners.ownId() & 0xFFFF_FFFFL);
        while (true) {
            long word = memory.getLongVolatile(seatOffset);
            if (word == mine) {
                break;
            }
            if (word != 0 && owners.isLive((int) word)) {
                throw new IllegalStateException("channel " + channel + " takes one producer, and another handle (in process "
                        + owners.pid((int) word) + ") holds its seat; it is given up when that handle closes its region or"
                        + " its process ends");
            }
            if (memory.compareAndSetLong(seatOffset, word, mine)) {
                break;
            }
        }
        holder = current;
    }
}
