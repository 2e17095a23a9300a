package dev.sluice.boot.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.Weigher;
import dev.sluice.autoconfigure.SluiceAutoConfiguration;
import dev.sluice.autoconfigure.SluiceKafkaAutoConfiguration;
import dev.sluice.autoconfigure.StartupReports;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSinks;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Kafka pipe from {@code application.yml} and one sink bean, no listener container bean: the listener is declared
 * under {@code sluice.kafka.listeners.<id>} and built on Spring Boot's consumer factory ({@code spring.kafka.*}), on a
 * real broker in the process. Bad declarations fail start-up with Spring Boot's failure report naming the property.
 */
@ExtendWith(OutputCaptureExtension.class)
class KafkaListenersFromPropertiesTests {

    @TempDir
    Path dir;

    /** The README's example, apart from the broker's address, the topic and the group. */
    private static String readmeYaml(String topic, String group) {
        return """
                spring:
                  kafka:
                    bootstrap-servers: %s
                    consumer:
                      auto-offset-reset: earliest
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topics: %s
                        group-id: %s
                        concurrency: 2
                        poll-batch: 50
                        properties:
                          isolation.level: read_committed
                  consumers:
                    ordersConsumer:
                      high-water-items: 400
                      low-water-items: 100
                  pipes:
                    orders:
                      producer: kafka:orders
                      consumer: ordersConsumer
                """.formatted(KafkaTestBroker.brokers(), topic, group);
    }

