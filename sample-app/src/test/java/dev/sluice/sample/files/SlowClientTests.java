package dev.sluice.sample.files;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.autoconfigure.SluiceProperties;
import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.registry.RegistryListener;
import dev.sluice.sample.RawHttp;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that read slowly or go away: the download's producer is paused rather than the heap filled, and a client
 * that hangs up stops it and closes the file.
 */
class SlowClientTests extends DownloadTestSupport {

    private static final String FILE = "64MiB.bin";

    @Autowired
    private RestTestClient client;

    @Autowired
    private SluiceProperties sluice;

    /**
     * The client reads 1 MiB, then nothing until the producer is paused, then reads until it is resumed. Meanwhile a
     * sampler reads the consumer's buffer every 0.1 ms: it never holds more than the high-water mark plus one chunk.
     */
    @Test
    void aSlowClientPausesTheDownloadAndItsBufferStaysBounded() throws Exception {
        long bound = this.sluice.waterMarks(DownloadController.GROUP).high()
                + this.sluice.getFile().getChunkSize().toBytes();
        AtomicLong deepest = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                this.registry.consumers().stream()
                    .filter(consumer -> DownloadController.GROUP.equals(consumer.group()))
                    .map(ConsumerSnapshot::bufferedUnits)
                    .forEach(depth -> deepest.accumulateAndGet(depth, Math::max));
                LockSupport.parkNanos(100_000);
            }
        }, "buffer-sampler");
        sampler.start();
        try (RawHttp download = RawHttp.get(this.port, "/files/" + FILE, 32 * 1024)) {
            assertThat(download.status()).isEqualTo(200);
            download.skip(1024 * 1024);

            String producer = await().atMost(Duration.ofSeconds(20))
                .until(() -> Probe.runningDownload(this.registry)
                    .filter(snapshot -> snapshot.state() == ProducerState.PAUSED)
                    .map(ProducerSnapshot::name)
                    .orElse(null), java.util.Objects::nonNull);
            while (Probe.producer(this.registry, producer).state() == ProducerState.PAUSED) {
                assertThat(download.skip(64 * 1024)).isPositive(); // read on until it resumes
            }

            assertThat(Probe.producer(this.registry, producer).pauseCount()).isPositive();
            this.client.get().uri("/actuator/metrics/sluice.producer.paused?tag={tag}",
                    "producer:" + DownloadController.GROUP)
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.measurements[?(@.statistic=='COUNT')].value")
                .value(count -> assertThat(count.toString()).doesNotContain("[0.0]")); // tagged by group only
        }
        finally {
            sampling.set(false);
            sampler.join();
        }
        assertThat(deepest.get()).isPositive().isLessThanOrEqualTo(bound);
        Probe.awaitIdle(this.downloads);
    }

    /**
     * The client reads half the file and hangs up: within seconds the producer is stopped (the registry sees it
     * stop), the download leaves the registry, and the file is no longer open.
     */
    @Test
    void aClientThatHangsUpHalfWayStopsTheProducerAndTheFileIsClosed() throws Exception {
        Path file = this.catalog.find(FILE).orElseThrow();
        AtomicBoolean stopped = new AtomicBoolean();
        RegistryListener listener = event -> {
            if (event instanceof RegistryEvent.StateChanged changed
                    && changed.name().startsWith(DownloadController.GROUP + "#")
                    && changed.to() == ProducerState.STOPPED) {
                stopped.set(true);
            }
        };
        this.registry.addListener(listener);
        try {
            try (RawHttp download = RawHttp.get(this.port, "/files/" + FILE, 32 * 1024)) {
                assertThat(download.skip(32L * 1024 * 1024)).isEqualTo(32L * 1024 * 1024);
                assertThat(Probe.openDescriptors(file)).isNotZero();
                assertThat(Probe.runningDownload(this.registry)).isPresent();
            }
            // Tomcat learns of the hang-up on its next write attempt or poll: usually at once, once seen after ~10 s
            await().atMost(Duration.ofSeconds(30)).untilTrue(stopped);
            await().atMost(Duration.ofSeconds(10)).until(() -> Probe.runningDownload(this.registry).isEmpty()
                    && this.registry.consumers().stream()
                        .noneMatch(consumer -> DownloadController.GROUP.equals(consumer.group())));
            Probe.awaitClosed(file);
            assertThat(this.downloads.running()).isZero();
        }
        finally {
            this.registry.removeListener(listener);
        }
    }
}
