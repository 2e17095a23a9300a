package dev.sluice.boot;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@code sluice.pipes.<name>.producer} value that is not a bean name into a producer, such as
 * {@code kafka:orders} for the Kafka listener container with id {@code orders}. {@link SluicePipes} asks every
 * resolver bean, in order, before it looks the value up as a bean name.
 */
@FunctionalInterface
public interface PipeProducerResolver {

    /**
     * Resolves {@code value}, or returns {@code null} when it is not for this resolver.
     *
     * @param property the property, {@code sluice.pipes.<name>.producer}, for error messages
     * @param value its value
     * @param consumer the pipe's consumer, which the producer will write into
     * @return the producer, registered by the resolver in the registry if it is not a bean, or {@code null}
     * @throws SluiceConfigurationException naming {@code property} when the value is for this resolver but wrong
     */
    @Nullable Producer resolve(String property, String value, Consumer<?> consumer);
}
