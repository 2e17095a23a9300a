package dev.sluice.autoconfigure.web;

import java.net.http.HttpClient;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/** On Jetty with {@code sluice.http.zero-copy=false}: no filter, every file body takes the non-blocking path. */
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { TransferTest.LOGGING, TransferTest.CHUNK, "sluice.http.zero-copy=false",
                "spring.autoconfigure.exclude=" + TransferTest.TOMCAT })
class JettyMappedOffTests {

    @LocalServerPort
    private int port;

    @Test
    void aFileTakesTheNonBlockingPathByteForByte() throws Exception {
        JettyFallbackCheck.nonBlockingByteForByte(HttpClient.newHttpClient(), "http://localhost:" + this.port,
                "jetty-off.bin");
    }
}
