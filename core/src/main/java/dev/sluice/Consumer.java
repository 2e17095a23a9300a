package dev.sluice;

/**
 * Something that takes data from a producer and buffers what it cannot pass on yet. The port of Twisted's
 * {@code IConsumer}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #registerProducer} accepts one producer at a time: a second registration before
 *       {@link #unregisterProducer()} throws {@link IllegalStateException} and leaves the first in place.</li>
 *   <li>{@code streaming = true} declares a {@link PushProducer}; anything else with {@code true} is an
 *       {@link IllegalArgumentException}. {@code streaming = false} declares a pull producer.</li>
 *   <li>{@link #write} never blocks and never waits for another thread: it buffers, and returns {@code false} when
 *       the consumer wants its producer paused (as Node.js's {@code Writable.write}). It is the consumer's business to
 *       pause a push producer when the buffer is full and to ask a pull producer for more when it is empty.</li>
 * </ul>
 *
 * <h2>Threading (DESIGN §4; the whole contract, with its reasons, is {@code docs/threading.md})</h2>
 * Twisted is single-threaded; Java callers are not. Every Sluice consumer keeps these rules:
 * <ol>
 *   <li>Every method may be called from any thread.</li>
 *   <li>One owner loop per consumer: the calls a consumer makes to its registered producer ({@code pauseProducing},
 *       {@code resumeProducing}, {@code stopProducing}) and its listener events are made by whichever thread owns the
 *       loop: never two at once, in the order of the state changes that caused them, none lost, none under a library
 *       lock. Registrations, operator holds and releases and stops are queued to that loop.</li>
 *   <li><strong>{@code false} is a promise</strong>: a {@link #write} that returned {@code false} is followed by
 *       {@code resumeProducing} or {@code stopProducing} to the producer that got it (unless it unregistered
 *       itself, {@code stopConsuming} included). A push producer is never left paused once the threads are quiet while the buffer is at or below
 *       its low-water mark and no operator hold is set.</li>
 *   <li>No thread ever waits for another: {@code write} returns at once.</li>
 *   <li>Items written by one thread reach the sink in the order written, exactly once.</li>
 *   <li>A producer that stops writing when {@code write} returns {@code false} overshoots the high-water mark by at
 *       most one write per writing thread.</li>
 *   <li>Nesting: with a drain executor, a writer receives no callback at all; with the inline drain, the writer that
 *       finds the loop idle runs it, and a push producer writing from inside its own {@code resumeProducing} gets
 *       the {@code pauseProducing} its write made due before the write returns (Twisted's FD-12).</li>
 *   <li>No unbounded recursion: a producer that writes from inside {@code resumeProducing} does not grow the stack
 *       per chunk.</li>
 *   <li>Exception-safe: anything user code throws fails the consumer once (the producer is stopped) and is logged
 *       once; nothing wedges the loop.</li>
 *   <li>Callbacks must not block: they are signals (set a flag, wake a thread, schedule work).</li>
 * </ol>
 *
 * @param <T> the type of data written; byte-oriented consumers use {@link java.nio.ByteBuffer}
 */
public interface Consumer<T> {

    /**
     * Registers the producer that will write into this consumer.
     *
     * @param producer the producer
     * @param streaming {@code true} for a {@link PushProducer}, {@code false} for a pull producer
     * @throws IllegalStateException if a producer is already registered (the first one stays registered)
     * @throws IllegalArgumentException if {@code streaming} is {@code true} and the producer is not a
     *         {@link PushProducer}
     */
    void registerProducer(Producer producer, boolean streaming);

    /**
     * Stops consuming from the registered producer without disconnecting. Calls no producer method. A no-op when no
     * producer is registered.
     */
    void unregisterProducer();

    /**
     * Accepts data. Never blocks and never waits for another thread; what cannot be passed on at once is buffered.
     * The caller gives up the data: it must not modify it afterwards.
     *
     * <p>The result is advice, as Node.js's {@code Writable.write}: {@code false} means that after this write the
     * consumer wants its producer paused (its buffer is above the high-water mark, an operator holds the producer, or
     * the consumer has gone). A producer on its own thread that wants a hard bound stops writing on {@code false} and
     * waits for {@code resumeProducing}; the {@code pauseProducing} callback comes anyway.
     *
     * <p><strong>The promise.</strong> Every consumer in Sluice that returns {@code false} later calls
     * {@code resumeProducing} or {@code stopProducing} on the producer registered when it answered — whatever thread
     * drains it and however the answer raced the drain — so a producer that waits after {@code false} never waits for
     * ever. Nothing is owed to a producer that unregisters itself (or calls {@code stopConsuming()}, FD-17, when its
     * source has gone); an operator hold must be released for the resume to come. {@link FlowControlledProducer}
     * keeps a source in step with these answers, so that users never write that race themselves.
     *
     * @param data the data, never {@code null}
     * @return {@code true} if the producer may go on writing, {@code false} if it should pause
     * @throws NullPointerException if {@code data} is {@code null}
     */
    boolean write(T data);
}
