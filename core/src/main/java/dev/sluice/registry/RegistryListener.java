package dev.sluice.registry;

/**
 * Told of the {@link RegistryEvent}s of a {@link ProducerRegistry}, on the thread that caused each: membership events
 * on the thread that registered or removed (or, for a producer a group consumer brought in, that consumer's signal
 * lane); {@link RegistryEvent.StateChanged} and {@link RegistryEvent.CallbackFailed} on the consumer's owner loop, so
 * the events of one consumer arrive in order and never concurrently. Events of different threads may interleave in
 * any order: a listener that keeps state should read the registry's answer of the moment rather than count events.
 * A listener must be quick and must not throw (an exception is logged and ignored).
 */
@FunctionalInterface
public interface RegistryListener {

    void onEvent(RegistryEvent event);
}
