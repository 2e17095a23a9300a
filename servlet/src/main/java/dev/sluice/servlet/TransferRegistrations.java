package dev.sluice.servlet;

import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.registry.ProducerRegistry;
import org.jspecify.annotations.Nullable;

/**
 * How per-request transfers appear in the {@link ProducerRegistry}: each is an instance of its group, registered with
 * {@link ProducerRegistry#register(String, ConsumerSupport)} (named {@code <group>#<n>}, its producer brought in as
 * {@code <group>#<n>.producer}), so the meters are tagged by group and their number is bounded by configuration, not
 * by traffic. The instance leaves the registry once its consumer has closed and its producer has left it (unregistered
 * or stopped), so the registry has seen the producer's last state.
 */
final class TransferRegistrations {

    private final ProducerRegistry registry;

    private final AtomicInteger running = new AtomicInteger();

    TransferRegistrations(ProducerRegistry registry) {
        this.registry = registry;
    }

    /** Starts the bookkeeping of a new transfer of {@code group}; {@link Claim#follow} or {@link Claim#release} it. */
    Claim claim(String group) {
        this.running.incrementAndGet();
        return new Claim(group);
    }

    /** How many transfers are registered now. */
    int running() {
        return this.running.get();
    }

    /** One transfer's registration. */
    final class Claim implements ProducerListener {

        private final String group;

        private volatile ProducerRegistry.@Nullable Registration registration;

        private boolean producerPresent;

        private boolean consumerClosed;

        private boolean ended;

        private Claim(String group) {
            this.group = group;
        }

        /** The name the transfer's consumer is built with: its group (the registry names the instance). */
        String consumerName() {
            return this.group;
        }

        /** The transfer's name in logs: its registry instance, or the group before it is registered. */
        String producerName() {
            ProducerRegistry.Registration current = this.registration;
            return (current != null) ? current.name() : this.group;
        }

        /** Registers {@code consumer}, and the producer that registers with it, until both are done. */
        void follow(BufferedConsumer<?> consumer) {
            consumer.addProducerListener(this);
            this.registration = TransferRegistrations.this.registry.register(this.group, consumer);
            consumer.whenClosed().whenComplete((done, failure) -> consumerClosed());
        }

        /** Ends the bookkeeping of a transfer that never started. */
        void release() {
            end();
        }

        @Override
        public synchronized void registered(Producer producer, boolean streaming) {
            this.producerPresent = true;
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
                this.producerPresent = false;
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
            synchronized (this) {
                if (!this.consumerClosed || this.producerPresent) {
                    return;
                }
            }
            end();
        }

        private void end() {
            ProducerRegistry.Registration ending;
            synchronized (this) {
                if (this.ended) {
                    return;
                }
                this.ended = true;
                ending = this.registration;
            }
            if (ending != null) {
                ending.close();
            }
            TransferRegistrations.this.running.decrementAndGet();
        }
    }
}
