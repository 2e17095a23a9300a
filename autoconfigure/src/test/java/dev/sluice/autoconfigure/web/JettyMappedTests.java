package dev.sluice.autoconfigure.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.servlet.HttpTransfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * File bodies on Jetty over plain HTTP: memory-mapped slices written by reference (Jetty has no sendfile). Byte-exact
 * whole files and ranges, the path taken (one line per transfer, and no heap chunk: the consumer holds at most one
 * mapped slice, never file bytes read into the heap), an instance of the registry group while it runs (its sent count
 * moving, the instance leaving at the end), an operator's stop, and a file truncated mid-transfer, between slices and
 * under the slice being written, failing loudly with the response aborted, never completed short.
 */
@JettyTransferTest
class JettyMappedTests {

    private static final int KIB = 1024;

    private static final int MIB = 1024 * 1024;

    /** The most a transfer on this path maps at once (MappedRegionProducer's slice, plus a merged short tail). */
    private static final long SLICE = 4 * MIB + 64 * KIB;

    private static final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private ProducerRegistry registry;

    @Autowired
    private HttpTransfers transfers;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void captureTheLog() {
        await().until(() -> this.transfers.running() == 0);
        this.log.start();
        sluice().addAppender(this.log);
    }

    @AfterEach
    void stopCapturing() {
        sluice().detachAppender(this.log);
        this.log.stop();
    }

