package dev.sluice.sample;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;

@SampleAppTest
class SampleApplicationTests {

    @Autowired
    private RestTestClient client;

    @Test
    void healthEndpointAnswersUp() {
        this.client.get().uri("/actuator/health").exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void theLivePageIsServedAtTheRoot() {
        String page = this.client.get().uri("/").exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("<canvas").contains("actuator/producers");
    }

    @Test
    void theProducersEndpointShowsTheFirehosePipe() {
        this.client.get().uri("/actuator/producers").exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.producers[?(@.name=='firehoseProducer')].consumer").isEqualTo("firehoseConsumer")
            .jsonPath("$.consumers[?(@.name=='firehoseConsumer')].highWaterMark").isEqualTo(512 * 1024);
    }

    @Test
    void prometheusScrapesTheSluiceMeters() {
        String scrape = this.client.get().uri("/actuator/prometheus").exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
        assertThat(scrape).contains("sluice_consumer_buffer_depth_bytes{consumer=\"firehoseConsumer\"");
    }

    @Test
    void operatorWritesAreOffByDefault() {
        this.client.post().uri("/actuator/producers/firehoseProducer")
            .contentType(MediaType.APPLICATION_JSON)
            .body("{\"action\":\"stop\"}")
            .exchange()
            .expectStatus().is4xxClientError();
    }
}