    @Test
    void aPipeReadsAListenerDeclaredInYamlIntoTheOneSinkBeanAndCommitsEverythingOnAGracefulStop() throws Exception {
        KafkaTestBroker.fill("yml-orders", 2, 2_000);
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        OrdersSink.delivered = delivered;
        try (ConfigurableApplicationContext context = start(readmeYaml("yml-orders", "yml-group"), OrdersSink.class)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> delivered.size() == 2_000);

            ProducerSnapshot orders = context.getBean(ProducerRegistry.class).producer("kafka:orders").orElseThrow();
            assertThat(orders.consumer()).isEqualTo("ordersConsumer");
            assertThat(orders.streaming()).isTrue();
            try (Admin admin = KafkaTestBroker.admin()) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(Set.of("yml-group"))
                    .describedGroups()
                    .get("yml-group")
                    .get(30, TimeUnit.SECONDS);
                assertThat(group.members()).as("concurrency: 2 Kafka consumers in group-id yml-group").hasSize(2);
            }
        }
        assertThat(KafkaTestBroker.committed("yml-group")).isEqualTo(Map.of(0, 1_000L, 1, 1_000L));
    }

    @Test
    void springKafkaListenerSettingsApplyToAListenerDeclaredInYamlAndAStopIsLoggedOnce(CapturedOutput output) {
        KafkaTestBroker.fill("yml-boot-listener", 2, 100);
        OrdersSink.delivered = ConcurrentHashMap.newKeySet();
        String yaml = """
                spring:
                  kafka:
                    bootstrap-servers: %s
                    consumer:
                      auto-offset-reset: earliest
                    listener:
                      poll-timeout: 1234ms
                      idle-event-interval: 7s
                      concurrency: 3
                      ack-mode: batch
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topics: yml-boot-listener
                        group-id: yml-boot-listener
                  pipes:
                    orders:
                      producer: kafka:orders
                      consumer: ordersConsumer
                """.formatted(KafkaTestBroker.brokers());
        int before = output.getOut().length();
        try (ConfigurableApplicationContext context = start(yaml, OrdersSink.class)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> OrdersSink.delivered.size() == 100);
            ConcurrentMessageListenerContainer<Object, Object> container = context.getBean(
                    KafkaListenerContainers.class).build("orders");
            ContainerProperties properties = container.getContainerProperties();
            assertThat(properties.getPollTimeout()).as("spring.kafka.listener.poll-timeout").isEqualTo(1234);
            assertThat(properties.getIdleEventInterval()).as("spring.kafka.listener.idle-event-interval")
                .isEqualTo(7_000);
            assertThat(container.getConcurrency()).as("spring.kafka.listener.concurrency").isEqualTo(3);
            assertThat(properties.getAckMode()).as("a pipe's own ack mode").isEqualTo(AckMode.MANUAL);
        }
        String printed = output.getOut().substring(before);
        assertThat(printed.split("pipe 'orders' stopped", -1)).as("lines saying pipe 'orders' stopped").hasSize(2);
        assertThat(printed).contains("Kafka pipe 'orders' stopped: drained");
    }

    @Test
    void aShutdownThatTimesOutNamesTheFirstUnacknowledgedOffsetOfEachPartitionOnce(CapturedOutput output) {
        KafkaTestBroker.fill("yml-never-acked", 2, 100);
        NeverAcks.taken = ConcurrentHashMap.newKeySet();
        String yaml = """
                spring:
                  kafka:
                    bootstrap-servers: %s
                    consumer:
                      auto-offset-reset: earliest
                sluice:
                  shutdown:
                    timeout: 2s
                  kafka:
                    listeners:
                      orders:
                        topics: yml-never-acked
                        group-id: yml-never-acked
                  pipes:
                    orders:
                      producer: kafka:orders
                      consumer: ordersConsumer
                """.formatted(KafkaTestBroker.brokers());
        int before = output.getOut().length();
        ConfigurableApplicationContext context = start(yaml, NeverAcks.class);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> NeverAcks.taken.size() == 100);
        }
        finally {
            context.close();
        }
        String printed = output.getOut().substring(before);
        assertThat(printed.split("did not drain within sluice.shutdown.timeout", -1)).as("timeout reports")
            .hasSize(2);
        assertThat(printed).contains("Kafka pipe 'orders' did not drain within sluice.shutdown.timeout: 100 record(s) "
                + "not committed, which the group's next consumer receives again: [yml-never-acked-0 from offset 0 "
                + "(50 record(s)), yml-never-acked-1 from offset 0 (50 record(s))]");
        assertThat(KafkaTestBroker.committed("yml-never-acked")).isEmpty();
    }

    @Test
    void aListenerWithoutTopicsFailsStartUpNamingTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  kafka:
                    listeners:
                      orders:
                        group-id: orders
                  pipes:
                    orders:
                      producer: kafka:orders
                      consumer: ordersConsumer
                """);
        assertThat(report).contains("Property: sluice.kafka.listeners.orders.topics")
            .contains("Reason: is required: name the topics the listener reads");
    }

    @Test
    void aTopicThatDoesNotExistFailsStartUpNamingTheProperty(CapturedOutput output) {
        KafkaTestBroker.fill("yml-known", 1, 1);
        String report = startupFailure(output, """
                spring.kafka.bootstrap-servers: %s
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topics: yml-known, yml-nosuchtopic
                  pipes:
                    orders:
                      producer: kafka:orders
                      consumer: ordersConsumer
                """.formatted(KafkaTestBroker.brokers()));
        assertThat(report).contains("Property 'sluice.kafka.listeners.orders.topics' names topics that do not exist: "
                + "[yml-nosuchtopic]")
            .contains("set sluice.kafka.listeners.orders.check-topics=false");
    }

    @Test
    void anUnreachableBrokerFailsTheTopicCheckWithinItsFifteenSeconds(CapturedOutput output) {
        long start = System.nanoTime();
        // the consumer's own setting: other tests of this module set spring.kafka.bootstrap-servers as a system property
        String report = startupFailure(output, """
                spring.kafka.consumer.bootstrap-servers: localhost:1
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topics: orders
                  pipes:
                    orders:
                      producer: kafka:orders
                      consumer: ordersConsumer
                """);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertThat(report).contains("Property 'sluice.kafka.listeners.orders.topics' could not be checked within 15 s");
        assertThat(seconds).as("seconds until start-up failed").isLessThan(25);
    }

    @Test
    void aListenerThatNoPipeReadsFailsStartUpNamingTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                spring.kafka.bootstrap-servers: %s
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topics: orders
                      invoices:
                        topics: invoices
                  pipes:
                    orders:
                      producer: kafka:orders
                      consumer: ordersConsumer
                """.formatted(KafkaTestBroker.brokers()));
        assertThat(report).contains("Property 'sluice.kafka.listeners.invoices' declares a Kafka listener that no "
                + "pipe reads").contains("Set sluice.pipes.<name>.producer: kafka:invoices");
    }

    @Test
    void anUnknownListenerIdFailsStartUpListingTheDeclaredOnes(CapturedOutput output) {
        String report = startupFailure(output, """
                spring.kafka.bootstrap-servers: %s
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topics: orders
                  pipes:
                    orders:
                      producer: kafka:ordres
                      consumer: ordersConsumer
                """.formatted(KafkaTestBroker.brokers()));
        assertThat(report).contains("Property 'sluice.pipes.orders.producer' names no Kafka listener container with "
                + "id 'ordres'").contains("Known listener ids: [orders]");
    }

    @Test
    void aListenerWithoutSpringBootsKafkaSupportFailsStartUpNamingTheProperty(CapturedOutput output) {
        String report = startupFailure(output, """
                sluice:
                  kafka:
                    listeners:
                      orders:
                        topics: orders
                  pipes:
                    orders:
                      producer: kafka:orders
                      consumer: ordersConsumer
                """, WithoutBootKafka.class);
        assertThat(report).contains("Property 'sluice.kafka.listeners.orders' declares a Kafka listener, but the "
                + "application has no single Kafka ConsumerFactory").contains("spring-boot-starter-kafka");
    }

    private ConfigurableApplicationContext start(String yaml, Class<?>... sources) {
        return StartupReports.start(this.dir, yaml, sources);
    }

    private String startupFailure(CapturedOutput output, String yaml, Class<?>... sources) {
        return StartupReports.startupFailure(output, this.dir, yaml, (sources.length > 0) ? sources
                : new Class<?>[] { OrdersSink.class, WithBootKafka.class });
    }

    /** Spring Boot's Kafka auto-configuration and Sluice's. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ KafkaAutoConfiguration.class, SluiceAutoConfiguration.class,
            SluiceKafkaAutoConfiguration.class })
    static class WithBootKafka {
    }

    /** Sluice's auto-configuration only: no ConsumerFactory. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ SluiceAutoConfiguration.class, SluiceKafkaAutoConfiguration.class })
    static class WithoutBootKafka {

        @Bean
        BufferedConsumer<KafkaRecord<String, String>> ordersConsumer(BufferedConsumerFactory consumers) {
            AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(
                    record -> CompletableFuture.completedFuture(null)).build();
            return sink.bind(consumers.builder("ordersConsumer", sink).weigher(Weigher.items()).build());
        }
    }

    /** A sink that takes every record and never acknowledges one. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ KafkaAutoConfiguration.class, SluiceAutoConfiguration.class,
            SluiceKafkaAutoConfiguration.class })
    static class NeverAcks {

        static Set<String> taken = ConcurrentHashMap.newKeySet();

        @Bean
        BufferedConsumer<KafkaRecord<String, String>> ordersConsumer(BufferedConsumerFactory consumers) {
            Set<String> into = taken;
            Sink<KafkaRecord<String, String>> keep = record -> into.add(record.key());
            return consumers.builder("ordersConsumer", keep, Weigher.items()).build();
        }
    }

    /** The one sink bean of the README's example, with an API that answers each call on another thread. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ KafkaAutoConfiguration.class, SluiceAutoConfiguration.class,
            SluiceKafkaAutoConfiguration.class })
    static class OrdersSink {

        static Set<String> delivered = ConcurrentHashMap.newKeySet();

        @Bean
        BufferedConsumer<KafkaRecord<String, String>> ordersConsumer(BufferedConsumerFactory consumers) {
            Set<String> into = delivered;
            AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(record -> CompletableFuture
                .runAsync(() -> into.add(record.key()), CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS)))
                .maxInFlight(16)
                .build();
            return sink.bind(consumers.builder("ordersConsumer", sink).weigher(Weigher.items()).build());
        }
    }
}
