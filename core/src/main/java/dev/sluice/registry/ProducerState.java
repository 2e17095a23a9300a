package dev.sluice.registry;

/** What a registered producer is doing, as far as its consumer's callbacks tell. */
public enum ProducerState {

    /** Registered and not paused, or not registered with a consumer yet. */
    PRODUCING,

    /** Paused by its consumer (a full buffer, or an operator's hold). */
    PAUSED,

    /** Stopped by its consumer: the consumer has gone, or an operator stopped it. */
    STOPPED,

    /** Unregistered from its consumer without being stopped: its work is done. */
    FINISHED
}
