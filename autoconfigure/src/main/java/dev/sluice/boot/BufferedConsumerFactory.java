package dev.sluice.boot;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;

/**
 * Makes {@link BufferedConsumer}s with the water marks configured for their name ({@code sluice.consumers.<name>.*},
 * else {@code sluice.buffer.*}), in the unit their weigher counts in.
 *
 * <p>A consumer bean is configured under its bean name, so build it with that name. Consumers made at run time (one
 * per request or message) share the settings of one name: {@link #declare(String) declare} that name while the
 * context starts, since start-up fails on a {@code sluice.consumers.<name>} that names neither a consumer bean nor a
 * declared name (a mistyped name would otherwise be ignored silently).
 */
public final class BufferedConsumerFactory {

    private final ConsumerMarks marks;

    private final ProducerRegistry registry;

    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    /**
     * Creates the factory.
     *
     * @param marks the marks for a consumer name
     * @param registry where {@link #create} and {@link #register} register what they are given
     */
    public BufferedConsumerFactory(ConsumerMarks marks, ProducerRegistry registry) {
        this.marks = Objects.requireNonNull(marks, "marks");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Declares that consumers made at run time take the settings of {@code name}, so that
     * {@code sluice.consumers.<name>} is known to be in use. Call it while the context starts (in a {@code @Bean}
     * method or a bean's constructor).
     *
     * @return the name
     */
    public String declare(String name) {
        this.declared.add(Objects.requireNonNull(name, "name"));
        return name;
    }

    /** The names given to {@link #declare}, {@link #builder} or {@link #create} so far. */
    public Set<String> declaredNames() {
        return Set.copyOf(this.declared);
    }

    /**
     * A builder named {@code name}, weighing with {@code weigher}, with the marks configured for that name in the
     * weigher's unit. What it builds is not registered: declare it as a bean (registered under the bean name, which
     * must be {@code name}), or {@link #register} it.
     */
    public <T> BufferedConsumer.Builder<T> builder(String name, Sink<T> sink, Weigher<? super T> weigher) {
        return BufferedConsumer.<T>builder(sink).name(declare(name)).weigher(weigher)
            .waterMarks(this.marks.waterMarks(name, weigher.unit()));
    }

    /**
     * A builder named {@code name} with the marks configured for that name, in bytes unless the name's settings are
     * counts of items. Prefer {@link #builder(String, Sink, Weigher)}, which picks the unit from the weigher.
     */
    public <T> BufferedConsumer.Builder<T> builder(String name, Sink<T> sink) {
        return BufferedConsumer.builder(sink).name(declare(name))
            .waterMarks(this.marks.waterMarks(name, this.marks.configuredUnit(name)));
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

    /** The water marks configured for {@code name}, in bytes. */
    public WaterMarks waterMarks(String name) {
        return this.marks.waterMarks(name, "bytes");
    }

    /** The water marks configured for {@code name}, in {@code unit} ({@code "bytes"} or {@code "items"}). */
    public WaterMarks waterMarks(String name, String unit) {
        return this.marks.waterMarks(name, unit);
    }
}
