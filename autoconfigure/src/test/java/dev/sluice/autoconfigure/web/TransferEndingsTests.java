package dev.sluice.autoconfigure.web;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.registry.ConsumerSnapshot;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.servlet.FileReads;
import dev.sluice.servlet.HttpTransfers;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How transfers end, over real HTTP on a raw socket: a client that hangs up, a file that shrinks (aborted) or grows
 * (sent at its announced length) while it is sent, a producer that fails, an operator's stop; and a hundred slow clients at once with bounded buffers. The log is
 * captured (every logger, from DEBUG for {@code dev.sluice}). Files go by the non-blocking path ({@code /buffered}),
 * whose consumer pauses; {@link SendfileTests} covers the kernel's.
 */
@TransferTest
class TransferEndingsTests {

    private static final int KIB = 1024;

    private static final int MIB = 1024 * 1024;

    /** What one transfer's consumer may hold: the high-water mark plus one chunk (see {@link TransferTest}). */
    private static final long BOUND = 64 * KIB + 16 * KIB;

    @LocalServerPort
    private int port;

    @Autowired
    private ProducerRegistry registry;

    @Autowired
    private HttpTransfers transfers;

    @Autowired
    private FileReads fileReads;

    @Autowired
    private MeterRegistry meters;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void captureTheLog() {
        await().until(() -> this.transfers.running() == 0);
        this.log.start();
        root().addAppender(this.log);
    }

    @AfterEach
    void stopCapturing() {
        root().detachAppender(this.log);
        this.log.stop();
    }

    /**
     * The client reads 1 MiB and hangs up while its transfer is paused: the producer stops, the file is closed, the
     * names leave the registry, and the whole event is one DEBUG line, no WARN.
     */
    @Test
    void aClientThatHangsUpClosesTheFileWithOneDebugLineAndNoWarning() throws Exception {
        Path file = TransferTestApp.file("hangup.bin", 16 * MIB);
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/buffered/hangup.bin")) {
            assertThat(client.status).isEqualTo(200);
            assertThat(client.skip(MIB)).isEqualTo(MIB);
            awaitPaused();
            assertThat(openDescriptors(file)).isPositive();
            assertThat(this.meters.find("sluice.consumer.buffer.depth").tag("consumer", "files").gauge())
                .as("the transfer's meters").isNotNull();
        }
        awaitEnded(file);

