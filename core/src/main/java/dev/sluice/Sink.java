package dev.sluice;

/**
 * Where a {@link BufferedConsumer} finally puts its data: a channel, a socket, a servlet response, a list in a test.
 * The part of Twisted's {@code FileDescriptor} that is {@code writeSomeData}.
 *
 * <p>The consumer calls a sink from one thread at a time (its drain loop), never concurrently, and each call
 * happens-after the previous one.
 *
 * @param <T> the type of item taken
 */
public interface Sink<T> {

    /**
     * Takes an item, or as much of it as it can now.
     *
     * <p>Return {@code true} when the whole item was taken. Return {@code false} when the sink cannot take (all of) it
     * now: it must then have taken nothing, or have consumed a part so that the consumer's weigher sees only what is
     * left (a {@link java.nio.ByteBuffer} whose position was advanced), and it must call
     * {@link BufferedConsumer#drain()} when it can take more. The consumer offers the same item again then.
     *
     * @param item the item, never {@code null}
     * @return whether the whole item was taken
     * @throws Exception if the sink has failed; the consumer then loses its connection with that failure
     */
    boolean offer(T item) throws Exception;

    /**
     * Flushes and closes the sink after the last item, when the consumer closes cleanly
     * ({@link BufferedConsumer#loseConnection()}). Called at most once, and never after {@link #abort()}.
     *
     * @throws Exception if closing fails
     */
    default void close() throws Exception {
    }

    /**
     * Closes the sink at once, without flushing, when the consumer is aborted
     * ({@link BufferedConsumer#abortConnection()}). Called at most once. Must not throw.
     */
    default void abort() {
    }
}
