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
 *   <li>{@link #write} never blocks: it buffers. It is the consumer's business to pause a push producer when the
 *       buffer is full and to ask a pull producer for more when it is empty.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * Twisted is single-threaded; Java callers are not. Every Sluice consumer keeps these rules:
 * <ol>
 *   <li>{@code write}, {@code registerProducer} and {@code unregisterProducer} may be called from any thread.</li>
 *   <li>The calls a consumer makes to its registered producer ({@code pauseProducing}, {@code resumeProducing},
 *       {@code stopProducing}) are serialized: never two at once on different threads, made in the order of the
 *       state changes that caused them, and each happens-after the change that caused it. No pause or resume is
 *       lost: a push producer is never left paused while the buffer sits at or below its low-water mark. The one
 *       nesting allowed is Twisted's own: a producer that writes from inside its {@code resumeProducing} and so
 *       fills the buffer receives {@code pauseProducing} from inside that write, on its own thread, so it can stop
 *       in time.</li>
 *   <li>No unbounded recursion: a producer that writes from inside {@code resumeProducing} does not grow the stack
 *       per chunk; the next request is made after the current call returns.</li>
 *   <li>No callback is made while a library lock is held, so a callback may call back into the consumer.</li>
 *   <li>Blocking is never required. Callbacks must not block either: they are signals (set a flag, wake a thread,
 *       schedule work).</li>
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
     * Accepts data. Never blocks; what cannot be passed on at once is buffered. The caller gives up the data: it must
     * not modify it afterwards.
     *
     * @param data the data, never {@code null}
     * @throws NullPointerException if {@code data} is {@code null}
     */
    void write(T data);
}
