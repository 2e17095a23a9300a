package dev.sluice.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.Producer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.springframework.context.ApplicationEvent;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/** One in-process broker for all the module's tests, and what they share. */
final class KafkaTestSupport {

    private static final EmbeddedKafkaKraftBroker BROKER = start();

    private KafkaTestSupport() {
    }

    private static EmbeddedKafkaKraftBroker start() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "embedded-kafka-stop"));
        return broker;
    }

    static String brokers() {
        return BROKER.getBrokersAsString();
    }

    /** Makes {@code topic} with {@code partitions} and sends {@code count} records keyed 0..count-1, round-robin. */
    static void fill(String topic, int partitions, int count) {
        fill(topic, partitions, count, i -> "value-" + i);
    }

    /** As {@link #fill(String, int, int)}, with record {@code i}'s value {@code values.apply(i)} (may be null). */
    static void fill(String topic, int partitions, int count, java.util.function.IntFunction<String> values) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            throw new IllegalStateException("Cannot create topic " + topic, ex);
        }
        Map<String, Object> props = KafkaTestUtils.producerProps(brokers());
        props.put("linger.ms", 5);
        props.put("batch.size", 65536);
        // on a loaded machine the idempotent producer's sequence checks can wedge a fill (OutOfOrderSequence retried
        // for ever); plain acks=all with one request in flight keeps the order, and the keys stay unique either way
        props.put("enable.idempotence", false);
        props.put("acks", "all");
        props.put("max.in.flight.requests.per.connection", 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, Integer.toString(i), values.apply(i)));
            }
            producer.flush();
        }
    }

    static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers()));
    }

    /** The group's committed offsets, by partition number. */
    static Map<Integer, Long> committed(String group) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
            Map<Integer, Long> byPartition = new TreeMap<>();
            offsets.forEach((partition, offset) -> {
                if (offset != null) {
                    byPartition.put(partition.partition(), offset.offset());
                }
            });
            return byPartition;
        }
        catch (Exception ex) {
            throw new IllegalStateException("Cannot read the offsets of group " + group, ex);
        }
    }

    static long committedTotal(String group) {
        return committed(group).values().stream().mapToLong(Long::longValue).sum();
    }

    /** A container in AckMode.MANUAL that records its events and rebalances. */
    static ConcurrentMessageListenerContainer<String, String> container(String id, String topic, String group,
            int maxPollRecords, Events events) {
        Map<String, Object> props = KafkaTestUtils.consumerProps(brokers(), group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        DefaultKafkaConsumerFactory<String, String> factory = new DefaultKafkaConsumerFactory<>(props,
                new StringDeserializer(), new StringDeserializer());
        ContainerProperties properties = new ContainerProperties(topic);
        properties.setAckMode(AckMode.MANUAL);
        properties.setPollTimeout(200);
        properties.setConsumerRebalanceListener(events);
        ConcurrentMessageListenerContainer<String, String> container = new ConcurrentMessageListenerContainer<>(
                factory, properties);
        container.setBeanName(id);
        container.setApplicationEventPublisher(events::publish);
        return container;
    }

    /** Container events and rebalances, as they happened. */
    static final class Events implements ConsumerAwareRebalanceListener {

        final List<Object> events = new CopyOnWriteArrayList<>();

        final AtomicInteger assignments = new AtomicInteger();

        final AtomicInteger revocations = new AtomicInteger();

        /** The group generations this member was assigned partitions in. */
        final java.util.Set<Integer> generations = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /** Partitions taken away without a revocation: the member was thrown out of the group. */
        final AtomicInteger lost = new AtomicInteger();

        /** Runs on the consumer thread after the container's revocation commit, before its seek-aware listener. */
        volatile java.util.function.Consumer<java.util.Collection<TopicPartition>> afterCommit = partitions -> {
        };

        void publish(Object event) {
            this.events.add(event);
        }

        long count(Class<? extends ApplicationEvent> type) {
            return this.events.stream().filter(type::isInstance).count();
        }

        @Override
        public void onPartitionsAssigned(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                java.util.Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                this.assignments.incrementAndGet();
            }
            this.generations.add(consumer.groupMetadata().generationId());
        }

        @Override
        public void onPartitionsRevokedBeforeCommit(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                java.util.Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                this.revocations.incrementAndGet();
            }
        }

        @Override
        public void onPartitionsLost(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                java.util.Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                this.lost.incrementAndGet();
            }
        }

        @Override
        public void onPartitionsRevokedAfterCommit(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                java.util.Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                this.afterCommit.accept(partitions);
            }
        }
    }

    /**
     * A rate-limited asynchronous API: calls are answered in ticks of 5 ms, at most {@code perSecond} a second, on the
     * API's own thread. Records who was answered.
     */
    static final class PacedApi implements AutoCloseable {

        private final Queue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();

        private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "paced-api");
            thread.setDaemon(true);
            return thread;
        });

        final AtomicLong answered = new AtomicLong();

        PacedApi(int perSecond) {
            int perTick = Math.max(1, perSecond / 200);
            this.clock.scheduleAtFixedRate(() -> {
                for (int i = 0; i < perTick; i++) {
                    CompletableFuture<Void> next = this.waiting.poll();
                    if (next == null) {
                        return;
                    }
                    this.answered.incrementAndGet();
                    next.complete(null);
                }
            }, 5, 5, TimeUnit.MILLISECONDS);
        }

        CompletableFuture<Void> call() {
            CompletableFuture<Void> answer = new CompletableFuture<>();
            this.waiting.add(answer);
            return answer;
        }

        @Override
        public void close() {
            this.clock.shutdownNow();
        }
    }

    /** Passes writes on to a buffered consumer and records the deepest its buffer was right after a write. */
    static final class DepthProbe<T> implements Consumer<T> {

        private final BufferedConsumer<T> target;

        final AtomicLong deepest = new AtomicLong();

        DepthProbe(BufferedConsumer<T> target) {
            this.target = target;
        }

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
            this.target.registerProducer(producer, streaming);
        }

        @Override
        public void unregisterProducer() {
            this.target.unregisterProducer();
        }

        @Override
        public boolean write(T data) {
            boolean more = this.target.write(data);
            this.deepest.accumulateAndGet(this.target.bufferedUnits(), Math::max);
            return more;
        }
    }

    static List<Integer> range(int count) {
        List<Integer> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(i);
        }
        return all;
    }

    static Duration minutes(int n) {
        return Duration.ofMinutes(n);
    }
}
