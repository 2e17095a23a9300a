package dev.sluice.registry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import org.jspecify.annotations.Nullable;

/**
 * A registered producer. What it is doing now is read on demand from the consumer it is attached to (the lane's
 * {@link ConsumerSupport#isProducerPaused()}, {@link ConsumerSupport#producerPauses()} …); the entry itself only
 * remembers which consumer that is, the consumer's figures when it attached (so that figures of the consumer's earlier
 * producers are not counted for this one), the figures of consumers it has left, and how its last registration ended.
 *
 * <p>Attachment changes come from the consumers' loops ({@code registered}, {@code unregistered}, {@code stopped}),
 * in order per consumer, and from the registry when either side joins it; they are serialized by this object's
 * monitor, which is never held while anything outside the entry runs. Readers take no lock: the figures are one
 * immutable value in a volatile field.
 */
final class ProducerEntry {

    private final String name;

    private final Group group;

    final Producer producer;

    /**
     * The consumer whose loop removes this entry when the producer leaves it: the group consumer that brought the
     * producer into the registry, then whichever consumer it moved to; null if it was registered by hand.
     */
    volatile @Nullable ConsumerEntry follower;

    private volatile Figures figures = Figures.NEW;

    private final AtomicLong errors = new AtomicLong();

    private final OperatorOrder order = new OperatorOrder(this);

    // guarded by this
    private boolean removed;

    /** Whether the registry has stopped this producer; guarded by this. */
    private boolean stopClaimed;

    private boolean ordered;

    private long version;

    ProducerEntry(String name, Group group, Producer producer, @Nullable ConsumerEntry follower) {
        this.name = name;
        this.group = group;
        this.producer = producer;
        this.follower = follower;
    }

    String name() {
        return this.name;
    }

    Group group() {
        return this.group;
    }

    /**
     * Attaches to {@code consumer}: its loop said the producer registered with it, or the registry found it
     * registered there when one of them joined; either way only if the producer is still registered there: the loops
     * of two consumers are not ordered with each other, so a producer that moved from one to the other may be told of
     * by the first after the second; and a producer stopped before its registration was announced, or by the registry
     * at any time before, is not attached.
     *
     * @return whether it is attached now, for this registration
     */
    boolean attach(ConsumerEntry consumer, boolean streaming) {
        synchronized (this) {
            Figures now = this.figures;
            if (this.removed || consumer.removed || this.stopClaimed
                    || (now.current != null && now.current.consumer == consumer)
                    || consumer.consumer.producer() != this.producer) {
                // gone (either side: a consumer that left detached what it saw, and sees nothing after this check),
                // stopped by the registry (a registration made since is stopped through its consumer's loop), already
                // attached for this registration, or no longer registered there
                return false;
            }
            if (this.follower != null) {
                this.follower = consumer; // moved: the consumer it is with now ends its listing when it leaves
            }
            Figures folded = now.folded(ProducerState.PRODUCING);
            this.figures = new Figures(folded.pauses, folded.pausedNanos, folded.units, ProducerState.PRODUCING,
                    streaming, new Attachment(consumer, consumer.pauseCount(), consumer.pausedNanos(),
                            consumer.acceptedUnits()));
            this.version++;
        }
        consumer.attached = this;
        this.order.reconcile();
        return true;
    }

    /**
     * Detaches from {@code consumer}, ending in {@code fate}.
     *
     * @return whether it was attached there
     */
    boolean detach(ConsumerEntry consumer, ProducerState fate) {
        synchronized (this) {
            Attachment current = this.figures.current;
            if (current == null || current.consumer != consumer) {
                return false;
            }
            ProducerState end = ending(fate);
            this.figures = this.figures.folded(end);
            if (end == ProducerState.STOPPED) {
                this.ordered = false; // a stopped producer never resumes: no order stands for it
            }
            this.version++;
        }
        this.order.reconcile();
        return true;
    }

    /**
     * Stopped by the registry itself, directly or through a consumer's loop: for good, whichever consumer it is
     * attached to, whose loop may tell of it leaving later (it moved, or unregistered itself meanwhile).
     */
    void stopped() {
        end(null, ProducerState.STOPPED);
    }

    /**
     * Ended in {@code fate} by {@code consumer} while not attached elsewhere: a producer that left a consumer before
     * that consumer's loop could attach it still ends.
     */
    void ended(ConsumerEntry consumer, ProducerState fate) {
        end(consumer, fate);
    }

    /** Ends the current registration, if attached to {@code consumer} or not attached; any attachment when null. */
    private void end(@Nullable ConsumerEntry consumer, ProducerState fate) {
        synchronized (this) {
            Attachment current = this.figures.current;
            if (consumer != null && current != null && current.consumer != consumer) {
                return;
            }
            ProducerState end = ending(fate);
            this.figures = this.figures.folded(end);
            if (end == ProducerState.STOPPED) {
                this.ordered = false;
            }
            this.version++;
        }
        this.order.reconcile();
    }

    /**
     * How a registration that ends in {@code fate} ends: stopped, once the registry has stopped the producer (its
     * consumer's loop may tell of the producer leaving after that, as it unregistered itself meanwhile). Guarded by
     * this.
     */
    private ProducerState ending(ProducerState fate) {
        return this.stopClaimed ? ProducerState.STOPPED : fate;
    }

