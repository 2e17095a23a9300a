package dev.sluice.boot.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.sluice.boot.SluiceConfigurationException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;

/**
 * Builds the listener containers declared under {@code sluice.kafka.listeners.<id>}: a
 * {@link ConcurrentMessageListenerContainer} in {@link AckMode#MANUAL} with auto-commit off, whose listener id is
 * {@code <id>}. When the application has one {@link ConcurrentKafkaListenerContainerFactory} (Spring Boot's
 * {@code kafkaListenerContainerFactory}), the container is made by it, so it takes Boot's {@code spring.kafka.listener.*}
 * settings where they apply (poll timeout, idle events and idle between polls, monitor interval, observation, client id,
 * missing-topics check, the error handler and container customizers...); the settings under
 * {@code sluice.kafka.listeners.<id>} win over them, and a pipe always has manual acknowledgement without
 * {@code asyncAcks} ({@code spring.kafka.listener.ack-mode}, {@code async-acks}, {@code ack-count} and {@code ack-time}
 * do not apply). Without such a factory it is built on the application's {@link ConsumerFactory}
 * ({@code spring.kafka.consumer.*}). The containers are not beans: the pipe that reads one starts and stops it
 * ({@link KafkaPipeLifecycle}).
 */
public final class KafkaListenerContainers {

    /** How long the topic check waits for the broker. */
    static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(15);

    private final Map<String, KafkaListenerDefinition> definitions = new LinkedHashMap<>();

    private final Supplier<@Nullable ConsumerFactory<?, ?>> consumerFactory;

    private final Supplier<@Nullable ConcurrentKafkaListenerContainerFactory<?, ?>> containerFactory;

    private final @Nullable ApplicationContext context;

    /**
     * Creates the builder.
     *
     * @param definitions the declared listeners
     * @param consumerFactory the application's consumer factory, or {@code null} when it has none (or several)
     * @param containerFactory the application's listener container factory (Spring Boot's, configured by
     *        {@code spring.kafka.listener.*}), or {@code null} when it has none (or several)
     * @param context the application context, to publish the containers' events, or {@code null}
     */
    public KafkaListenerContainers(List<KafkaListenerDefinition> definitions,
            Supplier<@Nullable ConsumerFactory<?, ?>> consumerFactory,
            Supplier<@Nullable ConcurrentKafkaListenerContainerFactory<?, ?>> containerFactory,
            @Nullable ApplicationContext context) {
        definitions.forEach(definition -> this.definitions.put(definition.id(), definition));
        this.consumerFactory = Objects.requireNonNull(consumerFactory, "consumerFactory");
        this.containerFactory = Objects.requireNonNull(containerFactory, "containerFactory");
        this.context = context;
    }

    /** The ids of the declared listeners. */
    public Set<String> ids() {
        return this.definitions.keySet();
    }

    /** Whether a listener with this id is declared. */
    public boolean declares(String id) {
        return this.definitions.containsKey(id);
    }

    /**
     * Builds the container of listener {@code id}, not started.
     *
     * @throws IllegalArgumentException if no such listener is declared
     * @throws SluiceConfigurationException naming {@code sluice.kafka.listeners.<id>} when the application has no single
     *         {@link ConsumerFactory}
     */
    public ConcurrentMessageListenerContainer<Object, Object> build(String id) {
        KafkaListenerDefinition definition = definition(id);
        @SuppressWarnings("unchecked")
        ConcurrentKafkaListenerContainerFactory<Object, Object> boot =
                (ConcurrentKafkaListenerContainerFactory<Object, Object>) this.containerFactory.get();
        @SuppressWarnings("unchecked")
        ConsumerFactory<Object, Object> factory = (boot != null) ? boot.getConsumerFactory()
                : (ConsumerFactory<Object, Object>) this.consumerFactory.get();
        if (factory == null) {
            throw new SluiceConfigurationException(definition.property(), definition.topics(),
                    "declares a Kafka listener, but the application has no single Kafka ConsumerFactory",
                    "Add Spring Boot's Kafka support (org.springframework.boot:spring-boot-kafka, or "
                            + "spring-boot-starter-kafka) and set spring.kafka.bootstrap-servers, or declare one "
                            + "ConsumerFactory bean.");
        }
        String[] topics = definition.topics().toArray(String[]::new);
        ConcurrentMessageListenerContainer<Object, Object> container = (boot != null) ? boot.createContainer(topics)
                : new ConcurrentMessageListenerContainer<>(factory, new ContainerProperties(topics));
        ContainerProperties properties = container.getContainerProperties();
        properties.setAckMode(AckMode.MANUAL);
        properties.setAsyncAcks(false);
        if (definition.groupId() != null) {
            properties.setGroupId(definition.groupId());
        }
        else if (properties.getGroupId() == null
                && factory.getConfigurationProperties().get(ConsumerConfig.GROUP_ID_CONFIG) == null) {
            properties.setGroupId(id);
        }
        Properties consumerProperties = new Properties();
        consumerProperties.putAll(properties.getKafkaConsumerProperties());
        consumerProperties.putAll(consumerOverrides(definition));
        properties.setKafkaConsumerProperties(consumerProperties);
        if (definition.concurrency() != null) {
            container.setConcurrency(definition.concurrency());
        }
        container.setBeanName(id);
        if (this.context != null) {
            container.setApplicationContext(this.context);
            container.setApplicationEventPublisher(this.context);
        }
        return container;
    }

