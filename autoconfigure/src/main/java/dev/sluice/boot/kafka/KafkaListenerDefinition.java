package dev.sluice.boot.kafka;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A listener container declared in configuration ({@code sluice.kafka.listeners.<id>}) rather than as a bean, which
 * {@link KafkaListenerContainers} builds for the pipe whose producer is {@code kafka:<id>}.
 *
 * @param id the listener id
 * @param topics the topics to read, at least one
 * @param groupId the consumer group, or {@code null} for the consumer factory's {@code group.id}, else the id
 * @param concurrency the number of Kafka consumers (threads), at least 1, or {@code null} for the listener container
 *        factory's ({@code spring.kafka.listener.concurrency}), else 1
 * @param pollBatch {@code max.poll.records}, or {@code null} for the consumer factory's
 * @param keyDeserializer the key deserializer class, or {@code null} for the consumer factory's
 * @param valueDeserializer the value deserializer class, or {@code null} for the consumer factory's
 * @param properties further Kafka consumer properties for this listener only
 * @param checkTopics whether the listener's start fails when a topic does not exist
 */
public record KafkaListenerDefinition(String id, List<String> topics, @Nullable String groupId, @Nullable Integer concurrency,
        @Nullable Integer pollBatch, @Nullable Class<?> keyDeserializer, @Nullable Class<?> valueDeserializer,
        Map<String, String> properties, boolean checkTopics) {

    /** The prefix of the properties that declare listeners. */
    public static final String PREFIX = "sluice.kafka.listeners.";

    public KafkaListenerDefinition {
        Objects.requireNonNull(id, "id");
        topics = List.copyOf(topics);
        properties = Map.copyOf(properties);
    }

    /** The property that declares this listener, {@code sluice.kafka.listeners.<id>}. */
    public String property() {
        return PREFIX + this.id;
    }
}
