package dev.sluice.autoconfigure.web;

import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.servlet.HttpTransfers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On Jetty's mapped path, a client that takes nothing for longer than Jetty's idle timeout (here one second) is cut by
 * Jetty: one INFO line naming the setting, and the transfer leaves the registry.
 */
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "server.jetty.connection-idle-timeout=1s", TransferTest.CHUNK, TransferTest.LOGGING,
                "spring.autoconfigure.exclude=" + TransferTest.TOMCAT })
class JettyMappedWriteTimeoutTests {

    private static final int MIB = 1024 * 1024;

    @LocalServerPort
    private int port;

    @Autowired
    private HttpTransfers transfers;

    @Autowired
    private ProducerRegistry registry;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void captureTheLog() {
        this.log.start();
        sluiceLogger().addAppender(this.log);
    }

    @AfterEach
    void stopCapturing() {
        sluiceLogger().detachAppender(this.log);
        this.log.stop();
    }

    @Test
    void aMappedTransferCutByTheIdleTimeoutIsLoggedAtInfoWithWhy() throws Exception {
        TransferTestApp.file("jetty-timeout.bin", 32 * MIB);
        try (Wire client = Wire.send(this.port, 32 * 1024, "GET", "/files/jetty-timeout.bin")) {
            assertThat(client.status).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> this.transfers.running() == 0);
        }
        assertThat(this.log.list).anyMatch(event -> event.getFormattedMessage().contains("memory-mapped"));
        assertThat(this.log.list).filteredOn(event -> event.getLevel() == Level.INFO)
            .singleElement()
            .satisfies(event -> assertThat(event.getFormattedMessage()).contains("was cut by a timeout",
                    "server.jetty.connection-idle-timeout"));
        assertThat(this.log.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
        assertThat(this.registry.consumers()).noneMatch(consumer -> "files".equals(consumer.group()));
    }

    private static Logger sluiceLogger() {
        return (Logger) LoggerFactory.getLogger("dev.sluice");
    }
}
