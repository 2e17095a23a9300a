package dev.sluice.torture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.Sink;
import org.jspecify.annotations.Nullable;

/**
 * A sink that checks what a {@link dev.sluice.BufferedConsumer} gives it: items one at a time (never two offers at
 * once), each source's items in the order written and none twice (DESIGN §4.4), an item it refused or took part of
 * offered again before any other. It accepts, refuses, or takes part of an item at random, as configured, and may
 * throw once at a chosen offer (after taking part of that item, if told to); when it does not take a whole item it
 * asks its kicker to call {@code drain()} from another thread, as a real sink does when it has room again.
 */
final class CheckingSink implements Sink<ByteBuffer> {

    /** What the sink does with an offer. */
    enum Behaviour {
        ACCEPT, REFUSE, PARTIAL, MIXED
    }

    private final Violations violations;

    private final Behaviour behaviour;

    private final SplittableRandom random;

    private final Runnable kick;

    private final AtomicInteger offersInProgress = new AtomicInteger();

    /** The last sequence number delivered per source; written by the offering thread, which the consumer serializes. */
    private final int[] lastSequence;

    private final long[] deliveredCount;

    private final long throwAtOffer;

    private final boolean takePartBeforeThrowing;

    private final boolean closeThrows;

    private final boolean abortThrows;

    private long offers;

    /** The item refused or taken in part, which must be offered again next. */
    private @Nullable ByteBuffer unfinished;

    private volatile long bytesTaken;

    /** Bytes taken from the item whose offer threw: the consumer may count them as sent or as dropped. */
    private volatile long bytesTakenFromFailedItem;

    private volatile boolean acceptEverything;

    /** What this sink threw, so that a caller of the consumer can tell the user's fault passed on from a bug. */
    private final java.util.Set<Throwable> thrown = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final AtomicInteger closes = new AtomicInteger();

    private final AtomicInteger aborts = new AtomicInteger();

    CheckingSink(Violations violations, Behaviour behaviour, SplittableRandom random, Runnable kick, int sources,
            long throwAtOffer, boolean takePartBeforeThrowing, boolean closeThrows, boolean abortThrows) {
        this.violations = violations;
        this.behaviour = behaviour;
        this.random = random;
        this.kick = kick;
        this.lastSequence = new int[sources];
        java.util.Arrays.fill(this.lastSequence, -1);
        this.deliveredCount = new long[sources];
        this.throwAtOffer = throwAtOffer;
        this.takePartBeforeThrowing = takePartBeforeThrowing;
        this.closeThrows = closeThrows;
        this.abortThrows = abortThrows;
    }

    @Override
    public boolean offer(ByteBuffer item) throws Exception {
        if (this.offersInProgress.incrementAndGet() != 1) {
            this.violations.report("sink offers serialized", "two offers at once; this one " + Tagged.describe(item));
        }
        try {
            return take(item);
        }
        finally {
            this.offersInProgress.decrementAndGet();
        }
    }

    private boolean take(ByteBuffer item) throws IOException {
        if (item == this.unfinished) {
            this.unfinished = null;
        }
        else {
            if (this.unfinished != null) {
                this.violations.report("refused item offered again first (Sink contract)", "offered "
                        + Tagged.describe(item) + " before finishing " + Tagged.describe(this.unfinished));
                this.unfinished = null;
            }
            checkOrder(item);
        }
        this.offers++;
        if (this.offers == this.throwAtOffer) {
            if (this.takePartBeforeThrowing && item.remaining() > 1) {
                int part = 1 + this.random.nextInt(item.remaining() - 1);
                item.position(item.position() + part);
                this.bytesTaken += part;
                this.bytesTakenFromFailedItem = part;
            }
            throw thrown(new IOException("torture sink fails at offer " + this.offers));
        }
        Behaviour now = this.acceptEverything ? Behaviour.ACCEPT : this.behaviour;
        if (now == Behaviour.MIXED) {
            now = Behaviour.values()[this.random.nextInt(3)];
        }
        if (now == Behaviour.REFUSE && this.random.nextInt(4) == 0) {
            return notNow(item);
        }
        if (now == Behaviour.PARTIAL && item.remaining() > 1 && this.random.nextInt(3) == 0) {
            int part = 1 + this.random.nextInt(item.remaining() - 1);
            item.position(item.position() + part);
            this.bytesTaken += part;
            return notNow(item);
        }
        this.deliveredCount[Tagged.source(item)]++;
        int whole = item.remaining();
        item.position(item.limit());
        this.bytesTaken += whole; // the volatile write last: whoever reads it sees the counts above
        return true;
    }

    private boolean notNow(ByteBuffer item) {
        this.unfinished = item;
        this.kick.run();
        return false;
    }

    /** A new item (not a second offer of an unfinished one): its source's sequence must have moved on by one or more. */
    private void checkOrder(ByteBuffer item) {
        int source = Tagged.source(item);
        int sequence = Tagged.sequence(item);
        int last = this.lastSequence[source];
        if (sequence <= last) {
            this.violations.report("per-writer FIFO, exactly once (DESIGN §4.4)", "source " + source + " delivered seq "
                    + sequence + " after seq " + last + (sequence == last ? " (twice)" : " (out of order)"));
        }
        this.lastSequence[source] = Math.max(last, sequence);
    }

    @Override
    public void close() throws Exception {
        this.closes.incrementAndGet();
        if (this.closeThrows) {
            throw thrown(new IOException("torture sink fails to close"));
        }
    }

    @Override
    public void abort() {
        this.aborts.incrementAndGet();
        if (this.abortThrows) {
            throw thrown(new IllegalStateException("torture sink fails to abort"));
        }
    }

    private <E extends Exception> E thrown(E failure) {
        this.thrown.add(failure);
        return failure;
    }

    /** Whether {@code failure} is one this sink threw. */
    boolean threw(Throwable failure) {
        return this.thrown.contains(failure);
    }

    /** From now on every offer is taken whole: the quiet point drains the buffer. */
    void acceptEverything() {
        this.acceptEverything = true;
    }

    long bytesTaken() {
        return this.bytesTaken;
    }

    long bytesTakenFromFailedItem() {
        return this.bytesTakenFromFailedItem;
    }

    long delivered(int source) {
        return this.deliveredCount[source];
    }

    int closes() {
        return this.closes.get();
    }

    int aborts() {
        return this.aborts.get();
    }

    boolean threw() {
        return this.throwAtOffer > 0 && this.offers >= this.throwAtOffer;
    }
}
