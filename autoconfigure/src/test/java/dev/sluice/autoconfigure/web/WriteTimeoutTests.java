package dev.sluice.autoconfigure.web;

import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
 * A client that takes nothing for longer than the container's write timeout (here one second) is cut by the container;
 * the cut is one INFO line that says why and names the setting, not a DEBUG line like a client hanging up.
 */
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "server.tomcat.connection-timeout=1s", TransferTest.CHUNK,
                "spring.autoconfigure.exclude=" + TransferTest.JETTY })
class WriteTimeoutTests {

    private static final int MIB = 1024 * 1024;

    @LocalServerPort
    private int port;

    @Autowired
    private HttpTransfers transfers;

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
    void aTransferCutByTheWriteTimeoutIsLoggedAtInfoWithWhy() throws Exception {
        TransferTestApp.file("timeout.bin", 16 * MIB);
        try (Wire client = Wire.send(this.port, 32 * 1024, "GET", "/buffered/timeout.bin")) {
            assertThat(client.status).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> this.transfers.running() == 0);
        }
        assertThat(this.log.list).filteredOn(event -> event.getLevel() == Level.INFO)
            .singleElement()
            .satisfies(event -> assertThat(event.getFormattedMessage()).contains("was cut by a timeout",
                    "server.tomcat.connection-timeout"));
        assertThat(this.log.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
    }

    private static Logger sluiceLogger() {
        return (Logger) LoggerFactory.getLogger("dev.sluice");
    }
}
