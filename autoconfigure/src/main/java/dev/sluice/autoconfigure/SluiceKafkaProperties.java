package dev.sluice.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Kafka listeners that Sluice builds from configuration, under {@code sluice.kafka}, so that a Kafka pipe needs no
 * listener container bean: {@code sluice.kafka.listeners.orders.topics: orders} with
 * {@code sluice.pipes.<name>.producer: kafka:orders}. Each is a {@code ConcurrentMessageListenerContainer} made with
 * Spring Boot's listener container factory ({@code spring.kafka.listener.*} where they apply) and consumer factory
 * ({@code spring.kafka.consumer.*}), in manual-acknowledgement mode. The
 * properties validate themselves when bound, as {@link SluiceProperties} do.
 */
@ConfigurationProperties("sluice.kafka")
public class SluiceKafkaProperties implements Validator {

    /**
     * Listener containers to build, by listener id; a pipe reads one with producer kafka:<id>.
     */
    private final Map<String, Listener> listeners = new LinkedHashMap<>();

    public Map<String, Listener> getListeners() {
        return this.listeners;
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == SluiceKafkaProperties.class;
    }

    @Override
    public void validate(Object target, Errors errors) {
        if (target instanceof SluiceKafkaProperties properties) {
            properties.getListeners().forEach((id, listener) -> validate(id, listener, errors));
        }
    }

    /** One listener, checked as fields {@code listeners[id].*} of the whole, so that the id is named as written. */
    private static void validate(String id, Listener listener, Errors errors) {
        String field = "listeners[" + id + "].";
        String key = "sluice.kafka.listeners." + id;
        if (listener.getTopics().isEmpty()) {
            SluiceProperties.reject(errors, field + "topics", "sluice.required",
                    "is required: name the topics the listener reads",
                    "Set " + key + ".topics to the topics to read (comma-separated), or remove the listener.");
        }
        else if (listener.getTopics().stream().anyMatch(topic -> topic == null || topic.isBlank())) {
            SluiceProperties.reject(errors, field + "topics", "sluice.blank", "must not contain a blank topic name",
                    "Remove the empty entry from " + key + ".topics.");
        }
        if (listener.getConcurrency() != null && listener.getConcurrency() < 1) {
            SluiceProperties.reject(errors, field + "concurrency", "sluice.notPositive", "must be at least 1",
                    "Set " + key + ".concurrency to 1 or more (at most the topics' partitions do work).");
        }
        if (listener.getPollBatch() != null && listener.getPollBatch() < 1) {
            SluiceProperties.reject(errors, field + "pollBatch", "sluice.notPositive",
                    "must be at least 1 (max.poll.records)", "Set " + key
                            + ".poll-batch to 1 or more, or remove it for spring.kafka.consumer.max-poll-records.");
        }
        deserializer(errors, field + "keyDeserializer", listener.getKeyDeserializer(), key + ".key-deserializer");
        deserializer(errors, field + "valueDeserializer", listener.getValueDeserializer(),
                key + ".value-deserializer");
    }

    private static void deserializer(Errors errors, String field, @Nullable Class<?> type, String key) {
        if (type != null && !Deserializer.class.isAssignableFrom(type)) {
            SluiceProperties.reject(errors, field, "sluice.notDeserializer",
                    "must be a Kafka Deserializer, such as org.apache.kafka.common.serialization.StringDeserializer",
                    "Set " + key + " to a class that implements org.apache.kafka.common.serialization.Deserializer.");
        }
    }

    /** A listener container built from configuration. */
    public static class Listener {

        /**
         * Topics the listener reads. Required; start-up fails when one does not exist, unless check-topics is false.
         */
        private List<String> topics = new ArrayList<>();

        /**
         * Consumer group. When not set, spring.kafka.consumer.group-id, and without that the listener id.
         */
        private @Nullable String groupId;

        /**
         * Kafka consumers (each on its own thread) in the container; the topics' partitions are shared among them.
         * When not set, spring.kafka.listener.concurrency, else 1.
         */
        private @Nullable Integer concurrency;

        /**
         * Most records one poll returns (max.poll.records): how far past its high-water mark a pipe's buffer may go
         * at the very most. When not set, spring.kafka.consumer.max-poll-records, else Kafka's default (500).
         */
        private @Nullable Integer pollBatch;

        /**
         * Deserializer of record keys. When not set, spring.kafka.consumer.key-deserializer (StringDeserializer by
         * default).
         */
        private @Nullable Class<?> keyDeserializer;

        /**
         * Deserializer of record values. When not set, spring.kafka.consumer.value-deserializer (StringDeserializer
         * by default).
         */
        private @Nullable Class<?> valueDeserializer;

        /**
         * Further Kafka consumer properties for this listener, over spring.kafka.consumer.*.
         */
        private Map<String, String> properties = new LinkedHashMap<>();

        /**
         * Whether the listener checks, as it starts, that its topics exist, and fails start-up if one does not.
         */
        private boolean checkTopics = true;

        public List<String> getTopics() {
            return this.topics;
        }

        public void setTopics(List<String> topics) {
            this.topics = topics;
        }

        public @Nullable String getGroupId() {
            return this.groupId;
        }

        public void setGroupId(@Nullable String groupId) {
            this.groupId = groupId;
        }

        public @Nullable Integer getConcurrency() {
            return this.concurrency;
        }

        public void setConcurrency(@Nullable Integer concurrency) {
            this.concurrency = concurrency;
        }

        public @Nullable Integer getPollBatch() {
            return this.pollBatch;
        }

        public void setPollBatch(@Nullable Integer pollBatch) {
            this.pollBatch = pollBatch;
        }

        public @Nullable Class<?> getKeyDeserializer() {
            return this.keyDeserializer;
        }

        public void setKeyDeserializer(@Nullable Class<?> keyDeserializer) {
            this.keyDeserializer = keyDeserializer;
        }

        public @Nullable Class<?> getValueDeserializer() {
            return this.valueDeserializer;
        }

        public void setValueDeserializer(@Nullable Class<?> valueDeserializer) {
            this.valueDeserializer = valueDeserializer;
        }

        public Map<String, String> getProperties() {
            return this.properties;
        }

        public void setProperties(Map<String, String> properties) {
            this.properties = properties;
        }

        public boolean isCheckTopics() {
            return this.checkTopics;
        }

        public void setCheckTopics(boolean checkTopics) {
            this.checkTopics = checkTopics;
        }
    }
}
