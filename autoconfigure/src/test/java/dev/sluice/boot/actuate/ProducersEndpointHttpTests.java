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

    private static RestTestClient.ResponseSpec post(RestTestClient client, String name, String body) {
        return client.post().uri("/actuator/producers/" + name).contentType(MediaType.APPLICATION_JSON).body(body)
            .exchange();
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
        void listsEveryGroupProducerAndConsumerWithGroupInstancesOneByOne(@Autowired ProducerRegistry registry) {
            BufferedConsumer<ByteBuffer> download = BufferedConsumer.builder(RecordingSink.<ByteBuffer>limited())
                .weigher(Weigher.bytes()).build();
            try (ProducerRegistry.Registration instance = registry.register("downloads", download)) {
                this.client.get().uri("/actuator/producers").exchange()
                    .expectStatus().isOk()
                    .expectHeader().contentTypeCompatibleWith("application/vnd.spring-boot.actuator.v3+json")
                    .expectBody()
                    .jsonPath("$.groups[*].name").isEqualTo(java.util.List.of("downloads", "feed", "sink"))
                    .jsonPath("$.groups[0].consumers").isEqualTo(1)
                    .jsonPath("$.producers[0].name").isEqualTo("feed")
                    .jsonPath("$.producers[0].group").isEqualTo("feed")
                    .jsonPath("$.producers[0].state").isEqualTo("PRODUCING")
                    .jsonPath("$.producers[0].consumer").isEqualTo("sink")
                    .jsonPath("$.producers[0].pausedTime").isEqualTo("PT0S")
                    .jsonPath("$.consumers[0].name").isEqualTo(instance.name())
                    .jsonPath("$.consumers[0].group").isEqualTo("downloads")
                    .jsonPath("$.consumers[1].name").isEqualTo("sink")
                    .jsonPath("$.consumers[1].highWaterMark").isEqualTo(100)
                    .jsonPath("$.consumers[1].producer").isEqualTo("feed");
            }
        }

        @Test
        void showsOneProducerAndAnUnknownNameIs404WithABodyNamingIt() {
            this.client.get().uri("/actuator/producers/feed").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.name").isEqualTo("feed").jsonPath("$.pauseCount").isEqualTo(0);
            this.client.get().uri("/actuator/producers/nobody").exchange()
                .expectStatus().isNotFound()
                .expectBody()
                .jsonPath("$.status").isEqualTo(404)
                .jsonPath("$.message").isEqualTo("No producer named 'nobody'")
                .jsonPath("$.producer").isEqualTo("nobody");
        }

        @Test
        void refusesWritesByDefault(@Autowired StrictPushProducer feed) {
            post(this.client, "feed", "{\"action\":\"pause\"}").expectStatus().is4xxClientError();
            assertThat(feed.events()).isEmpty();
        }

        @Test
        void healthCountsAndListsNothingStalled() {
            this.client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.components.sluice.status").isEqualTo("UP")
                .jsonPath("$.components.sluice.details.producers").isEqualTo(1)
                .jsonPath("$.components.sluice.details.consumers").isEqualTo(1)
                .jsonPath("$.components.sluice.details.stalledCount").isEqualTo(0);
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
        void pausesResumesAndStopsByNameAndAStoppedProducerIsAConflict(@Autowired StrictPushProducer feed,
                @Autowired ProducerRegistry registry) {
            post(this.client, "feed", "{\"action\":\"pause\"}").expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("PAUSED").jsonPath("$.heldByOperator").isEqualTo(true);
            assertThat(feed.events()).containsExactly("pause");

            post(this.client, "feed", "{\"action\":\"resume\"}").expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("PRODUCING");
            assertThat(feed.events()).containsExactly("pause", "resume");

            post(this.client, "feed", "{\"action\":\"stop\"}").expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("STOPPED");
            assertThat(feed.events()).containsExactly("pause", "resume", "stop");
            assertThat(registry.producer("feed").orElseThrow().state()).isEqualTo(ProducerState.STOPPED);

            for (String action : new String[] { "resume", "pause" }) {
                post(this.client, "feed", "{\"action\":\"" + action + "\"}").expectStatus().isEqualTo(409)
                    .expectBody()
                    .jsonPath("$.status").isEqualTo(409)
                    .jsonPath("$.message").isEqualTo("Cannot " + action + " producer 'feed': it has been stopped; "
                            + "a stopped producer can only be stopped");
            }
            post(this.client, "feed", "{\"action\":\"stop\"}").expectStatus().isOk();
            assertThat(feed.events()).containsExactly("pause", "resume", "stop");
        }

        @Test
        void aBadOrMissingActionIs400ListingTheValidOnesAndAnUnknownNameIs404() {
            post(this.client, "feed", "{\"action\":\"explode\"}").expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.message").isEqualTo("Unknown action 'explode' for producer 'feed'; valid actions are "
                        + "pause, resume, stop")
                .jsonPath("$.validActions").isEqualTo(java.util.List.of("pause", "resume", "stop"));
            post(this.client, "feed", "{}").expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.message").isEqualTo("No action given for producer 'feed'; valid actions are pause, "
                        + "resume, stop");
            post(this.client, "nobody", "{\"action\":\"pause\"}").expectStatus().isNotFound()
                .expectBody().jsonPath("$.message").isEqualTo("No producer named 'nobody'");
        }
    }
}
