package dev.sluice.autoconfigure.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Under TLS the bytes must pass through the JVM to be encrypted: a file body takes the non-blocking path, intact. */
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { TransferTest.LOGGING, TransferTest.CHUNK, "spring.autoconfigure.exclude=" + TransferTest.JETTY })
class SendfileTlsTests {

    private static final Path KEYSTORE = Path.of("target", "sendfile-tls.p12").toAbsolutePath();

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry properties) throws Exception {
        if (!Files.exists(KEYSTORE)) {
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "test", "-keyalg", "RSA",
                    "-keysize", "2048", "-validity", "30", "-dname", "CN=localhost", "-storetype", "PKCS12",
                    "-keystore", KEYSTORE.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true)
                .start();
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor()).as(output).isZero();
        }
        properties.add("server.ssl.key-store", () -> KEYSTORE.toUri().toString());
        properties.add("server.ssl.key-store-type", () -> "PKCS12");
        properties.add("server.ssl.key-store-password", () -> "changeit");
        properties.add("server.ssl.key-alias", () -> "test");
    }

    @Test
    void aFileOverTlsTakesTheNonBlockingPathByteForByte() throws Exception {
        Path file = TransferTestApp.file("tls.bin", 4 * 1024 * 1024 + 7);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger sluice = (Logger) LoggerFactory.getLogger("dev.sluice");
        sluice.addAppender(log);
        HttpResponse<byte[]> response;
        try {
            response = trustingClient().send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + this.port + "/files/tls.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
        finally {
            sluice.detachAppender(log);
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(Files.readAllBytes(file));
        assertThat(log.list).noneMatch(event -> event.getFormattedMessage().contains("sendfile"));
    }

    static HttpClient trustingClient() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] { trustAll }, null);
        java.net.http.HttpClient.Builder builder = HttpClient.newBuilder().sslContext(context);
        javax.net.ssl.SSLParameters parameters = new javax.net.ssl.SSLParameters();
        parameters.setEndpointIdentificationAlgorithm(null);
        return builder.sslParameters(parameters).build();
    }
}
