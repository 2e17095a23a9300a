package dev.sluice.sample.kafka;

import java.time.Duration;

import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kafka profile end to end over real HTTP: the in-process broker, the feed, the {@code orders} pipe and the
 * rate-limited API served by the app itself.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "sample.files.create=", "sample.kafka.feed-rate=2000", "sample.kafka.api-rate=400" })
@ActiveProfiles("kafka")
class KafkaProfileTests {

    @LocalServerPort
    int port;

    @Autowired
    ProducerRegistry registry;

    @Test
    void ordersFlowFromTheTopicThroughTheRateLimitedApiWhileTheContainerIsPausedByBackPressure() {
        RestClient api = RestClient.create("http://localhost:" + this.port);
        await().atMost(Duration.ofSeconds(60))
            .until(() -> api.get().uri("/api/orders/count").retrieve().body(Long.class) >= 1_000);
        await().atMost(Duration.ofSeconds(30))
            .until(() -> this.registry.producer("kafka:orders").map(ProducerSnapshot::pauseCount).orElse(0L) >= 2);

        ProducerSnapshot orders = this.registry.producer("kafka:orders").orElseThrow();
        assertThat(orders.consumer()).isEqualTo("ordersConsumer");
        assertThat(orders.streaming()).isTrue();
        assertThat(this.registry.bufferView("ordersConsumer").orElseThrow().bufferedUnits())
            .isLessThanOrEqualTo(400 + 200); // high-water mark + one poll batch at the very most
        // the second member of the group: both pipes are listed, and the topic's partitions are split between them
        ProducerSnapshot second = this.registry.producer("kafka:orders-2").orElseThrow();
        assertThat(second.consumer()).isEqualTo("ordersConsumer2");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> this.registry.producer("kafka:orders-2").map(ProducerSnapshot::unitsWritten).orElse(0L) > 0
                    && this.registry.producer("kafka:orders").map(ProducerSnapshot::unitsWritten).orElse(0L) > 0);
    }
}
