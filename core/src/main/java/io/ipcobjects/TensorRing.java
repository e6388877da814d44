package io.ipcobjects;

import java.time.Duration;
import java.util.List;

/**
 * A named ring of preallocated tensor slots in a region: producers (loader workers) claim a
 * free slot, write its tensors in place and publish it; consumers (trainers) take published
 * slots in publish order, read or write them through zero-copy views, and release them. Opened
 * with {@link SharedMemory#tensorRing(String, int, List)}.
 *
 * <ul>
 *   <li>Every slot holds one tensor per {@link TensorSpec} of the ring, allocated once when
 *       the ring is created; nothing is allocated per batch and no operation takes the region
 *       lock.</li>
 *   <li>Each published slot is taken by exactly one consumer; slots published by one producer
 *       thread are taken in the order it published them.</li>
 *   <li>A slot held (claimed or taken) by a process that died is given back to the producers;
 *       what it held is dropped.</li>
 *   <li>{@link Slot#close()} gives a slot back: a claimed slot not published goes back to the
 *       producers, a taken slot is released.</li>
 *   <li>Slots are used in turn, so all of them are the ring's working set. A few keep batches
 *       in the caches, the fastest choice when producer and consumer share a core's cache. When
 *       they run on cores that share none it depends on the machine: slots holding more than
 *       the caches (64 MiB, say) make each batch come from memory instead of crossing between
 *       the two caches line by line, several times faster on one host measured and slower than
 *       a few slots on another (the README's "How much to keep in flight", whose command
 *       measures it).</li>
 * </ul>
 */
public interface TensorRing {

    /**
     * The ring's name in the region.
     *
     * @return the name
     */
    String name();

    /**
     * How many slots the ring has.
     *
     * @return the slot count
     */
    int slotCount();

    /**
     * What each slot holds: one tensor per spec.
     *
     * @return the specs, in part order
     */
    List<TensorSpec> specs();

    /**
     * Claims a free slot to fill, waiting while all are in use.
     *
     * @return the claimed slot
     */
    Slot claim();

    /**
     * Claims a free slot, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the claimed slot, or null if none came free
     */
    Slot claim(Duration timeout);

    /**
     * Takes the oldest published slot, waiting while none is published.
     *
     * @return the taken slot
     */
    Slot take();

    /**
     * Takes the oldest published slot, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the taken slot, or null if none came
     */
    Slot take(Duration timeout);

    /**
     * Takes the oldest published slot without waiting.
     *
     * @return the taken slot, or null
     */
    Slot poll();

    /**
     * Published slots waiting to be taken now, read without the region lock.
     *
     * @return the count
     */
    int published();

    /** One claimed or taken slot of a {@link TensorRing}. Not for use by more than one thread at a time. */
    interface Slot extends AutoCloseable {

        /**
         * The slot's index in its ring.
         *
         * @return the index, from 0
         */
        int index();

        /**
         * The slot's first tensor: a zero-copy view, the same object on every call.
         *
         * @return the view
         */
        SharedTensor tensor();

        /**
         * The slot's tensor for spec {@code part}: a zero-copy view, made once.
         *
         * @param part the spec's index, from 0
         * @return the view
         */
        SharedTensor tensor(int part);

        /**
         * The tag its producer published it with.
         *
         * @return the tag, 0 before it is published
         */
        long tag();

        /** Publishes the claimed slot to the consumers, with tag 0. */
        void publish();

        /**
         * Publishes the claimed slot to the consumers with {@code tag} (a batch number, say);
         * the slot is no longer this process's.
         *
         * @param tag any number the consumers should see
         */
        void publish(long tag);

        /** Gives a taken slot back to the producers. */
        void release();

        /** Gives the slot back if it is still held: unpublished, or not yet released. */
        @Override
        void close();
    }
}
