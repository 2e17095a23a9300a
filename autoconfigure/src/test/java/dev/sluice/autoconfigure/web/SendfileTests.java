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
 * File bodies by Tomcat's sendfile over plain HTTP: byte-exact whole files and ranges, an instance of the registry
 * group while the kernel sends (its sent count moving), an operator's stop, and a file truncated mid-transfer failing
 * loudly with the connection closed short.
 */
@TransferTest
class SendfileTests {

    private static final int KIB = 1024;

    private static final int MIB = 1024 * 1024;

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
    void aWholeFileAndARangeGoByTheKernelByteForByte() throws Exception {
        Path file = TransferTestApp.file("kernel.bin", 8 * MIB + 123);
        byte[] content = Files.readAllBytes(file);

        HttpResponse<byte[]> whole = get("/files/kernel.bin");
        HttpResponse<byte[]> range = get("/files/kernel.bin", "Range", "bytes=1000-200000");

        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValueAsLong("Content-Length")).hasValue(content.length);
        assertThat(whole.body()).isEqualTo(content);
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 1000-200000/" + content.length);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 1000, 200001));
        await().until(() -> this.transfers.running() == 0);
        assertThat(kernelLines()).hasSize(2);
        assertThat(this.log.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
    }

    /** While the kernel sends to a slow client, the transfer is an instance of its group, and its sent count moves. */
    @Test
    void aKernelTransferIsInTheRegistryWhileItRuns() throws Exception {
        Path file = TransferTestApp.file("watched.bin", 32 * MIB);
        Wire.Checked received;
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/files/watched.bin")) {
            assertThat(client.contentLength()).isEqualTo(32L * MIB);
            client.skip(2 * MIB);
            String name = awaitTransfer();
            ConsumerSnapshot consumer = await().until(() -> this.registry.consumers().stream()
                .filter(snapshot -> name.equals(snapshot.producer()))
                .findFirst()
                .orElse(null), snapshot -> snapshot != null && snapshot.sentUnits() >= MIB);
            assertThat(consumer.group()).isEqualTo("files");
            assertThat(consumer.bufferedUnits()).as("nothing is buffered: the socket is the consumer").isZero();
            assertThat(consumer.sentUnits()).isLessThan(32L * MIB);
            received = client.check(0);
        }
        assertThat(received.complete()).as(received.how()).isTrue();
        assertThat(received.firstMismatch()).isEqualTo(-1);
        awaitEnded();
        assertThat(kernelLines()).hasSize(1);
        assertThat(this.log.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
    }

    @Test
    void anOperatorsStopClosesTheConnection() throws Exception {
        TransferTestApp.file("kernel-stopped.bin", 32 * MIB);
        Wire.Checked received;
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/files/kernel-stopped.bin")) {
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

    @Test
    void aFileTruncatedMidTransferFailsLoudlyAndIsNeverCompletedShort() throws Exception {
        Path file = TransferTestApp.file("kernel-shrinks.bin", 32 * MIB);
        Wire.Checked received;
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/files/kernel-shrinks.bin")) {
            client.skip(MIB);
            awaitTransfer();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(4L * MIB);
            }
            received = client.check(0);
        }
        awaitEnded();
        assertThat(received.complete()).isFalse();
        assertThat(received.how()).doesNotContain("Timeout");
        // what the kernel had put in the socket's buffers before the cut still arrives: the file's bytes of then
        assertThat(received.bodyBytes()).isLessThan(32L * MIB);
        assertThat(received.firstMismatch()).isEqualTo(-1);
        assertThat(this.log.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).singleElement()
            .satisfies(event -> assertThat(event.getFormattedMessage()).contains("kernel-shrinks.bin changed size",
                    "now " + 4 * MIB + " bytes"));
    }

    private List<String> kernelLines() {
        return this.log.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(line -> line.contains("goes by the container's sendfile"))
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

    private HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Logger sluice() {
        return (Logger) LoggerFactory.getLogger("dev.sluice");
    }
}
