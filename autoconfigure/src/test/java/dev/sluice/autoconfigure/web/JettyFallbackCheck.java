package dev.sluice.autoconfigure.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** What the Jetty fallback tests check: a file body that takes the non-blocking path, intact, and maps nothing. */
final class JettyFallbackCheck {

    private JettyFallbackCheck() {
    }

    /** Gets {@code /files/<name>} of a 4 MiB file and checks the body and that no transfer went by mapped writes. */
    static void nonBlockingByteForByte(HttpClient client, String base, String name, String... headers)
            throws Exception {
        Path file = TransferTestApp.file(name, 4 * 1024 * 1024 + 7);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger sluice = (Logger) LoggerFactory.getLogger("dev.sluice");
        sluice.addAppender(log);
        HttpResponse<byte[]> response;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/files/" + name));
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        finally {
            sluice.detachAppender(log);
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(Files.size(file));
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(response.body()).isEqualTo(Files.readAllBytes(file));
        assertThat(log.list).noneMatch(event -> event.getFormattedMessage().contains("memory-mapped"));
    }
}
