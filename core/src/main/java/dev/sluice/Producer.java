package dev.sluice;

/**
 * Something that makes data and writes it into a {@link Consumer}. The port of Twisted's {@code IProducer}.
 *
 * <p>A producer never implements this interface alone: it is either a {@link PushProducer}, which writes on its own
 * initiative until it is told to pause, or a {@link PullProducer}, which writes only when asked. The consumer it is
 * registered with calls these methods; see {@link Consumer} for the threading rules that govern those calls.
 */
public interface Producer {

    /**
     * Asks for data. For a {@link PullProducer} this is a request for one chunk, which the producer should write
     * before it returns. For a {@link PushProducer} it balances an earlier {@link PushProducer#pauseProducing()}: the
     * producer may write again.
     */
    void resumeProducing();

    /**
     * Tells the producer that its consumer has gone for good: it must stop producing and release what it holds
     * (files, sockets). No other call follows this one from the same consumer. Writes made after it are dropped.
     */
    void stopProducing();
}
