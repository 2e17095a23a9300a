package dev.sluice.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

import dev.sluice.BufferView;
import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * Every producer and consumer that takes part, by unique name: what each is doing, operator control by name, and
 * events for listeners such as the Micrometer binder (the pattern of Resilience4j's registries).
 *
 * <p>Producers and consumers share one namespace. The registry learns what happens to a producer from the consumer it
 * is registered with, so a producer's state, pauses and units written are known while it is registered with a
 * consumer that is itself in the registry.
 *
 * <p>An operator's {@link #pause(String)} is a standing order that composes with back-pressure: it places a hold on
 * the producer's consumer ({@link ConsumerSupport#holdProducer()}), so the producer is paused through the consumer's
 * own serialized lane, and resumes only when the operator resumes it <em>and</em> the buffer no longer wants it
 * paused. The order follows the producer to any consumer it registers with later.
 *
 * <p>Thread-safe. No registry lock is held while a producer callback or a listener runs.
 */
public final class ProducerRegistry {

    private static final Log log = Log.of(ProducerRegistry.class);

    private final LongSupplier nanoClock;

    private final ConcurrentHashMap<String, Object> byName = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<IdentityKey, Object> byObject = new ConcurrentHashMap<>();

    private final CopyOnWriteArrayList<RegistryListener> listeners = new CopyOnWriteArrayList<>();

    /** A registry that times pauses with {@link System#nanoTime()}. */
    public ProducerRegistry() {
        this(System::nanoTime);
    }

    /**
     * A registry that times pauses with {@code nanoClock}, a monotonic clock in nanoseconds.
     *
     * @param nanoClock the clock
     */
    public ProducerRegistry(LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Registers {@code producer} under {@code name}.
     *
     * @param name a unique name
     * @param producer the producer
     * @return a registration whose {@code close()} removes it
     * @throws IllegalStateException if the name is taken, or the producer is already registered; the message names
     *         both
     */
    public Registration registerProducer(String name, Producer producer) {
        Objects.requireNonNull(producer, "producer");
        ProducerEntry entry = new ProducerEntry(checkName(name), producer);
        claimName(entry.name, entry, "producer " + producer);
        claimObject(producer, entry, "producer");
        publish(new RegistryEvent.ProducerAdded(entry.name));
        for (Object other : this.byName.values()) {
            if (other instanceof ConsumerEntry consumer && consumer.consumer.producer() == producer) {
                entry.attach(consumer, consumer.consumer.isStreamingProducer());
            }
        }
        return new Registration(entry.name, this);
    }

    /**
     * Registers {@code consumer} under {@code name}, and starts following what happens to its producers.
     *
     * @param name a unique name
     * @param consumer the consumer
     * @return a registration whose {@code close()} removes it
     * @throws IllegalStateException if the name is taken; the message names both
     */
    public Registration registerConsumer(String name, ConsumerSupport<?> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        ConsumerEntry entry = new ConsumerEntry(checkName(name), consumer);
        claimName(entry.name, entry, "consumer " + consumer);
        claimObject(consumer, entry, "consumer");
        consumer.addProducerListener(entry);
        publish(new RegistryEvent.ConsumerAdded(entry.name));
        Producer current = consumer.producer();
        if (current != null) {
            entry.registered(current, consumer.isStreamingProducer());
        }
        return new Registration(entry.name, this);
    }

    /**
     * Removes the producer or consumer called {@code name}. A removed consumer is no longer followed; an operator's
     * hold placed for a removed producer is released.
     *
     * @return whether something was removed
     */
    public boolean remove(String name) {
        Object removed = this.byName.remove(name);
        if (removed instanceof ProducerEntry producer) {
            this.byObject.remove(new IdentityKey(producer.producer), producer);
            producer.detach(null);
            publish(new RegistryEvent.Removed(name, true));
            return true;
        }
        if (removed instanceof ConsumerEntry consumer) {
            this.byObject.remove(new IdentityKey(consumer.consumer), consumer);
            consumer.consumer.removeProducerListener(consumer);
            ProducerEntry attached = consumer.attached;
            if (attached != null) {
                attached.detach(null);
            }
            publish(new RegistryEvent.Removed(name, false));
            return true;
        }
        return false;
    }

    /** Whether {@code producerOrConsumer} itself is registered, under any name. */
    public boolean contains(Object producerOrConsumer) {
        return this.byObject.containsKey(new IdentityKey(producerOrConsumer));
    }

    /** The producer called {@code name}, now. */
    public Optional<ProducerSnapshot> producer(String name) {
        return (this.byName.get(name) instanceof ProducerEntry entry) ? Optional.of(entry.snapshot())
                : Optional.empty();
    }

    /** Every producer, by name. */
    public List<ProducerSnapshot> producers() {
        List<ProducerSnapshot> all = new ArrayList<>();
        for (Object entry : this.byName.values()) {
            if (entry instanceof ProducerEntry producer) {
                all.add(producer.snapshot());
            }
        }
        all.sort(Comparator.comparing(ProducerSnapshot::name));
        return all;
    }

    /** The consumer called {@code name}, now. */
    public Optional<ConsumerSnapshot> consumer(String name) {
        return (this.byName.get(name) instanceof ConsumerEntry entry) ? Optional.of(entry.snapshot())
                : Optional.empty();
    }

    /** Every consumer, by name. */
    public List<ConsumerSnapshot> consumers() {
        List<ConsumerSnapshot> all = new ArrayList<>();
        for (Object entry : this.byName.values()) {
            if (entry instanceof ConsumerEntry consumer) {
                all.add(consumer.snapshot());
            }
        }
        all.sort(Comparator.comparing(ConsumerSnapshot::name));
        return all;
    }

    /** The live buffer view of the consumer called {@code name}, if it has one (for gauges). */
    public Optional<BufferView> bufferView(String name) {
        return (this.byName.get(name) instanceof ConsumerEntry entry) ? Optional.ofNullable(entry.view)
                : Optional.empty();
    }

    /**
     * An operator's pause of the producer called {@code name}; see the class description. Pausing twice is the same
     * as once.
     *
     * @return the producer after the order, or empty if there is none of that name
     */
    public Optional<ProducerSnapshot> pause(String name) {
        if (!(this.byName.get(name) instanceof ProducerEntry entry)) {
            return Optional.empty();
        }
        entry.operatorPause(true);
        return Optional.of(entry.snapshot());
    }

    /**
     * Withdraws an operator's pause. The producer resumes unless its buffer still wants it paused.
     *
     * @return the producer after the order, or empty if there is none of that name
     */
    public Optional<ProducerSnapshot> resume(String name) {
        if (!(this.byName.get(name) instanceof ProducerEntry entry)) {
            return Optional.empty();
        }
        entry.operatorPause(false);
        return Optional.of(entry.snapshot());
    }

    /**
     * Stops the producer called {@code name} through its consumer ({@link ConsumerSupport#stopProducer()}), or
     * directly when it is registered with no consumer the registry follows.
     *
     * @return the producer after the order, or empty if there is none of that name
     */
    public Optional<ProducerSnapshot> stop(String name) {
        if (!(this.byName.get(name) instanceof ProducerEntry entry)) {
            return Optional.empty();
        }
        ConsumerEntry consumer = entry.consumer();
        if (consumer != null && consumer.consumer.producer() == entry.producer) {
            consumer.consumer.stopProducer();
        }
        else {
            entry.producer.stopProducing();
            entry.transition(null, ProducerState.STOPPED);
        }
        return Optional.of(entry.snapshot());
    }

    /** Adds a listener for every later event. */
    public void addListener(RegistryListener listener) {
        this.listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(RegistryListener listener) {
        this.listeners.remove(listener);
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("A registry name must not be blank");
        }
        return name;
    }

    private void claimName(String name, Object entry, String what) {
        Object taken = this.byName.putIfAbsent(name, entry);
        if (taken != null) {
            throw new IllegalStateException("Cannot register " + what + " as '" + name
                    + "': the name is already taken by " + taken);
        }
    }

    private void claimObject(Object target, Object entry, String kind) {
        Object previous = this.byObject.putIfAbsent(new IdentityKey(target), entry);
        if (previous != null) {
            this.byName.remove(nameOf(entry), entry);
            throw new IllegalStateException("Cannot register " + kind + " '" + nameOf(entry) + "' (" + target
                    + "): it is already registered as " + kind + " '" + nameOf(previous) + "'");
        }
    }

    private static String nameOf(Object entry) {
        return (entry instanceof ProducerEntry producer) ? producer.name : ((ConsumerEntry) entry).name;
    }

    private @Nullable ProducerEntry producerEntry(Producer producer) {
        return (this.byObject.get(new IdentityKey(producer)) instanceof ProducerEntry entry) ? entry : null;
    }

    private void publish(RegistryEvent event) {
        for (RegistryListener listener : this.listeners) {
            try {
                listener.onEvent(event);
            }
            catch (RuntimeException ex) {
                log.warn("Registry listener {} threw on {}; ignored", listener, event, ex);
            }
        }
    }

    /**
     * A name's place in the registry; closing it removes the producer or consumer.
     *
     * @param name the registry name
     * @param registry the registry
     */
    public record Registration(String name, ProducerRegistry registry) implements AutoCloseable {

        @Override
        public void close() {
            this.registry.remove(this.name);
        }
    }

    private record IdentityKey(Object target) {

        @Override
        public boolean equals(Object other) {
            return other instanceof IdentityKey key && key.target == this.target;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this.target);
        }
    }

    /** A registered consumer, and the listener that follows its producer's callbacks. */
    private final class ConsumerEntry implements ProducerListener {

        final String name;

        final ConsumerSupport<?> consumer;

        final @Nullable BufferView view;

        volatile @Nullable ProducerEntry attached;

        ConsumerEntry(String name, ConsumerSupport<?> consumer) {
            this.name = name;
            this.consumer = consumer;
            this.view = (consumer instanceof BufferView bufferView) ? bufferView : null;
        }

        long accepted() {
            BufferView bufferView = this.view;
            return (bufferView != null) ? bufferView.acceptedUnits() : 0;
        }

        @Override
        public void registered(Producer producer, boolean streaming) {
            ProducerEntry entry = producerEntry(producer);
            if (entry != null) {
                entry.attach(this, streaming);
            }
        }

        @Override
        public void unregistered(Producer producer) {
            ProducerEntry entry = this.attached;
            if (entry != null && entry.producer == producer) {
                entry.detach(ProducerState.FINISHED);
            }
        }

        @Override
        public void stopped(Producer producer) {
            ProducerEntry entry = producerEntry(producer);
            if (entry != null) {
                entry.detach(ProducerState.STOPPED);
            }
        }

        @Override
        public void paused(Producer producer) {
            ProducerEntry entry = this.attached;
            if (entry != null && entry.producer == producer) {
                entry.transition(this, ProducerState.PAUSED);
            }
        }

        @Override
        public void resumed(Producer producer) {
            ProducerEntry entry = this.attached;
            if (entry != null && entry.producer == producer) {
                entry.transition(this, ProducerState.PRODUCING);
            }
        }

        @Override
        public void failed(Producer producer, Throwable failure) {
            ProducerEntry entry = producerEntry(producer);
            if (entry != null) {
                publish(new RegistryEvent.CallbackFailed(entry.name, this.name, failure));
            }
        }

        ConsumerSnapshot snapshot() {
            ProducerEntry entry = this.attached;
            String producer = (entry != null) ? entry.name : null;
            BufferView bufferView = this.view;
            if (bufferView == null) {
                return new ConsumerSnapshot(this.name, producer, "items", 0, 0, 0, 0, 0, 0);
            }
            return new ConsumerSnapshot(this.name, producer, bufferView.unit(), bufferView.bufferedUnits(),
                    bufferView.highWaterMark(), bufferView.lowWaterMark(), bufferView.acceptedUnits(),
                    bufferView.sentUnits(), bufferView.droppedUnits());
        }

        @Override
        public String toString() {
            return "consumer " + this.consumer;
        }
    }

    /** A registered producer and what its consumers' callbacks have told of it. */
    private final class ProducerEntry {

        final String name;

        final Producer producer;

        private @Nullable ConsumerEntry consumer;

        private ProducerState state = ProducerState.PRODUCING;

        private boolean streaming;

        private long pauseCount;

        private long pausedNanos;

        private long pauseStartedAt;

        private long writtenBefore;

        private long acceptedAtAttach;

        private boolean operatorPaused;

        private @Nullable ConsumerEntry held;

        ProducerEntry(String name, Producer producer) {
            this.name = name;
            this.producer = producer;
        }

        synchronized @Nullable ConsumerEntry consumer() {
            return this.consumer;
        }

        void attach(ConsumerEntry target, boolean isStreaming) {
            ProducerState before;
            ConsumerEntry toHold = null;
            synchronized (this) {
                before = this.state;
                this.consumer = target;
                this.streaming = isStreaming;
                this.acceptedAtAttach = target.accepted();
                this.state = ProducerState.PRODUCING;
                if (this.operatorPaused && this.held == null) {
                    this.held = target;
                    toHold = target;
                }
            }
            target.attached = this;
            if (before != ProducerState.PRODUCING) {
                publish(new RegistryEvent.StateChanged(this.name, target.name, before, ProducerState.PRODUCING,
                        Duration.ZERO));
            }
            if (toHold != null) {
                toHold.consumer.holdProducer();
            }
        }

        /** Leaves the current consumer; {@code end} is the state it ends in, or null to keep the state. */
        void detach(@Nullable ProducerState end) {
            ConsumerEntry left;
            ConsumerEntry toRelease;
            synchronized (this) {
                left = this.consumer;
                toRelease = this.held;
                this.held = null;
                if (left != null) {
                    this.writtenBefore += left.accepted() - this.acceptedAtAttach;
                }
                this.consumer = null;
            }
            if (left != null && left.attached == this) {
                left.attached = null;
            }
            if (end != null) {
                transition(left, end);
            }
            if (toRelease != null) {
                toRelease.consumer.releaseProducer();
            }
        }

        void transition(@Nullable ConsumerEntry by, ProducerState to) {
            ProducerState from;
            long pausedFor = 0;
            synchronized (this) {
                from = this.state;
                if (from == to) {
                    return;
                }
                long now = ProducerRegistry.this.nanoClock.getAsLong();
                if (from == ProducerState.PAUSED) {
                    pausedFor = now - this.pauseStartedAt;
                    this.pausedNanos += pausedFor;
                }
                if (to == ProducerState.PAUSED) {
                    this.pauseCount++;
                    this.pauseStartedAt = now;
                }
                this.state = to;
            }
            publish(new RegistryEvent.StateChanged(this.name, (by != null) ? by.name : null, from, to,
                    Duration.ofNanos(pausedFor)));
        }

        void operatorPause(boolean pause) {
            ConsumerEntry toHold = null;
            ConsumerEntry toRelease = null;
            synchronized (this) {
                if (this.operatorPaused == pause) {
                    return;
                }
                this.operatorPaused = pause;
                if (pause && this.consumer != null) {
                    this.held = this.consumer;
                    toHold = this.consumer;
                }
                else if (!pause) {
                    toRelease = this.held;
                    this.held = null;
                }
            }
            if (toHold != null) {
                toHold.consumer.holdProducer();
            }
            if (toRelease != null) {
                toRelease.consumer.releaseProducer();
            }
        }

        synchronized ProducerSnapshot snapshot() {
            long current = (this.state == ProducerState.PAUSED)
                    ? ProducerRegistry.this.nanoClock.getAsLong() - this.pauseStartedAt : 0;
            long written = this.writtenBefore
                    + ((this.consumer != null) ? this.consumer.accepted() - this.acceptedAtAttach : 0);
            return new ProducerSnapshot(this.name, this.state, (this.consumer != null) ? this.consumer.name : null,
                    this.streaming, this.operatorPaused, this.pauseCount, Duration.ofNanos(this.pausedNanos + current),
                    Duration.ofNanos(current), written);
        }

        @Override
        public String toString() {
            return "producer " + this.producer;
        }
    }
}
