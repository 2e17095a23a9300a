package dev.sluice.autoconfigure.web;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** On Jetty under TLS the bytes are encrypted in Java: a file body takes the non-blocking path, intact. */
@SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { TransferTest.LOGGING, TransferTest.CHUNK, "spring.autoconfigure.exclude=" + TransferTest.TOMCAT })
class JettyMappedTlsTests {

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry properties) throws Exception {
        SendfileTlsTests.tls(properties);
    }

    @Test
    void aFileOverTlsTakesTheNonBlockingPathByteForByte() throws Exception {
        JettyFallbackCheck.nonBlockingByteForByte(SendfileTlsTests.trustingClient(), "https://localhost:" + this.port,
                "jetty-tls.bin");
    }
}
