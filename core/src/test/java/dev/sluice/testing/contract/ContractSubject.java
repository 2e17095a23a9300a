package dev.sluice.testing.contract;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import dev.sluice.Consumer;

/**
 * One consumer under the {@link ConsumerContract}, with what the suite needs to drive it: its far end (what it passes
 * data on to, which the suite opens bit by bit), how to end it, and what it offers beyond {@link Consumer}. A module
 * builds one per test in {@link ConsumerContract#newSubject(ContractSettings)}.
 *
 * <p>Every method may be called from any thread; {@link #grant} is called again and again from a draining thread while
 * producers write from others.
 */
public interface ContractSubject extends AutoCloseable {

    /** The consumer under test: producers register with it and write {@code ByteBuffer}s into it. */
    Consumer<ByteBuffer> consumer();

    /**
     * Lets the far end take {@code bytes} more bytes (saturating; {@link ContractSettings#ALL} opens it for good) and
     * makes the consumer pass on what it can: a sink's consumer is drained, a stream is read, a broker is asked for
     * pages. Whatever cannot go on now goes when later credit is granted. May return before the bytes have moved.
     */
    void grant(long bytes);

    /** The bytes that reached the far end, in the order they arrived. */
    byte[] delivered();

    /** How many bytes reached the far end; asked often, so cheaper than {@link #delivered()} where it can be. */
    default long deliveredBytes() {
        return delivered().length;
    }

    /**
     * Ends the consumer normally, as its owner does when no more data is coming: {@code loseConnection()}, a stream's
     * {@code finish()}, a proxy's {@code finish()}. A registered producer may still write until it unregisters.
     */
    void finish();

    /**
     * Ends the consumer abnormally, as when its peer goes away: {@code abortConnection()}, a reader's {@code close()},
     * the consumer below stopping a proxy. A registered producer is owed {@code stopProducing}.
     */
    void abort();

    /**
     * The level above which {@code write} returns {@code false}, in the units of {@link #bufferedUnits()}, for a
     * consumer that bounds what it buffers; empty for one that never asks its producer to pause for space.
     */
    default OptionalLong highWaterMark() {
        return OptionalLong.empty();
    }

    /**
     * What the consumer holds now that has not reached the far end, in bytes; only asked when
     * {@link #highWaterMark()} is present.
     */
    default long bufferedUnits() {
        throw new UnsupportedOperationException("not a bounded consumer");
    }

    /** The operator's keyed holds, where the consumer (or the pipe it heads) has them. */
    default Optional<Holds> holds() {
        return Optional.empty();
    }

    /** A way to make the next call into the far end block, where the consumer makes such calls synchronously. */
    default Optional<Stall> stall() {
        return Optional.empty();
    }

    /**
     * Whether the consumer asks a pull producer for data as it registers (FD-3). A subject that declares {@code false}
     * names, in its javadoc, the rule it follows instead; the checks that need the ask are skipped for it.
     */
    default boolean asksAPullProducerWhenItRegisters() {
        return true;
    }

    /**
     * Whether the consumer asks a pull producer for data again each time it has drained completely (FD-11a), so a pull
     * producer is driven to its end. A subject that declares {@code false} names, in its javadoc, the rule it follows
     * instead; the checks that drive a pull producer to its end are skipped for it.
     */
    default boolean asksAPullProducerAgainOnceDrained() {
        return true;
    }

    /**
     * Whether an operator hold ({@link #holds()}) reaches the producer registered with {@link #consumer()} at once:
     * its writes are answered {@code false} while the hold is in force, and what the consumer accepted still drains.
     * {@code false} for a subject whose holds are placed further down a pipe, behind a stage that absorbs the pause in
     * a buffer of its own; it names that rule in its javadoc, and the hold checks are skipped for it.
     */
    default boolean holdsReachTheProducer() {
        return true;
    }

    /** Releases what the subject holds (threads, executors, a stalled call); the consumer may be in any state. */
    @Override
    default void close() {
    }

    /** An operator's keyed holds: {@code hold(key)} is idempotent per key; the producer resumes once all are released. */
    interface Holds {

        /** Places the hold {@code key}; from then on {@code write} returns {@code false} until it is released. */
        void hold(String key);

        /** Withdraws the hold {@code key}. */
        void release(String key);
    }

    /** Makes a call into the far end block, as a slow peer does. */
    interface Stall {

        /** From now on the next call into the far end blocks until {@link #unstall()}. */
        void stall();

        /** Waits until a call is blocked in the stall; {@code false} if none came within {@code timeout}. */
        boolean awaitStalled(Duration timeout) throws InterruptedException;

        /** Lets the blocked call, and every later one, through. */
        void unstall();
    }
}
