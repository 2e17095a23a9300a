package dev.sluice.sample.firehose;

import java.time.Duration;

import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.sample.SampleAppTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The firehose pipe runs from start-up: its producer is paused and resumed over and over (the saw-tooth), which
 * the registry and {@code sluice.producer.paused} show, while its buffer stays within the high-water mark and one
 * chunk.
 */
@SampleAppTest
class FirehoseTests {

    @Autowired
    private ProducerRegistry registry;

    @Autowired
    private PacedSink firehoseSink;

    @Autowired
    private RestTestClient client;

    @Test
    void theFirehoseIsPausedAndResumedAndItsBufferStaysBounded() {
        await().atMost(Duration.ofSeconds(20)).until(() -> firehose().pauseCount() >= 2);
        ConsumerSnapshot consumer = this.registry.consumer("firehoseConsumer").orElseThrow();
        assertThat(consumer.producer()).isEqualTo("firehoseProducer");
        assertThat(consumer.bufferedUnits()).isLessThanOrEqualTo(consumer.highWaterMark() + 4 * 1024);
        assertThat(firehose().unitsWritten()).isGreaterThan(consumer.highWaterMark());
        assertThat(this.firehoseSink.taken()).isPositive();

        this.client.get().uri("/actuator/metrics/sluice.producer.paused?tag=producer:firehoseProducer").exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.measurements[?(@.statistic=='COUNT')].value")
            .value(count -> assertThat(count.toString()).doesNotContain("[0.0]"));
        this.client.get().uri("/actuator/metrics/sluice.consumer.buffer.limit?tag=consumer:firehoseConsumer")
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.measurements[0].value").isEqualTo(512.0 * 1024);
    }

    private ProducerSnapshot firehose() {
        return this.registry.producer("firehoseProducer").orElseThrow();
    }
}
