package dev.sluice.torture;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * What the round knows for certain about the holds in force on its consumer: keyed holds ({@code hold(key)}), anonymous
 * ones ({@code holdProducer()}) and operator orders of the registry ({@code ProducerRegistry.pause}), each a
 * {@link Slot}. Several threads place and withdraw the same key, so a slot is <em>in force</em> only from the return of
 * a hold call that no withdrawal overlapped, until the next withdrawal begins: then no order of the calls can leave
 * the key released.
 *
 * <p>The oracle built on it: "a producer never resumes while a hold is in force" (v3; issue 18 defect 6). A hold call
 * only queues an operation to the consumer's loop, which applies it before it decides the next callback; so a resume
 * is a violation when a hold was in force before the producer's previous callback began (or, for the first callback,
 * before its registration), since the loop has decided that resume after applying the hold.
 */
final class Holds {

    /** One key, an anonymous holder, or one producer's operator order. */
    static final class Slot {

        final String name;

        private final AtomicInteger withdrawals = new AtomicInteger();

        private final AtomicInteger withdrawing = new AtomicInteger();

        private final AtomicInteger placing = new AtomicInteger();

        private volatile @Nullable Held held;

        Slot(String name) {
            this.name = name;
        }

        /** Before a hold call; pass what it returns to {@link #placed}. */
        int placing() {
            this.placing.incrementAndGet();
            return (this.withdrawing.get() == 0) ? this.withdrawals.get() : -1;
        }

        /** After the hold call returned normally. */
        void placed(int token) {
            if (token >= 0 && this.withdrawals.get() == token && this.withdrawing.get() == 0) {
                Held now = this.held;
                if (now == null || now.epoch != token) {
                    this.held = new Held(System.nanoTime(), token);
                }
            }
            this.placing.decrementAndGet();
        }

        /** After a hold call that threw (a stopped producer's order): nothing was placed. */
        void notPlaced() {
            this.placing.decrementAndGet();
        }

        /** Before a release call. */
        void withdrawing() {
            this.withdrawing.incrementAndGet();
            this.withdrawals.incrementAndGet();
            this.held = null;
        }

        /** After the release call returned (or threw). */
        void withdrawn() {
            this.withdrawing.decrementAndGet();
        }

        /** Since when the hold has certainly been in force, or 0. */
        long inForceSince() {
            Held now = this.held;
            return (now != null && now.epoch == this.withdrawals.get()) ? now.since : 0;
        }

        /** Whether a call on this slot is running, or its hold is in force. */
        boolean active() {
            return this.placing.get() != 0 || this.withdrawing.get() != 0 || this.held != null;
        }

        @Override
        public String toString() {
            return this.name;
        }
    }

    private record Held(long since, int epoch) {
    }

    private final List<Slot> slots = new CopyOnWriteArrayList<>();

    /** A slot of the consumer's (a key, an anonymous holder), checked for every producer. */
    Slot slot(String name) {
        Slot slot = new Slot(name);
        this.slots.add(slot);
        return slot;
    }

    /**
     * The slot in force since before {@code before} (a {@link System#nanoTime()}), the producer's own order slot
     * {@code own} included, or null.
     */
    @Nullable Slot inForceBefore(long before, @Nullable Slot own) {
        if (own != null) {
            long since = own.inForceSince();
            if (since != 0 && since - before < 0) {
                return own;
            }
        }
        for (Slot slot : this.slots) {
            long since = slot.inForceSince();
            if (since != 0 && since - before < 0) {
                return slot;
            }
        }
        return null;
    }

    /** Whether any hold of the consumer is placed, being placed or being withdrawn: a pause may be legitimate now. */
    boolean active(@Nullable Slot own) {
        if (own != null && own.active()) {
            return true;
        }
        for (Slot slot : this.slots) {
            if (slot.active()) {
                return true;
            }
        }
        return false;
    }
}