    @Test
    void aWholeFileAndARangeGoFromMappedBuffersByteForByte() throws Exception {
        Path file = TransferTestApp.file("mapped.bin", 9 * MIB + 123);
        byte[] content = Files.readAllBytes(file);

        HttpResponse<byte[]> whole = get("/files/mapped.bin");
        HttpResponse<byte[]> range = get("/files/mapped.bin", "Range", "bytes=1000-200000");
        HttpResponse<byte[]> tail = get("/files/mapped.bin", "Range", "bytes=-5000000");

        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValueAsLong("Content-Length")).hasValue(content.length);
        assertThat(whole.headers().firstValue("ETag")).isPresent();
        assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(whole.body()).isEqualTo(content);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 1000-200000/" + content.length);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 1000, 200001));
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(content, content.length - 5_000_000, content.length));
        await().until(() -> this.transfers.running() == 0);
        assertThat(mappedLines()).hasSize(3);
        assertThat(this.log.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
    }

    @Test
    void headSmallBodiesAndSeveralRangesKeepTheirPaths() throws Exception {
        Path file = TransferTestApp.file("mapped-paths.bin", 2 * MIB);
        byte[] content = Files.readAllBytes(file);

        HttpResponse<byte[]> head = http.send(HttpRequest.newBuilder(uri("/files/mapped-paths.bin"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> small = get("/files/mapped-paths.bin", "Range", "bytes=0-999");
        HttpResponse<byte[]> several = get("/files/mapped-paths.bin", "Range", "bytes=0-99,100000-199999");
        HttpResponse<byte[]> unsatisfiable = get("/files/mapped-paths.bin", "Range", "bytes=" + 3 * MIB + "-");

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(content.length);
        assertThat(head.body()).isEmpty();
        assertThat(small.statusCode()).isEqualTo(206);
        assertThat(small.body()).isEqualTo(Arrays.copyOfRange(content, 0, 1000));
        assertThat(several.statusCode()).isEqualTo(206);
        assertThat(several.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("multipart/byteranges"));
        assertThat(unsatisfiable.statusCode()).isEqualTo(416);
        assertThat(unsatisfiable.headers().firstValue("Content-Range")).hasValue("bytes */" + content.length);
        await().until(() -> this.transfers.running() == 0);
        assertThat(mappedLines()).as("HEAD, a body under 48 KiB and several ranges do not map").isEmpty();
    }

    /**
     * While Jetty writes to slow clients, each transfer is an instance of its group whose sent count moves, whose
     * consumer holds at most one mapped slice (not heap), and which leaves the registry when the body is complete.
     */
    @Test
    void slowClientsAreInstancesOfTheirGroupAndHoldNoHeapChunk() throws Exception {
        TransferTestApp.file("mapped-watched.bin", 32 * MIB);
        List<Wire> clients = new ArrayList<>();
        List<Wire.Checked> received = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Wire client = Wire.send(this.port, 32 * KIB, "GET", "/files/mapped-watched.bin");
                clients.add(client);
                assertThat(client.contentLength()).isEqualTo(32L * MIB);
                client.skip(2 * MIB);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> filesConsumers().size() == 5
                    && filesConsumers().stream().allMatch(consumer -> consumer.sentUnits() >= 2 * MIB));
            for (ConsumerSnapshot consumer : filesConsumers()) {
                assertThat(consumer.group()).isEqualTo("files");
                assertThat(consumer.bufferedUnits()).as("at most one mapped slice waits").isLessThanOrEqualTo(SLICE);
                assertThat(consumer.sentUnits()).as("handed to Jetty: at most one slice ahead of the client")
                    .isLessThan(32L * MIB);
            }
            assertThat(this.registry.producers()).filteredOn(producer -> "files".equals(producer.group()))
                .hasSize(5)
                .allMatch(ProducerSnapshot::streaming);
            for (Wire client : clients) {
                received.add(client.check(0));
            }
        }
        finally {
            for (Wire client : clients) {
                client.close();
            }
        }
        assertThat(received).allSatisfy(checked -> {
            assertThat(checked.complete()).as(checked.how()).isTrue();
            assertThat(checked.firstMismatch()).isEqualTo(-1);
        });
        awaitEnded();
        assertThat(mappedLines()).hasSize(5);
        assertThat(this.log.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
    }

    @Test
    void anOperatorsStopAbortsTheResponse() throws Exception {
        TransferTestApp.file("mapped-stopped.bin", 32 * MIB);
        Wire.Checked received;
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/files/mapped-stopped.bin")) {
            client.skip(MIB);
            assertThat(this.registry.stop(awaitTransfer())).isPresent();
            received = client.check(0);
        }
        awaitEnded();
        assertThat(received.complete()).isFalse();
        assertThat(received.how()).doesNotContain("Timeout");
        assertThat(received.firstMismatch()).isEqualTo(-1);
        assertThat(this.log.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
        assertThat(this.log.list).anyMatch(event -> event.getFormattedMessage().contains("was stopped after"));
    }

    /** Truncated at the end of the slice being written: the next slice is not mapped, the transfer fails. */
    @Test
    void aFileTruncatedBetweenSlicesFailsLoudly() throws Exception {
        truncatedMidTransfer("mapped-shrinks.bin", 4 * MIB);
    }

    /** Truncated under the slice Jetty is writing: the socket write from the mapping fails, the transfer too. */
    @Test
    void aFileTruncatedUnderTheSliceBeingWrittenFailsLoudly() throws Exception {
        truncatedMidTransfer("mapped-shrinks-under.bin", 2 * MIB);
    }

    private void truncatedMidTransfer(String name, long truncatedTo) throws Exception {
        Path file = TransferTestApp.file(name, 32 * MIB);
        Wire.Checked received;
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/files/" + name)) {
            client.skip(MIB);
            awaitTransfer();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(truncatedTo);
            }
            received = client.check(0);
        }
        awaitEnded();
        assertThat(received.complete()).as(received.how()).isFalse();
        assertThat(received.how()).doesNotContain("Timeout");
        assertThat(received.bodyBytes()).isLessThan(32L * MIB);
        assertThat(received.firstMismatch()).isEqualTo(-1);
        assertThat(this.log.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).singleElement()
            .satisfies(event -> assertThat(event.getFormattedMessage()).contains(name + " changed size",
                    "now " + truncatedTo + " bytes", "the response is aborted"));
    }

    private List<ConsumerSnapshot> filesConsumers() {
        return this.registry.consumers().stream().filter(consumer -> "files".equals(consumer.group())).toList();
    }

    private List<String> mappedLines() {
        return this.log.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(line -> line.contains("goes by memory-mapped writes"))
            .toList();
    }

    private String awaitTransfer() {
        return await().atMost(Duration.ofSeconds(20)).until(() -> this.registry.producers().stream()
            .filter(snapshot -> "files".equals(snapshot.group()))
            .map(ProducerSnapshot::name)
            .findFirst()
            .orElse(null), Objects::nonNull);
    }

    private void awaitEnded() {
        await().atMost(Duration.ofSeconds(30)).until(() -> this.transfers.running() == 0);
        assertThat(this.registry.producers()).noneMatch(producer -> "files".equals(producer.group()));
        assertThat(this.registry.consumers()).noneMatch(consumer -> "files".equals(consumer.group()));
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + this.port + path);
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Logger sluice() {
        return (Logger) LoggerFactory.getLogger("dev.sluice");
    }
}
