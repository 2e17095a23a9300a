package dev.sluice;

/**
 * A producer that writes only when asked, such as a file reader. The port of Twisted's {@code IPullProducer}.
 *
 * <p>Its consumer calls {@link #resumeProducing()} once each time it wants more data: once when the producer is
 * registered, and once each time a drain has emptied its buffer — a drain that sent something, or one the sink or the
 * consumer's owner asked for ({@code BufferedConsumer.drain()}, {@code loseConnection()}), whether or not it sent
 * anything (Twisted's FD-11a). The producer should write one chunk from inside that call, before it returns, and should
 * not write at other times. A pull producer that writes nothing when asked is not asked again until one of those drains
 * happens (Twisted's FD-13: a registration, a hold or a release does not ask it again), so it should write, or
 * unregister at its end. A {@code write} that returns {@code false} to it is answered by the next such request, or by
 * {@code stopProducing}.
 */
public interface PullProducer extends Producer {
}