    private static Properties consumerOverrides(KafkaListenerDefinition definition) {
        Properties overrides = new Properties();
        overrides.putAll(definition.properties());
        if (definition.pollBatch() != null) {
            overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, definition.pollBatch().toString());
        }
        if (definition.keyDeserializer() != null) {
            overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, definition.keyDeserializer().getName());
        }
        if (definition.valueDeserializer() != null) {
            overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, definition.valueDeserializer().getName());
        }
        // the pipe commits each record once its sink is done with it; the Kafka client must commit nothing by itself
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return overrides;
    }

    /**
     * Checks, if the listener asks for it, that every topic of listener {@code id} exists, with an admin client on the
     * container's consumer settings.
     *
     * @throws SluiceConfigurationException naming {@code sluice.kafka.listeners.<id>.topics} when a topic does not exist
     *         or the broker cannot say within 15 seconds
     */
    public void checkTopics(String id, ConcurrentMessageListenerContainer<?, ?> container) {
        KafkaListenerDefinition definition = definition(id);
        if (!definition.checkTopics()) {
            return;
        }
        String property = definition.property() + ".topics";
        Map<String, Object> config = new HashMap<>();
        ConsumerFactory<?, ?> factory = this.consumerFactory.get();
        Map<String, Object> consumerConfig = (factory != null) ? factory.getConfigurationProperties() : Map.of();
        consumerConfig.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        container.getContainerProperties().getKafkaConsumerProperties().forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put((String) key, value);
            }
        });
        // the admin client gives up on its own within the check's time, and is closed without waiting for its calls
        // (Admin.close() would wait for a call that retries against an unreachable broker, 60 s by default)
        int timeoutMillis = (int) TOPIC_CHECK_TIMEOUT.toMillis();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
        List<String> missing = new ArrayList<>();
        long deadline = System.nanoTime() + TOPIC_CHECK_TIMEOUT.toNanos();
        Admin admin = null;
        try {
            admin = Admin.create(config);
            Map<String, ? extends Future<?>> described = admin.describeTopics(definition.topics()).topicNameValues();
            for (Map.Entry<String, ? extends Future<?>> topic : described.entrySet()) {
                try {
                    topic.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw unchecked(definition, property, ex.getCause());
                    }
                    missing.add(topic.getKey());
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw unchecked(definition, property, ex);
        }
        catch (TimeoutException | RuntimeException ex) {
            throw unchecked(definition, property, ex);
        }
        finally {
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
        }
        if (!missing.isEmpty()) {
            throw new SluiceConfigurationException(property, definition.topics(), "names topics that do not exist: "
                    + missing, "Create the topics (for example with NewTopic beans), correct " + property
                            + ", or set " + definition.property() + ".check-topics=false to start without them.");
        }
    }

    private static SluiceConfigurationException unchecked(KafkaListenerDefinition definition, String property,
            @Nullable Throwable cause) {
        return new SluiceConfigurationException(property, definition.topics(), "could not be checked within "
                + TOPIC_CHECK_TIMEOUT.toSeconds() + " s: " + cause,
                "Check that the broker is reachable (spring.kafka.bootstrap-servers), or set "
                        + definition.property() + ".check-topics=false to start without the check.");
    }

    private KafkaListenerDefinition definition(String id) {
        KafkaListenerDefinition definition = this.definitions.get(id);
        if (definition == null) {
            throw new IllegalArgumentException("No Kafka listener '" + id + "' is declared under "
                    + KafkaListenerDefinition.PREFIX);
        }
        return definition;
    }
}
