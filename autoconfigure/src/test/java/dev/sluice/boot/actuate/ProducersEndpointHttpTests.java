package dev.sluice.boot.actuate;

import java.nio.ByteBuffer;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerState;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code producers} endpoint and the {@code sluice} health contributor over real HTTP. */
class ProducersEndpointHttpTests {

    @SpringBootApplication
    static class App {

        @Bean
        StrictPushProducer feed() {
            return new StrictPushProducer();
        }

        @Bean
        BufferedConsumer<ByteBuffer> sink() {
            return BufferedConsumer.builder(RecordingSink.<ByteBuffer>limited()).name("sink")
                .weigher(Weigher.bytes()).waterMarks(new WaterMarks(100, 50)).build();
        }
    }

    @Nested
    @SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "management.endpoints.web.exposure.include=producers,health",
                    "management.endpoint.health.show-details=always", "sluice.pipes.main.producer=feed",
                    "sluice.pipes.main.consumer=sink" })
    @AutoConfigureRestTestClient
    class ReadOnlyByDefault {

        @Autowired
        private RestTestClient client;

        @Test
        void listsEveryProducerAndConsumer() {
            this.client.get().uri("/actuator/producers").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.producers[0].name").isEqualTo("feed")
                .jsonPath("$.producers[0].state").isEqualTo("PRODUCING")
                .jsonPath("$.producers[0].consumer").isEqualTo("sink")
                .jsonPath("$.consumers[0].name").isEqualTo("sink")
                .jsonPath("$.consumers[0].highWaterMark").isEqualTo(100)
                .jsonPath("$.consumers[0].producer").isEqualTo("feed");
        }

        @Test
        void showsOneProducerAnd404ForAnUnknownName() {
            this.client.get().uri("/actuator/producers/feed").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.name").isEqualTo("feed").jsonPath("$.pauseCount").isEqualTo(0);
            this.client.get().uri("/actuator/producers/nobody").exchange().expectStatus().isNotFound();
        }

        @Test
        void refusesWritesByDefault(@Autowired StrictPushProducer feed) {
            this.client.post().uri("/actuator/producers/feed").contentType(MediaType.APPLICATION_JSON)
                .body("{\"action\":\"pause\"}").exchange()
                .expectStatus().is4xxClientError();
            assertThat(feed.events()).isEmpty();
        }

        @Test
        void healthShowsTheProducers() {
            this.client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.components.sluice.status").isEqualTo("UP")
                .jsonPath("$.components.sluice.details.producers.feed.state").isEqualTo("PRODUCING");
        }
    }

    @Nested
    @SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "management.endpoints.web.exposure.include=producers",
                    "management.endpoint.producers.access=unrestricted", "sluice.pipes.main.producer=feed",
                    "sluice.pipes.main.consumer=sink" })
    @AutoConfigureRestTestClient
    class WithWriteAccess {

        @Autowired
        private RestTestClient client;

        @Test
        void pausesResumesAndStopsByName(@Autowired StrictPushProducer feed, @Autowired ProducerRegistry registry) {
            this.client.post().uri("/actuator/producers/feed").contentType(MediaType.APPLICATION_JSON)
                .body("{\"action\":\"pause\"}").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("PAUSED").jsonPath("$.heldByOperator").isEqualTo(true);
            assertThat(feed.events()).containsExactly("pause");

            this.client.post().uri("/actuator/producers/feed").contentType(MediaType.APPLICATION_JSON)
                .body("{\"action\":\"resume\"}").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("PRODUCING");
            assertThat(feed.events()).containsExactly("pause", "resume");

            this.client.post().uri("/actuator/producers/feed").contentType(MediaType.APPLICATION_JSON)
                .body("{\"action\":\"stop\"}").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("STOPPED");
            assertThat(feed.events()).containsExactly("pause", "resume", "stop");
            assertThat(registry.producer("feed").orElseThrow().state()).isEqualTo(ProducerState.STOPPED);
        }

        @Test
        void aBadActionIs400AndAnUnknownNameIs404() {
            this.client.post().uri("/actuator/producers/feed").contentType(MediaType.APPLICATION_JSON)
                .body("{\"action\":\"explode\"}").exchange()
                .expectStatus().isBadRequest();
            this.client.post().uri("/actuator/producers/nobody").contentType(MediaType.APPLICATION_JSON)
                .body("{\"action\":\"pause\"}").exchange()
                .expectStatus().isNotFound();
        }
    }
}
