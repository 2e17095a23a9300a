package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.Sink;
import org.jspecify.annotations.Nullable;

/**
 * A sink that checks what a {@link dev.sluice.BufferedConsumer} gives it: items one at a time (never two offers at
 * once), each source's items in the order written and none twice (DESIGN §4.4), an item it refused or took part of
 * offered again before any other. It accepts, refuses, or takes part of an item at random, as configured, may be slow,
 * and may throw once at a chosen offer (an {@code IOException}, a {@code RuntimeException}, an {@code IOError} or a
 * plain {@code Error}, after taking part of the item if told to); when it does not take a whole item it asks its
 * kicker to call {@code drain()} from another thread, as a real sink does when it has room again.
 */
final class CheckingSink implements Sink<ByteBuffer> {

    /** What the sink does with an offer. */
    enum Behaviour {
        ACCEPT, REFUSE, PARTIAL, MIXED
    }

    /** How the sink fails, if it does. */
    record Failure(long atOffer, Faults.Kind kind, boolean takePartFirst, boolean closeThrows, boolean abortThrows) {

        static final Failure NONE = new Failure(-1, Faults.Kind.IO_EXCEPTION, false, false, false);
    }

    private final Checks checks;

    private final Behaviour behaviour;

    private final boolean slow;

    private final SplittableRandom random;

    private final Runnable kick;

    private final Failure failure;

    private final Delivery delivery;

    private final AtomicInteger offersInProgress = new AtomicInteger();

    private long offers;

    /** The item refused or taken in part, which must be offered again next. */
    private @Nullable ByteBuffer unfinished;

    /** Bytes taken from the item whose offer threw: the consumer may count them as sent or as dropped. */
    private volatile long bytesTakenFromFailedItem;

    /**
     * Bytes taken so far from the item the sink left unfinished: when the weigher throws as the consumer asks what is
     * left of it, the consumer cannot tell how much was taken and counts the item as not sent.
     */
    private volatile long bytesTakenFromUnfinishedItem;

    private volatile boolean acceptEverything;

    private volatile boolean threw;

    CheckingSink(Checks checks, Behaviour behaviour, boolean slow, SplittableRandom random, Runnable kick,
            Failure failure, Delivery delivery) {
        this.checks = checks;
        this.behaviour = behaviour;
        this.slow = slow;
        this.random = random;
        this.kick = kick;
        this.failure = failure;
        this.delivery = delivery;
    }

    @Override
    public boolean offer(ByteBuffer item) throws Exception {
        if (this.offersInProgress.incrementAndGet() != 1) {
            this.checks.report("sink offers serialized (Sink contract)", "two offers at once; this one "
                    + Tagged.describe(item));
        }
        try {
            return take(item);
        }
        finally {
            this.offersInProgress.decrementAndGet();
        }
    }

    private boolean take(ByteBuffer item) {
        long takenBefore = 0;
        if (item == this.unfinished) {
            this.unfinished = null;
            takenBefore = this.bytesTakenFromUnfinishedItem;
        }
        else {
            if (this.unfinished != null) {
                this.checks.report("refused item offered again first (Sink contract)", "offered "
                        + Tagged.describe(item) + " before finishing " + Tagged.describe(this.unfinished));
                this.unfinished = null;
            }
            this.delivery.checkOrder(item);
        }
        this.offers++;
        if (this.slow && (this.offers & 63) == 0) {
            LockSupport.parkNanos(20_000 + this.random.nextInt(200_000)); // a sink call that takes a while
        }
        if (this.offers == this.failure.atOffer() && !this.acceptEverything) {
            if (this.failure.takePartFirst() && item.remaining() > 1) {
                int part = 1 + this.random.nextInt(item.remaining() - 1);
                item.position(item.position() + part);
                this.delivery.took(part);
                this.bytesTakenFromFailedItem = part;
            }
            this.threw = true;
            throw Faults.sneaky(this.checks.faults.make(this.failure.kind(), Faults.Site.SINK));
        }
        Behaviour now = this.acceptEverything ? Behaviour.ACCEPT : this.behaviour;
        if (now == Behaviour.MIXED) {
            now = Behaviour.values()[this.random.nextInt(3)];
        }
        if (now == Behaviour.REFUSE && this.random.nextInt(12) == 0) {
            return notNow(item);
        }
        if (now == Behaviour.PARTIAL && item.remaining() > 1 && this.random.nextInt(10) == 0) {
            int part = 1 + this.random.nextInt(item.remaining() - 1);
            item.position(item.position() + part);
            this.delivery.took(part);
            this.bytesTakenFromUnfinishedItem = takenBefore + part;
            return notNow(item);
        }
        this.delivery.delivered(item);
        this.bytesTakenFromUnfinishedItem = 0;
        return true;
    }

    private boolean notNow(ByteBuffer item) {
        this.unfinished = item;
        this.kick.run();
        return false;
    }

    @Override
    public void close() throws Exception {
        if (this.failure.closeThrows()) {
            throw Faults.sneaky(this.checks.faults.make(Faults.Kind.IO_EXCEPTION, Faults.Site.SINK_CLOSE));
        }
    }

    @Override
    public void abort() {
        if (this.failure.abortThrows()) {
            throw Faults.sneaky(this.checks.faults.make(Faults.Kind.RUNTIME, Faults.Site.SINK_ABORT));
        }
    }

    /** From now on every offer is taken whole, and none throws: the quiet point drains the buffer. */
    void acceptEverything() {
        this.acceptEverything = true;
    }

    long bytesTakenFromFailedItem() {
        return this.bytesTakenFromFailedItem;
    }

    long bytesTakenFromUnfinishedItem() {
        return this.bytesTakenFromUnfinishedItem;
    }

    boolean threw() {
        return this.threw;
    }

    /**
     * What reached the sink, by source: each source's items in the order written, none twice (checked as each new item
     * comes), how many were taken whole, and the bytes taken. Called by one thread at a time (the consumer's drain,
     * or {@code AsyncSink}'s offer); the counts are atomic for the main thread's reads at quiet points.
     */
    static final class Delivery {

        private final Checks checks;

        private final int[] lastSequence;

        private final AtomicLongArray delivered;

        private volatile long bytesTaken;

        Delivery(Checks checks, int sources) {
            this.checks = checks;
            this.lastSequence = new int[sources];
            Arrays.fill(this.lastSequence, -1);
            this.delivered = new AtomicLongArray(sources);
        }

        /** A new item (not a second offer of an unfinished one): its source's sequence must have moved on. */
        void checkOrder(ByteBuffer item) {
            int source = Tagged.source(item);
            int sequence = Tagged.sequence(item);
            int last = this.lastSequence[source];
            if (sequence <= last) {
                this.checks.report("per-writer FIFO, exactly once (DESIGN §4.4)", "source " + source
                        + " delivered seq " + sequence + " after seq " + last + (sequence == last ? " (twice)"
                                : " (out of order)"));
            }
            this.lastSequence[source] = Math.max(last, sequence);
        }

        void took(long bytes) {
            this.bytesTaken += bytes; // one thread at a time
        }

        /** The rest of {@code item} is taken: one more item of its source delivered. */
        void delivered(ByteBuffer item) {
            this.delivered.incrementAndGet(Tagged.source(item));
            int whole = item.remaining();
            item.position(item.limit());
            took(whole);
        }

        long delivered(int source) {
            return this.delivered.get(source);
        }

        long bytesTaken() {
            return this.bytesTaken;
        }
    }
}
