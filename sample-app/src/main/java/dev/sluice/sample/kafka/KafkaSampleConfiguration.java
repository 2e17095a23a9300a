package dev.sluice.sample.kafka;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSinks;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

/**
 * The {@code kafka} profile: a Kafka broker in this process, a feed that keeps filling its {@code orders} topic, and
 * the {@code orders} and {@code orders-2} pipes of {@code application-kafka.yml}, two members of one consumer group
 * (as two instances of the application would be) that share the topic's partitions and take them through an
 * {@link AsyncSink} into the rate-limited {@link OrdersApi} served by this app. The API is slower than the feed, so the listener container is
 * paused and resumed by back-pressure (watch {@code kafka:orders} on the live page), and each record's offset is
 * committed only after the API has answered for it.
 */
@Configuration(proxyBeanMethods = false)
@Profile("kafka")
@EnableConfigurationProperties(KafkaSampleProperties.class)
class KafkaSampleConfiguration {

    /** A one-node KRaft cluster on a random loopback port, with the orders topic; it stops after everything else. */
    @Bean(destroyMethod = "stop")
    InProcessBroker kafkaBroker(KafkaSampleProperties properties) {
        return new InProcessBroker(properties.partitions(), properties.topic());
    }

    @Bean(destroyMethod = "stop")
    OrderFeed orderFeed(InProcessBroker kafkaBroker, KafkaSampleProperties properties) {
        return new OrderFeed(kafkaBroker.brokers(), properties.topic(), properties.feedRate());
    }

    /**
     * Where Spring Boot's Kafka auto-configuration finds the broker: the one in this process, whose port is known only
     * once it has started. The {@code orders} listener of {@code application-kafka.yml} is built on the consumer
     * factory that Boot makes with it.
     */
    @Bean
    KafkaConnectionDetails kafkaConnectionDetails(InProcessBroker kafkaBroker) {
        return () -> List.of(kafkaBroker.brokers().split(","));
    }

    /**
     * The {@code orders} pipe's consumer: a buffer of records (water marks from {@code sluice.consumers.ordersConsumer.*},
     * counted in records) drained into the orders API, {@code sample.kafka.max-in-flight} requests at a time. A 5xx or
     * a connection failure is retried with back-off; a 4xx means the order itself is bad and it is skipped.
     */
    @Bean
    BufferedConsumer<KafkaRecord<String, String>> ordersConsumer(BufferedConsumerFactory consumers,
            KafkaSampleProperties properties, Environment environment) {
        return ordersInto("ordersConsumer", consumers, properties, environment);
    }

    /**
     * The {@code orders-2} pipe's consumer, as {@link #ordersConsumer}: a second member of the same consumer group, as
     * a second instance of the application would be, so the topic's partitions are split between the two pipes.
     */
    @Bean
    BufferedConsumer<KafkaRecord<String, String>> ordersConsumer2(BufferedConsumerFactory consumers,
            KafkaSampleProperties properties, Environment environment) {
        return ordersInto("ordersConsumer2", consumers, properties, environment);
    }

    private static BufferedConsumer<KafkaRecord<String, String>> ordersInto(String name,
            BufferedConsumerFactory consumers, KafkaSampleProperties properties, Environment environment) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(
                record -> post(http, environment, record))
            .name(name + "-api")
            .maxInFlight(properties.maxInFlight())
            .retry(5, Duration.ofMillis(100), Duration.ofSeconds(2))
            .skipIf(failure -> failure instanceof RejectedOrderException)
            .build();
        return sink.bind(consumers.builder(name, sink).weigher(Weigher.items()).build());
    }

    private static CompletionStage<?> post(HttpClient http, Environment environment, KafkaRecord<String, String> record) {
        String port = environment.getProperty("local.server.port", "8080");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/orders"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString(record.value()))
            .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenCompose(response -> {
            int status = response.statusCode();
            if (status >= 400 && status < 500) {
                return CompletableFuture.failedFuture(new RejectedOrderException(record, status));
            }
            if (status >= 500) {
                return CompletableFuture.failedFuture(new IOException("Orders API answered " + status));
            }
            return CompletableFuture.completedFuture(response);
        });
    }

    /** The API refused an order as invalid: retrying would not help. */
    static final class RejectedOrderException extends RuntimeException {

        RejectedOrderException(KafkaRecord<String, String> record, int status) {
            super("Orders API refused " + record + " with " + status);
        }
    }
}
