package dev.sluice.registry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * One group of the registry: its members now, and the totals of members that have left. Membership changes run inside
 * the registry's {@code ConcurrentHashMap.compute} for the group's name; the counters are summed under this object's
 * monitor, so a member that leaves moves its figures from the live sum to the retired total in one step, and no reader
 * sees a counter go down. Nothing here runs on a data path.
 */
final class Group implements GroupView {

    private static final String ITEMS = "items";

    private final String name;

    private final boolean single;

    private final Set<ProducerEntry> producers = ConcurrentHashMap.newKeySet();

    private final Set<ConsumerEntry> consumers = ConcurrentHashMap.newKeySet();

    private volatile boolean hadProducers;

    private volatile boolean hadConsumers;

    private volatile @Nullable String unit;

    /** Registrations under way that have joined and are not members yet; guarded by the registry's compute. */
    int pending;

    // the totals of members that left, and the highest value each counter has shown; guarded by this
    private final Totals retired = new Totals();

    private final Totals shown = new Totals();

    Group(String name, boolean single) {
        this.name = name;
        this.single = single;
    }

    /** Whether this is the group of one of a producer or consumer registered on its own. */
    boolean isSingle() {
        return this.single;
    }

    boolean isEmpty() {
        return this.producers.isEmpty() && this.consumers.isEmpty();
    }

    void add(ProducerEntry producer) {
        this.producers.add(producer);
        this.hadProducers = true;
    }

    /**
     * Adds {@code consumer}.
     *
     * @throws IllegalArgumentException if its unit differs from the group's
     */
    void add(ConsumerEntry consumer) {
        String consumerUnit = consumer.unit();
        String groupUnit = this.unit;
        if (consumer.hasBuffer()) {
            if (groupUnit != null && !groupUnit.equals(consumerUnit)) {
                throw new IllegalArgumentException("Cannot add consumer '" + consumer.name() + "' to group '"
                        + this.name + "': it counts " + consumerUnit + " and the group counts " + groupUnit);
            }
            this.unit = consumerUnit;
        }
        this.consumers.add(consumer);
        this.hadConsumers = true;
    }

    synchronized void retire(ProducerEntry producer) {
        if (this.producers.remove(producer)) {
            this.retired.pauses += producer.pauseCount();
            this.retired.pausedNanos += producer.pausedNanos();
            this.retired.errors += producer.errors();
        }
    }

    synchronized void retire(ConsumerEntry consumer) {
        if (this.consumers.remove(consumer)) {
            this.retired.accepted += consumer.acceptedUnits();
            this.retired.sent += consumer.sentUnits();
            this.retired.dropped += consumer.droppedUnits();
        }
    }

    Iterable<ProducerEntry> producers() {
        return this.producers;
    }

    Iterable<ConsumerEntry> consumers() {
        return this.consumers;
    }

    @Override
    public String name() {
        return this.name;
    }

    @Override
    public boolean hasProducers() {
        return this.hadProducers;
    }

    @Override
    public boolean hasConsumers() {
        return this.hadConsumers;
    }

    @Override
    public int producerCount() {
        return this.producers.size();
    }

    @Override
    public int consumerCount() {
        return this.consumers.size();
    }

    /** Members and paused members from one pass over the members, so that a snapshot never shows more paused. */
    int[] producersAndPaused() {
        int members = 0;
        int paused = 0;
        for (ProducerEntry producer : this.producers) {
            members++;
            if (producer.state() == ProducerState.PAUSED) {
                paused++;
            }
        }
        return new int[] {members, paused};
    }

    @Override
    public int producersPaused() {
        int paused = 0;
        for (ProducerEntry producer : this.producers) {
            if (producer.state() == ProducerState.PAUSED) {
                paused++;
            }
        }
        return paused;
    }

    @Override
    public long longestCurrentPauseNanos() {
        long longest = 0;
        for (ProducerEntry producer : this.producers) {
            longest = Math.max(longest, producer.currentPauseNanos());
        }
        return longest;
    }

    @Override
    public synchronized long pauseCount() {
        long sum = this.retired.pauses;
        for (ProducerEntry producer : this.producers) {
            sum += producer.pauseCount();
        }
        this.shown.pauses = Math.max(this.shown.pauses, sum);
        return this.shown.pauses;
    }

    @Override
    public synchronized long pausedNanos() {
        long sum = this.retired.pausedNanos;
        for (ProducerEntry producer : this.producers) {
            sum += producer.pausedNanos();
        }
        this.shown.pausedNanos = Math.max(this.shown.pausedNanos, sum);
        return this.shown.pausedNanos;
    }

    @Override
    public synchronized long errors() {
        long sum = this.retired.errors;
        for (ProducerEntry producer : this.producers) {
            sum += producer.errors();
        }
        this.shown.errors = Math.max(this.shown.errors, sum);
        return this.shown.errors;
    }

    @Override
    public String unit() {
        String known = this.unit;
        return (known != null) ? known : ITEMS;
    }

    @Override
    public long bufferedUnits() {
        long sum = 0;
        for (ConsumerEntry consumer : this.consumers) {
            sum += consumer.bufferedUnits();
        }
        return sum;
    }

    @Override
    public long highWaterMark() {
        long sum = 0;
        for (ConsumerEntry consumer : this.consumers) {
            sum += consumer.highWaterMark();
        }
        return sum;
    }

    @Override
    public synchronized long acceptedUnits() {
        long sum = this.retired.accepted;
        for (ConsumerEntry consumer : this.consumers) {
            sum += consumer.acceptedUnits();
        }
        this.shown.accepted = Math.max(this.shown.accepted, sum);
        return this.shown.accepted;
    }

    @Override
    public synchronized long sentUnits() {
        long sum = this.retired.sent;
        for (ConsumerEntry consumer : this.consumers) {
            sum += consumer.sentUnits();
        }
        this.shown.sent = Math.max(this.shown.sent, sum);
        return this.shown.sent;
    }

    @Override
    public synchronized long droppedUnits() {
        long sum = this.retired.dropped;
        for (ConsumerEntry consumer : this.consumers) {
            sum += consumer.droppedUnits();
        }
        this.shown.dropped = Math.max(this.shown.dropped, sum);
        return this.shown.dropped;
    }

    @Override
    public String toString() {
        return "group '" + this.name + "'";
    }

    /** The group's counters. */
    private static final class Totals {

        long pauses;

        long pausedNanos;

        long errors;

        long accepted;

        long sent;

        long dropped;
    }
}
