package dev.sluice.boot;

import java.util.Objects;
import java.util.function.Function;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.registry.ProducerRegistry;

/**
 * Makes {@link BufferedConsumer}s with the water marks configured for their name ({@code sluice.consumers.<name>.*},
 * else {@code sluice.buffer.*}).
 */
public final class BufferedConsumerFactory {

    private final Function<String, WaterMarks> waterMarks;

    private final ProducerRegistry registry;

    /**
     * Creates the factory.
     *
     * @param waterMarks the marks for a consumer name
     * @param registry where {@link #create} registers what it makes
     */
    public BufferedConsumerFactory(Function<String, WaterMarks> waterMarks, ProducerRegistry registry) {
        this.waterMarks = Objects.requireNonNull(waterMarks, "waterMarks");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * A builder named {@code name} with its configured water marks, for further settings (weigher, drain executor).
     * What it builds is not registered: register it, or declare it as a bean, which registers it under the bean
     * name.
     */
    public <T> BufferedConsumer.Builder<T> builder(String name, Sink<T> sink) {
        return BufferedConsumer.builder(sink).name(name).waterMarks(this.waterMarks.apply(name));
    }

    /**
     * Builds a consumer named {@code name} with its configured water marks, registers it in the registry, and removes
     * it from the registry when it closes.
     *
     * @throws IllegalStateException if the name is taken in the registry
     */
    public <T> BufferedConsumer<T> create(String name, Sink<T> sink) {
        return register(builder(name, sink).build());
    }

    /**
     * Registers {@code consumer} in the registry under its name until it closes.
     *
     * @throws IllegalStateException if the name is taken in the registry
     */
    public <T> BufferedConsumer<T> register(BufferedConsumer<T> consumer) {
        ProducerRegistry.Registration registration = this.registry.registerConsumer(consumer.name(), consumer);
        consumer.whenClosed().whenComplete((closed, failure) -> registration.close());
        return consumer;
    }

    /** The water marks configured for {@code name}. */
    public WaterMarks waterMarks(String name) {
        return this.waterMarks.apply(name);
    }
}
