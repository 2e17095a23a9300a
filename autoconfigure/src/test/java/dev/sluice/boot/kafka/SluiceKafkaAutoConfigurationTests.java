package dev.sluice.boot.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.autoconfigure.SluiceAutoConfiguration;
import dev.sluice.autoconfigure.SluiceKafkaAutoConfiguration;
import dev.sluice.boot.SluiceConfigurationException;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSinks;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SluiceKafkaAutoConfigurationTests {

    private static EmbeddedKafkaKraftBroker broker;

    private static final Set<String> delivered = ConcurrentHashMap.newKeySet();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceKafkaAutoConfiguration.class))
        .withPropertyValues("sluice.pipes.orders.producer=kafka:orders", "sluice.pipes.orders.consumer=ordersConsumer");

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.afterPropertiesSet();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.getBrokersAsString()))) {
            admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                KafkaTestUtils.producerProps(broker.getBrokersAsString()), new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < 1_000; i++) {
                producer.send(new ProducerRecord<>("orders", Integer.toString(i), "order " + i));
            }
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.destroy();
    }

    static ConcurrentMessageListenerContainer<String, String> container(String id, AckMode mode) {
        Map<String, Object> props = KafkaTestUtils.consumerProps(broker.getBrokersAsString(), "orders-" + id);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ContainerProperties properties = new ContainerProperties("orders");
        properties.setAckMode(mode);
        ConcurrentMessageListenerContainer<String, String> container = new ConcurrentMessageListenerContainer<>(
                new DefaultKafkaConsumerFactory<>(props, new StringDeserializer(), new StringDeserializer()),
                properties);
        container.setBeanName(id);
        return container;
    }

    @Configuration(proxyBeanMethods = false)
    static class OrdersConsumer {

        @Bean
        BufferedConsumer<KafkaRecord<String, String>> ordersConsumer() {
            AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(record -> {
                delivered.add(record.key());
                return CompletableFuture.completedFuture(null);
            }).build();
            return sink.bind(BufferedConsumer.builder(sink)
                .name("ordersConsumer")
                .weigher(Weigher.items())
                .waterMarks(new WaterMarks(100, 50))
                .build());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ManualContainer {

        @Bean
        ConcurrentMessageListenerContainer<String, String> orders() {
            return container("orders", AckMode.MANUAL);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BatchContainer {

        @Bean
        ConcurrentMessageListenerContainer<String, String> orders() {
            return container("orders", AckMode.BATCH);
        }
    }

    @Test
    void aPipeFedByAListenerContainerDeliversEveryRecordAndIsInTheRegistry() {
        this.contextRunner.withUserConfiguration(OrdersConsumer.class, ManualContainer.class).run(context -> {
            assertThat(context).hasNotFailed();
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() == 1_000);
            ProducerRegistry registry = context.getBean(ProducerRegistry.class);
            assertThat(registry.producer("kafka:orders")).get()
                .extracting(ProducerSnapshot::name)
                .isEqualTo("kafka:orders");
            assertThat(registry.consumer("ordersConsumer")).isPresent();
        });
    }

    @Test
    void anUnknownListenerIdFailsStartUpNamingTheProperty() {
        this.contextRunner.withUserConfiguration(OrdersConsumer.class)
            .withPropertyValues("sluice.pipes.orders.producer=kafka:ordres")
            .run(context -> assertThat(context).hasFailed()
                .getFailure()
                .rootCause()
                .isInstanceOf(SluiceConfigurationException.class)
                .hasMessageContaining("sluice.pipes.orders.producer")
                .hasMessageContaining("no Kafka listener container with id 'ordres'"));
    }

    @Test
    void aContainerNotInManualAckModeFailsStartUpNamingTheProperty() {
        this.contextRunner.withUserConfiguration(OrdersConsumer.class, BatchContainer.class)
            .run(context -> assertThat(context).hasFailed()
                .getFailure()
                .rootCause()
                .isInstanceOf(SluiceConfigurationException.class)
                .hasMessageContaining("sluice.pipes.orders.producer")
                .hasMessageContaining("BATCH")
                .hasMessageContaining("AckMode MANUAL"));
    }
}