    /**
     * Claims the registry's one stop of this producer: true for the first caller only, so that two operators' stops
     * never both reach it (the second would be a second {@code stopProducing}).
     */
    synchronized boolean claimStop() {
        if (this.stopClaimed) {
            return false;
        }
        this.stopClaimed = true;
        return true;
    }

    /** Leaves the registry: detached, and any operator hold withdrawn. */
    void removed() {
        synchronized (this) {
            this.removed = true;
            this.figures = this.figures.folded(this.figures.fate);
            this.version++;
        }
        this.order.reconcile();
    }

    /**
     * Places or withdraws the operator's standing order.
     *
     * @throws ProducerStoppedException if the producer has been stopped
     */
    void order(boolean pause) {
        synchronized (this) {
            if (state() == ProducerState.STOPPED) {
                throw new ProducerStoppedException(this.name, pause ? "pause" : "resume");
            }
            this.ordered = pause;
            this.version++;
        }
        this.order.reconcile();
    }

    /** The consumer this entry is attached to, or null. */
    @Nullable ConsumerEntry attachedConsumer() {
        Attachment current = this.figures.current;
        return (current != null) ? current.consumer : null;
    }

    /** The hold wanted now, under this monitor: the consumer to hold, or null for none; with the version read. */
    synchronized HoldWanted holdWanted() {
        Attachment current = this.figures.current;
        boolean want = this.ordered && !this.removed && current != null;
        return new HoldWanted(this.version, want ? current.consumer.consumer : null);
    }

    /** The version of the entry's order and attachment; the caller holds this object's monitor. */
    long version() {
        return this.version;
    }

    void failed() {
        this.errors.incrementAndGet();
    }

    ProducerState state() {
        Figures now = this.figures;
        Attachment current = now.current;
        if (current != null && current.consumer.consumer.producer() == this.producer) {
            return current.consumer.isProducerPaused() ? ProducerState.PAUSED : ProducerState.PRODUCING;
        }
        return now.fate;
    }

    long currentPauseNanos() {
        Attachment current = this.figures.current;
        if (current != null && current.consumer.consumer.producer() == this.producer) {
            return current.consumer.consumer.currentPauseNanos();
        }
        return 0;
    }

    long pauseCount() {
        Figures now = this.figures;
        Attachment current = now.current;
        return now.pauses + ((current != null) ? Math.max(0, current.consumer.pauseCount() - current.pauses) : 0);
    }

    long pausedNanos() {
        Figures now = this.figures;
        Attachment current = now.current;
        return now.pausedNanos
                + ((current != null) ? Math.max(0, current.consumer.pausedNanos() - current.pausedNanos) : 0);
    }

    long unitsWritten() {
        Figures now = this.figures;
        Attachment current = now.current;
        return now.units + ((current != null) ? Math.max(0, current.consumer.acceptedUnits() - current.units) : 0);
    }

    long errors() {
        return this.errors.get();
    }

    synchronized boolean isHeldByOperator() {
        return this.ordered;
    }

    /** One reading: state, consumer and current pause all from the same attachment. */
    ProducerSnapshot snapshot() {
        Figures now = this.figures;
        Attachment current = now.current;
        boolean attached = current != null && current.consumer.consumer.producer() == this.producer;
        ProducerState state = now.fate;
        long currentPause = 0;
        if (attached) {
            boolean paused = current.consumer.isProducerPaused();
            state = paused ? ProducerState.PAUSED : ProducerState.PRODUCING;
            currentPause = paused ? current.consumer.consumer.currentPauseNanos() : 0;
        }
        return new ProducerSnapshot(this.name, this.group.name(), state, attached ? current.consumer.name() : null,
                now.streaming, isHeldByOperator(), pauseCount(), Duration.ofNanos(pausedNanos()),
                Duration.ofNanos(currentPause), unitsWritten(), errors());
    }

    /** An operator hold to place, as of one version of the entry. */
    record HoldWanted(long version, @Nullable ConsumerSupport<?> target) {
    }

    /** The consumer attached to and its figures when it attached. */
    private record Attachment(ConsumerEntry consumer, long pauses, long pausedNanos, long units) {
    }

    /** What consumers left behind have added up to, how the last registration ended, and the current attachment. */
    private record Figures(long pauses, long pausedNanos, long units, ProducerState fate, boolean streaming,
            @Nullable Attachment current) {

        static final Figures NEW = new Figures(0, 0, 0, ProducerState.PRODUCING, false, null);

        /** Adds the current attachment's figures to the totals and detaches, ending in {@code end}. */
        Figures folded(ProducerState end) {
            Attachment left = this.current;
            if (left == null) {
                return new Figures(this.pauses, this.pausedNanos, this.units, end, this.streaming, null);
            }
            ConsumerEntry consumer = left.consumer;
            return new Figures(this.pauses + Math.max(0, consumer.pauseCount() - left.pauses),
                    this.pausedNanos + Math.max(0, consumer.pausedNanos() - left.pausedNanos),
                    this.units + Math.max(0, consumer.acceptedUnits() - left.units), end, this.streaming, null);
        }
    }

    @Override
    public String toString() {
        return "producer '" + this.name + "' (" + this.producer + ")";
    }
}
