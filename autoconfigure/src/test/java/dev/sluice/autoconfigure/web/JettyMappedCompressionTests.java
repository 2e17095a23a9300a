package dev.sluice.autoconfigure.web;

import java.net.http.HttpClient;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * On Jetty with {@code server.compression.enabled}: Jetty's compression layer is in the response's chain and may read
 * the content in Java, so a file body takes the non-blocking path (here not compressed: Boot does not compress
 * {@code application/octet-stream}).
 */
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { TransferTest.LOGGING, TransferTest.CHUNK, "server.compression.enabled=true",
                "spring.autoconfigure.exclude=" + TransferTest.TOMCAT })
class JettyMappedCompressionTests {

    @LocalServerPort
    private int port;

    @Test
    void aFileUnderACompressionLayerTakesTheNonBlockingPathByteForByte() throws Exception {
        JettyFallbackCheck.nonBlockingByteForByte(HttpClient.newHttpClient(), "http://localhost:" + this.port,
                "jetty-compression.bin", "Accept-Encoding", "gzip");
    }
}