        assertThat(eventsAtLeast(Level.WARN)).isEmpty();
        List<String> sluiceLines = this.log.list.stream()
            .filter(event -> event.getLoggerName().startsWith("dev.sluice"))
            .map(event -> event.getLevel() + " " + event.getFormattedMessage())
            .toList();
        assertThat(sluiceLines).singleElement().asString()
            .startsWith("DEBUG Client of 'files' went away after");
    }

    /** The file is cut to half while the client is paused: the client gets the first half and a broken transfer. */
    @Test
    void aFileTruncatedMidTransferAbortsTheResponse() throws Exception {
        Path file = TransferTestApp.file("shrinks.bin", 16 * MIB);
        Wire.Checked received;
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/buffered/shrinks.bin")) {
            assertThat(client.contentLength()).isEqualTo(16L * MIB);
            client.skip(MIB);
            awaitPaused();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(8L * MIB);
            }
            received = client.check(0);
        }
        awaitEnded(file);

        assertThat(received.complete()).isFalse();
        assertThat(received.how()).as("the connection was closed, not left to time out").doesNotContain("Timeout");
        assertThat(received.bodyBytes()).isLessThanOrEqualTo(8L * MIB);
        assertThat(received.firstMismatch()).isEqualTo(-1);
        assertThat(eventsAtLeast(Level.WARN)).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("shrinks.bin changed size during the transfer",
                    "expected 16777216 bytes, now 8388608 bytes");
        });
    }

    /**
     * Bytes are appended while the client is paused (a log file being written): the client gets the announced length,
     * intact, and the transfer ends cleanly.
     */
    @Test
    void aFileGrownMidTransferIsSentAtItsAnnouncedLength() throws Exception {
        Path file = TransferTestApp.file("grows.bin", 4 * MIB);
        Wire.Checked received;
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/buffered/grows.bin")) {
            assertThat(client.contentLength()).isEqualTo(4L * MIB);
            client.skip(MIB);
            awaitPaused();
            Files.write(file, new byte[1000], StandardOpenOption.APPEND);
            received = client.check(0);
        }
        awaitEnded(file);

        assertThat(received.complete()).as(received.how()).isTrue();
        assertThat(received.bodyBytes()).isEqualTo(4L * MIB);
        assertThat(received.firstMismatch()).isEqualTo(-1);
        assertThat(eventsAtLeast(Level.WARN)).isEmpty();
    }

    /** A producer of a chunked body fails after the response was committed: the client never gets the last chunk. */
    @Test
    void aFailingProducerLeavesAChunkedBodyUnterminated() throws Exception {
        Wire.Body body;
        try (Wire client = Wire.send(this.port, "GET", "/failing")) {
            assertThat(client.status).isEqualTo(200);
            assertThat(client.header("Transfer-Encoding")).isEqualTo("chunked");
            body = client.body();
        }
        assertThat(body.complete()).isFalse();
        assertThat(body.how()).doesNotContain("Timeout");
        assertThat(body.bytes().length).isLessThanOrEqualTo(64 * KIB);
        assertThat(eventsAtLeast(Level.WARN)).singleElement()
            .satisfies(event -> assertThat(event.getFormattedMessage()).contains("the source broke"));
        await().until(() -> this.transfers.running() == 0);
    }

    /** An operator stops the transfer through the registry: the response is aborted, without a warning. */
    @Test
    void anOperatorsStopAbortsTheResponse() throws Exception {
        Path file = TransferTestApp.file("stopped.bin", 16 * MIB);
        Wire.Checked received;
        try (Wire client = Wire.send(this.port, 32 * KIB, "GET", "/buffered/stopped.bin")) {
            client.skip(MIB);
            String transfer = awaitPaused();
            assertThat(this.registry.stop(transfer)).isPresent();
            received = client.check(0);
        }
        awaitEnded(file);
        assertThat(received.complete()).isFalse();
        assertThat(received.how()).doesNotContain("Timeout");
        assertThat(received.firstMismatch()).isEqualTo(-1);
        assertThat(eventsAtLeast(Level.WARN)).isEmpty();
    }

    /**
     * A hundred clients, each with a 32 KiB receive buffer, read 64 KiB of an 8 MiB file and stop reading: every
     * transfer pauses, and no consumer ever holds more than its high-water mark plus one chunk (a sampler reads them
     * all, all along). Then all read the rest at once: every body is complete and byte-exact, and the file reads ran
     * on the configured four threads.
     */
    @Test
    void aHundredSlowClientsGetEveryByteWithBoundedBuffers() throws Exception {
        int clients = 100;
        Path file = TransferTestApp.file("many.bin", 8 * MIB);
        AtomicLong deepest = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                for (ConsumerSnapshot consumer : this.registry.consumers()) {
                    deepest.accumulateAndGet(consumer.bufferedUnits(), Math::max);
                }
                LockSupport.parkNanos(200_000);
            }
        }, "buffer-sampler");
        sampler.start();
        List<Wire> wires = new ArrayList<>();
        ExecutorService readers = Executors.newFixedThreadPool(clients);
        try {
            for (int i = 0; i < clients; i++) {
                Wire client = Wire.send(this.port, 32 * KIB, "GET", "/buffered/many.bin");
                assertThat(client.status).isEqualTo(200);
                wires.add(client);
            }
            for (Wire client : wires) {
                assertThat(client.skip(64 * KIB)).isEqualTo(64 * KIB);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> pausedTransfers() == clients);
            assertThat(this.transfers.running()).isEqualTo(clients);

            List<CompletableFuture<Wire.Checked>> reads = wires.stream()
                .map(client -> CompletableFuture.supplyAsync(() -> client.check(0), readers))
                .toList();
            for (CompletableFuture<Wire.Checked> read : reads) {
                Wire.Checked checked = read.get();
                assertThat(checked.complete()).as(checked.how()).isTrue();
                assertThat(checked.bodyBytes()).isEqualTo(8L * MIB);
                assertThat(checked.firstMismatch()).isEqualTo(-1);
            }
        }
        finally {
            readers.shutdown();
            for (Wire client : wires) {
                client.close();
            }
            sampling.set(false);
            sampler.join();
        }
        awaitEnded(file);
        assertThat(deepest.get()).isPositive().isLessThanOrEqualTo(BOUND);
        assertThat(this.fileReads.threads()).isEqualTo(4);
        assertThat(this.fileReads.liveThreads()).as("reads ran on several threads, at most four").isBetween(2, 4);
        assertThat(eventsAtLeast(Level.WARN)).isEmpty();
    }

    private long pausedTransfers() {
        return this.registry.producers().stream()
            .filter(producer -> producer.name().startsWith("files#"))
            .map(ProducerSnapshot::state)
            .filter(ProducerState.PAUSED::equals)
            .count();
    }

    /** Waits until the one transfer of the group {@code files} is paused, and returns its producer's name. */
    private String awaitPaused() {
        return await().atMost(Duration.ofSeconds(20)).until(() -> this.registry.producers().stream()
            .filter(snapshot -> "files".equals(snapshot.group()) && snapshot.state() == ProducerState.PAUSED)
            .map(ProducerSnapshot::name)
            .findFirst()
            .orElse(null), java.util.Objects::nonNull);
    }

    /** Waits until no transfer runs, their names have left the registry and nothing has the file open. */
    private void awaitEnded(Path file) {
        await().atMost(Duration.ofSeconds(30)).until(() -> this.transfers.running() == 0);
        assertThat(this.registry.producers()).noneMatch(producer -> producer.name().startsWith("files#"));
        assertThat(this.registry.consumers()).noneMatch(consumer -> consumer.name().startsWith("files#"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(openDescriptors(file)).isZero());
    }

    private List<ILoggingEvent> eventsAtLeast(Level level) {
        return this.log.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(level)).toList();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** The open file descriptors of this JVM that point at {@code file} (Linux's /proc/self/fd). */
    private static long openDescriptors(Path file) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        Path target = file.toRealPath();
        try (Stream<Path> links = Files.list(fds)) {
            return links.filter(link -> {
                try {
                    return Files.readSymbolicLink(link).equals(target);
                }
                catch (IOException | UnsupportedOperationException gone) {
                    return false;
                }
            }).count();
        }
    }

}
