package dev.sluice.servlet;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.registry.ProducerRegistry;
import org.jspecify.annotations.Nullable;

/**
 * How per-request transfers appear in the {@link ProducerRegistry}: the one place that knows, so that moving to the
 * registry's groups ({@code register(group, instance)}) changes only this class.
 *
 * <p>Until the registry has groups, each running transfer of a group takes the lowest free slot {@code n} of that
 * group and is registered under unique names: its consumer as {@code <group>#<n>.response} and whatever producer
 * registers with that consumer as {@code <group>#<n>}. Slots are reused when transfers end, so the names, and the meter
 * series tagged with them, are bounded by the peak number of concurrent transfers per group, not by the number of
 * requests. The names leave the registry, and the slot is freed, once the consumer has closed and its producer has
 * left it (unregistered or stopped), so the registry has seen the producer's last state and a later transfer cannot
 * find its names taken.
 */
final class TransferRegistrations {

    private final ProducerRegistry registry;

    private final Map<String, BitSet> taken = new HashMap<>();

    TransferRegistrations(ProducerRegistry registry) {
        this.registry = registry;
    }

    /** Claims the names of a new transfer of {@code group}; {@link Claim#follow} or {@link Claim#release} it. */
    Claim claim(String group) {
        int slot;
        synchronized (this.taken) {
            BitSet slots = this.taken.computeIfAbsent(group, name -> new BitSet());
            slot = slots.nextClearBit(1);
            slots.set(slot);
        }
        return new Claim(group, slot);
    }

    /** How many transfers hold names now. */
    int running() {
        synchronized (this.taken) {
            return this.taken.values().stream().mapToInt(BitSet::cardinality).sum();
        }
    }

    private void free(String group, int slot) {
        synchronized (this.taken) {
            BitSet slots = this.taken.get(group);
            if (slots != null) {
                slots.clear(slot);
                if (slots.isEmpty()) {
                    this.taken.remove(group);
                }
            }
        }
    }

    /** The names of one transfer. */
    final class Claim implements ProducerListener {

        private final String group;

        private final int slot;

        private ProducerRegistry.@Nullable Registration producer;

        private boolean producerLeft;

        private boolean consumerClosed;

        private boolean ended;

        private Claim(String group, int slot) {
            this.group = group;
            this.slot = slot;
        }

        /** The name the transfer's consumer is built with. */
        String consumerName() {
            return this.group + "#" + this.slot + ".response";
        }

        String producerName() {
            return this.group + "#" + this.slot;
        }

        /** Registers {@code consumer}, and the producer that registers with it, until both are done. */
        void follow(BufferedConsumer<?> consumer) {
            TransferRegistrations.this.registry.registerConsumer(consumerName(), consumer);
            consumer.addProducerListener(this);
            Producer current = consumer.producer();
            if (current != null) {
                registered(current, consumer.isStreamingProducer());
            }
            consumer.whenClosed().whenComplete((done, failure) -> consumerClosed());
        }

        /** Gives the names back when the transfer never started. */
        void release() {
            free(this.group, this.slot);
        }

        @Override
        public synchronized void registered(Producer producer, boolean streaming) {
            if (this.producer == null && !this.consumerClosed && !this.producerLeft) {
                this.producer = TransferRegistrations.this.registry.registerProducer(producerName(), producer);
            }
        }

        @Override
        public void unregistered(Producer producer) {
            producerLeft();
        }

        @Override
        public void stopped(Producer producer) {
            producerLeft();
        }

        private void producerLeft() {
            synchronized (this) {
                this.producerLeft = true;
            }
            endIfDone();
        }

        private void consumerClosed() {
            synchronized (this) {
                this.consumerClosed = true;
            }
            endIfDone();
        }

        private void endIfDone() {
            ProducerRegistry.Registration ending;
            synchronized (this) {
                if (this.ended || !this.consumerClosed || (this.producer != null && !this.producerLeft)) {
                    return;
                }
                this.ended = true;
                ending = this.producer;
                this.producer = null;
            }
            if (ending != null) {
                ending.close();
            }
            TransferRegistrations.this.registry.remove(consumerName());
            release();
        }
    }
}
