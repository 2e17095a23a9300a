package dev.sluice.registry;

/**
 * Told of every {@link RegistryEvent} of a {@link ProducerRegistry}, on the thread that caused it: for state changes,
 * the consumer's signal lane, so the events of one consumer arrive in order and never concurrently. A listener must
 * be quick and must not throw (an exception is logged and ignored).
 */
@FunctionalInterface
public interface RegistryListener {

    void onEvent(RegistryEvent event);
}
