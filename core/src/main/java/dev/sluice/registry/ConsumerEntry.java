package dev.sluice.registry;

import java.time.Duration;

import dev.sluice.BufferView;
import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import org.jspecify.annotations.Nullable;

/**
 * A registered consumer. Its figures are read on demand from the consumer (its {@link BufferView}, the loop's pause
 * figures). As a {@link ProducerListener} it hears, on the consumer's owner loop and in order, which producer
 * registers and leaves, and passes that on to the producer's entry; a consumer registered in a group also brings in
 * a producer that is not in the registry, for as long as that producer stays registered with it.
 */
final class ConsumerEntry implements ProducerListener {

    private static final String ITEMS = "items";

    private final ProducerRegistry registry;

    private final String name;

    private final Group group;

    final ConsumerSupport<?> consumer;

    private final @Nullable BufferView view;

    private final boolean followsProducers;

    /** The producer entry that attached here last; a hint that saves a lookup on the loop. */
    volatile @Nullable ProducerEntry attached;

    volatile boolean removed;

    ConsumerEntry(ProducerRegistry registry, String name, Group group, ConsumerSupport<?> consumer,
            boolean followsProducers) {
        this.registry = registry;
        this.name = name;
        this.group = group;
        this.consumer = consumer;
        this.view = (consumer instanceof BufferView bufferView) ? bufferView : null;
        this.followsProducers = followsProducers;
    }

    String name() {
        return this.name;
    }

    Group group() {
        return this.group;
    }

    boolean hasBuffer() {
        return this.view != null;
    }

    String unit() {
        BufferView buffer = this.view;
        return (buffer != null) ? buffer.unit() : ITEMS;
    }

    long bufferedUnits() {
        BufferView buffer = this.view;
        return (buffer != null) ? buffer.bufferedUnits() : 0;
    }

    long highWaterMark() {
        BufferView buffer = this.view;
        return (buffer != null) ? buffer.highWaterMark() : 0;
    }

    long acceptedUnits() {
        BufferView buffer = this.view;
        return (buffer != null) ? buffer.acceptedUnits() : 0;
    }

    long sentUnits() {
        BufferView buffer = this.view;
        return (buffer != null) ? buffer.sentUnits() : 0;
    }

    long droppedUnits() {
        BufferView buffer = this.view;
        return (buffer != null) ? buffer.droppedUnits() : 0;
    }

    long pauseCount() {
        return this.consumer.producerPauses();
    }

    long pausedNanos() {
        return this.consumer.producerPausedNanos();
    }

    /** A push producer paused by the loop, or a pull producer held (and so not asked for more). */
    boolean isProducerPaused() {
        return this.consumer.isStreamingProducer() ? this.consumer.isProducerPaused()
                : this.consumer.producer() != null && this.consumer.isProducerHeld();
    }

    @Override
    public void registered(Producer producer, boolean streaming) {
        if (this.removed) {
            return;
        }
        ProducerEntry entry = entryOf(producer);
        if (entry == null && this.followsProducers) {
            entry = this.registry.follow(this, producer);
        }
        if (entry != null && entry.attach(this, streaming)) {
            stateChanged(entry, ProducerState.PRODUCING);
        }
    }

    @Override
    public void unregistered(Producer producer) {
        left(producer, ProducerState.FINISHED);
    }

    @Override
    public void stopped(Producer producer) {
        left(producer, ProducerState.STOPPED);
    }

    private void left(Producer producer, ProducerState fate) {
        ProducerEntry entry = entryOf(producer);
        if (entry == null) {
            return;
        }
        if (!entry.detach(this, fate)) {
            // it left before this loop could attach it (unregistered or stopped at once): it ends all the same
            entry.ended(this, fate);
        }
        try {
            stateChanged(entry, fate);
        }
        finally {
            if (entry.follower == this) {
                this.registry.removeEntry(entry); // also when a listener threw a VirtualMachineError: the removal is done
            }
        }
    }

    @Override
    public void paused(Producer producer) {
        if (this.registry.hasEventListeners()) {
            ProducerEntry entry = entryOf(producer);
            if (entry != null) {
                stateChanged(entry, ProducerState.PAUSED);
            }
        }
    }

    @Override
    public void resumed(Producer producer) {
        if (this.registry.hasEventListeners()) {
            ProducerEntry entry = entryOf(producer);
            if (entry != null) {
                stateChanged(entry, ProducerState.PRODUCING);
            }
        }
    }

    @Override
    public void failed(Producer producer, Throwable failure) {
        ProducerEntry entry = entryOf(producer);
        if (entry != null) {
            entry.failed();
            if (this.registry.hasEventListeners()) {
                this.registry.publish(new RegistryEvent.CallbackFailed(entry.name(), this.name, failure));
            }
        }
    }

    private void stateChanged(ProducerEntry entry, ProducerState to) {
        if (this.registry.hasEventListeners()) {
            this.registry.publish(new RegistryEvent.StateChanged(entry.name(), this.name, to));
        }
    }

    private @Nullable ProducerEntry entryOf(Producer producer) {
        ProducerEntry hint = this.attached;
        if (hint != null && hint.producer == producer) {
            return hint;
        }
        return this.registry.entryOf(producer);
    }

    ConsumerSnapshot snapshot() {
        Producer producer = this.consumer.producer();
        ProducerEntry entry = (producer != null) ? this.registry.entryOf(producer) : null;
        BufferView buffer = this.view;
        long pausedNanos = pausedNanos();
        long currentPause = this.consumer.currentPauseNanos();
        long queuedSince = this.consumer.loopQueuedSinceNanos();
        Duration loopWaiting = Duration.ofNanos((queuedSince != 0) ? Math.max(0, System.nanoTime() - queuedSince) : 0);
        if (buffer == null) {
            return new ConsumerSnapshot(this.name, this.group.name(), (entry != null) ? entry.name() : null, ITEMS, 0,
                    0, 0, 0, 0, 0, isProducerPaused(), this.consumer.isProducerHeld(), pauseCount(),
                    Duration.ofNanos(pausedNanos), Duration.ofNanos(currentPause), loopWaiting);
        }
        return new ConsumerSnapshot(this.name, this.group.name(), (entry != null) ? entry.name() : null, buffer.unit(),
                buffer.bufferedUnits(), buffer.highWaterMark(), buffer.lowWaterMark(), buffer.acceptedUnits(),
                buffer.sentUnits(), buffer.droppedUnits(), isProducerPaused(), this.consumer.isProducerHeld(),
                pauseCount(), Duration.ofNanos(pausedNanos), Duration.ofNanos(currentPause), loopWaiting);
    }

    @Override
    public String toString() {
        return "consumer '" + this.name + "' (" + this.consumer + ")";
    }
}
