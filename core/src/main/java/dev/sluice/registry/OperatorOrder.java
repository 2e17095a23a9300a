package dev.sluice.registry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.sluice.ConsumerSupport;
import org.jspecify.annotations.Nullable;

/**
 * Makes the consumers' holds match one producer's operator order, whoever changes the order or the attachment and in
 * whatever interleaving. The hold is keyed ({@link ConsumerSupport#hold(Object)}, idempotent) and placed or withdrawn
 * outside any lock, since placing it may run the consumer's loop and call the producer on this thread.
 *
 * <p>Every change bumps the entry's version. A thread that changed something applies the state of the version it
 * reads, then looks again: if the version moved meanwhile, its own application may have been stale, and it applies
 * again. So the last application to finish is one made for the final version, and once the threads are quiet the
 * hold is on the attached consumer exactly when the order says so, and on no other. A consumer on which a stale
 * application may have placed the hold stays in {@code mayHold} until an application for a settled version has
 * withdrawn it; a thread also withdraws the hold it placed itself in a round that turned out stale.
 */
final class OperatorOrder {

    private final ProducerEntry entry;

    private final Set<ConsumerSupport<?>> mayHold = ConcurrentHashMap.newKeySet();

    OperatorOrder(ProducerEntry entry) {
        this.entry = entry;
    }

    void reconcile() {
        @Nullable ConsumerSupport<?> placedHere = null;
        for (;;) {
            ProducerEntry.HoldWanted wanted = this.entry.holdWanted();
            ConsumerSupport<?> target = wanted.target();
            if (target != null) {
                this.mayHold.add(target);
                target.hold(this);
            }
            for (ConsumerSupport<?> held : this.mayHold) {
                if (held != target) {
                    held.release(this);
                }
            }
            if (placedHere != null && placedHere != target) {
                placedHere.release(this); // placed in a round that turned out stale, and maybe pruned since
            }
            placedHere = target;
            // under the entry's monitor, so that no change of version (and no hold placed for it) slips in between
            synchronized (this.entry) {
                if (this.entry.version() == wanted.version()) {
                    this.mayHold.removeIf(held -> held != target);
                    return;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "operator pause of " + this.entry;
    }
}
