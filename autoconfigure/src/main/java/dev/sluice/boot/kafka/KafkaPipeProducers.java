package dev.sluice.boot.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ListenerContainerRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Resolves {@code sluice.pipes.<name>.producer: kafka:<listener id>}: the Spring Kafka listener container with that
 * id (from a {@link ListenerContainerRegistry}, or a {@link MessageListenerContainer} bean, whose listener id is its
 * bean name), or the one declared under {@code sluice.kafka.listeners.<id>} ({@link KafkaListenerContainers}), becomes a
 * {@link KafkaSource} writing {@link KafkaRecord}s into the pipe's consumer. The source is registered in the
 * {@link ProducerRegistry} under the property's value ({@code kafka:orders}), so it is listed and metered like any
 * producer, and removed when the context closes; the pipe is handed to the {@link KafkaPipeLifecycle}, which drains it
 * before its container stops. Once every singleton exists, a declared listener that no pipe reads fails start-up.
 */
public final class KafkaPipeProducers implements PipeProducerResolver, SmartInitializingSingleton, DisposableBean {

    /** The prefix of the values this resolver takes. */
    public static final String PREFIX = "kafka:";

    private final ListableBeanFactory beans;

    private final ProducerRegistry registry;

    private final KafkaListenerContainers declared;

    private final KafkaPipeLifecycle lifecycle;

    private final List<ProducerRegistry.Registration> registrations = new ArrayList<>();

    /** Listener id to the property of the pipe that reads it. */
    private final Map<String, String> readers = new LinkedHashMap<>();

    public KafkaPipeProducers(ListableBeanFactory beans, ProducerRegistry registry, KafkaListenerContainers declared,
            KafkaPipeLifecycle lifecycle) {
        this.beans = Objects.requireNonNull(beans, "beans");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.declared = Objects.requireNonNull(declared, "declared");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    @Override
    public synchronized @Nullable Producer resolve(String property, String value, Consumer<?> consumer) {
        if (!value.startsWith(PREFIX)) {
            return null;
        }
        String id = value.substring(PREFIX.length()).trim();
        String other = this.readers.get(id);
        if (other != null) {
            throw new SluiceConfigurationException(property, value, "names Kafka listener '" + id + "', which "
                    + other + " reads already: a listener container feeds one pipe",
                    "Declare another listener for this pipe, or remove one of the two pipes.");
        }
        MessageListenerContainer bean = container(id);
        if (bean != null && this.declared.declares(id)) {
            throw new SluiceConfigurationException(KafkaListenerDefinition.PREFIX + id, id, "declares Kafka listener '"
                    + id + "', which a listener container bean of the application has as its id already",
                    "Remove " + KafkaListenerDefinition.PREFIX + id + ", or give the bean another id.");
        }
        if (bean == null && !this.declared.declares(id)) {
            throw new SluiceConfigurationException(property, value,
                    "names no Kafka listener container with id '" + id + "'",
                    "Known listener ids: " + knownIds() + ". Declare it under " + KafkaListenerDefinition.PREFIX + id
                            + " (at least .topics), or as a listener container bean with that id, or correct "
                            + property + ".");
        }
        MessageListenerContainer container = (bean != null) ? bean : this.declared.build(id);
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
        this.readers.put(id, property);
        Runnable ownStart = null;
        if (bean == null) {
            ConcurrentMessageListenerContainer<?, ?> built = (ConcurrentMessageListenerContainer<?, ?>) container;
            ownStart = () -> {
                this.declared.checkTopics(id, built);
                built.start();
            };
        }
        this.lifecycle.add(pipeName(property), source, consumer, ownStart);
        this.registrations.add(this.registry.registerProducer(value, source));
        return source;
    }

    private static String pipeName(String property) {
        String prefix = "sluice.pipes.";
        String suffix = ".producer";
        return (property.startsWith(prefix) && property.endsWith(suffix))
                ? property.substring(prefix.length(), property.length() - suffix.length()) : property;
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
        TreeSet<String> ids = new TreeSet<>(this.declared.ids());
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

    /**
     * Fails start-up when a listener declared under {@code sluice.kafka.listeners.<id>} is read by no pipe: its
     * container would never start, so the setting would do nothing.
     */
    @Override
    public synchronized void afterSingletonsInstantiated() {
        for (String id : this.declared.ids()) {
            if (!this.readers.containsKey(id)) {
                throw new SluiceConfigurationException(KafkaListenerDefinition.PREFIX + id, id,
                        "declares a Kafka listener that no pipe reads",
                        "Set sluice.pipes.<name>.producer: " + PREFIX + id + " (with .consumer), or remove "
                                + KafkaListenerDefinition.PREFIX + id + ".");
            }
        }
    }

    @Override
    public synchronized void destroy() {
        this.registrations.forEach(ProducerRegistry.Registration::close);
        this.registrations.clear();
    }
}
