package dev.sluice.registry;

import org.jspecify.annotations.Nullable;

/** Something that happened in a {@link ProducerRegistry}, as told to its {@link RegistryListener}s. */
public sealed interface RegistryEvent {

    /** The registry name the event is about: a producer, a consumer or a group. */
    String name();

    /**
     * A change of membership: a producer, consumer or group came or went. These are the only events a
     * {@linkplain ProducerRegistry#addMembershipListener membership listener} is told of.
     */
    sealed interface Membership extends RegistryEvent {

        /** The group concerned. */
        String group();
    }

    /**
     * A producer was registered.
     *
     * @param name its registry name
     * @param group its group
     */
    record ProducerAdded(String name, String group) implements Membership {
    }

    /**
     * A consumer was registered.
     *
     * @param name its registry name
     * @param group its group
     */
    record ConsumerAdded(String name, String group) implements Membership {
    }

    /**
     * A producer or consumer left the registry.
     *
     * @param name its registry name
     * @param group its group
     * @param wasProducer whether it was a producer
     */
    record Removed(String name, String group, boolean wasProducer) implements Membership {
    }

    /**
     * A group got its first member.
     *
     * @param name the group
     */
    record GroupAdded(String name) implements Membership {

        @Override
        public String group() {
            return this.name;
        }
    }

    /**
     * A group lost its last member and is gone.
     *
     * @param name the group
     */
    record GroupRemoved(String name) implements Membership {

        @Override
        public String group() {
            return this.name;
        }
    }

    /**
     * A registered producer's consumer made a callback or a change of registration that changed what the producer
     * does: told on that consumer's owner loop, in the order the producer saw it.
     *
     * @param name the producer
     * @param consumer the consumer that caused the change
     * @param to the state the producer entered
     */
    record StateChanged(String name, @Nullable String consumer, ProducerState to) implements RegistryEvent {
    }

    /**
     * A producer's callback threw.
     *
     * @param name the producer
     * @param consumer the consumer that made the call
     * @param failure what it threw
     */
    record CallbackFailed(String name, String consumer, Throwable failure) implements RegistryEvent {
    }
}
