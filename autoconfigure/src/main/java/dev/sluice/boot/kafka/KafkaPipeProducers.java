package dev.sluice.boot.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.boot.PipeProducerResolver;
import dev.sluice.boot.SluiceConfigurationException;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSource;
import dev.sluice.registry.ProducerRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.listener.ListenerContainerRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Resolves {@code sluice.pipes.<name>.producer: kafka:<listener id>}: the Spring Kafka listener container with that
 * id (from a {@link ListenerContainerRegistry}, or a {@link MessageListenerContainer} bean, whose listener id is its
 * bean name) becomes a
 * {@link KafkaSource} writing {@link KafkaRecord}s into the pipe's consumer. The source is registered in the
 * {@link ProducerRegistry} under the property's value ({@code kafka:orders}), so it is listed and metered like any
 * producer, and removed when the context closes.
 */
public final class KafkaPipeProducers implements PipeProducerResolver, DisposableBean {

    /** The prefix of the values this resolver takes. */
    public static final String PREFIX = "kafka:";

    private final ListableBeanFactory beans;

    private final ProducerRegistry registry;

    private final List<ProducerRegistry.Registration> registrations = new ArrayList<>();

    public KafkaPipeProducers(ListableBeanFactory beans, ProducerRegistry registry) {
        this.beans = Objects.requireNonNull(beans, "beans");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public @Nullable Producer resolve(String property, String value, Consumer<?> consumer) {
        if (!value.startsWith(PREFIX)) {
            return null;
        }
        String id = value.substring(PREFIX.length()).trim();
        MessageListenerContainer container = container(id);
        if (container == null) {
            throw new SluiceConfigurationException(property, value,
                    "names no Kafka listener container with id '" + id + "'",
                    "Known listener ids: " + knownIds() + ". Declare a listener container with that id (a "
                            + "MessageListenerContainer bean, or one in a KafkaListenerEndpointRegistry), or correct "
                            + property + ".");
        }
        KafkaSource<Object, Object> source;
        try {
            @SuppressWarnings("unchecked")
            Consumer<? super KafkaRecord<Object, Object>> records = (Consumer<? super KafkaRecord<Object, Object>>) consumer;
            source = KafkaSource.attach(container, records);
        }
        catch (IllegalArgumentException | IllegalStateException ex) {
            throw new SluiceConfigurationException(property, value, "names a listener container that cannot feed a "
                    + "pipe: " + ex.getMessage(), "Give listener container '" + id + "' AckMode MANUAL, without "
                    + "asyncAcks, and let the pipe start it.");
        }
        synchronized (this.registrations) {
            this.registrations.add(this.registry.registerProducer(value, source));
        }
        return source;
    }

    private @Nullable MessageListenerContainer container(String id) {
        for (ListenerContainerRegistry registry : this.beans.getBeansOfType(ListenerContainerRegistry.class, false,
                true).values()) {
            MessageListenerContainer found = registry.getListenerContainer(id);
            if (found != null) {
                return found;
            }
        }
        for (MessageListenerContainer candidate : this.beans.getBeansOfType(MessageListenerContainer.class, false,
                true).values()) {
            if (id.equals(candidate.getListenerId())) {
                return candidate;
            }
        }
        return null;
    }

    private TreeSet<String> knownIds() {
        TreeSet<String> ids = new TreeSet<>();
        this.beans.getBeansOfType(ListenerContainerRegistry.class, false, true)
            .values()
            .forEach(registry -> ids.addAll(registry.getListenerContainerIds()));
        this.beans.getBeansOfType(MessageListenerContainer.class, false, true)
            .values()
            .forEach(container -> {
                String id = container.getListenerId();
                if (id != null) {
                    ids.add(id);
                }
            });
        return ids;
    }

    @Override
    public void destroy() {
        synchronized (this.registrations) {
            this.registrations.forEach(ProducerRegistry.Registration::close);
            this.registrations.clear();
        }
    }
}
