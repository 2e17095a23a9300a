package dev.sluice;

/**
 * A producer that writes on its own initiative, such as a socket reader or a message listener. The port of
 * Twisted's {@code IPushProducer}.
 *
 * <p>A push producer starts un-paused. Its consumer calls {@link #pauseProducing()} when its buffer crosses the
 * high-water mark and {@link #resumeProducing()} when the buffer has drained to the low-water mark. Sluice consumers
 * make these calls <em>edge-triggered</em>: exactly one pause per crossing, and a resume only to balance a pause, so
 * the calls a producer sees strictly alternate pause, resume, pause, ... A producer that cannot pause may treat both
 * as no-ops; the consumer's buffer then grows without bound.
 */
public interface PushProducer extends Producer {

    /**
     * Asks the producer to stop writing until {@link #resumeProducing()} is called. Data already in flight may still
     * be written; the consumer buffers it. The call must not block.
     */
    void pauseProducing();
}
