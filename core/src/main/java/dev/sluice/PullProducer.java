package dev.sluice;

/**
 * A producer that writes only when asked, such as a file reader. The port of Twisted's {@code IPullProducer}.
 *
 * <p>Its consumer calls {@link #resumeProducing()} once each time it wants more data: once when the producer is
 * registered and once each time its buffer has drained completely. The producer should write one chunk from inside
 * that call, before it returns, and should not write at other times. A pull producer that writes nothing when asked is
 * not asked again until something else is written (Twisted's FD-13), so it should write, or unregister at its end.
 */
public interface PullProducer extends Producer {
}
