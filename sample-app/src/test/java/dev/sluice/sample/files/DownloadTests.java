package dev.sluice.sample.files;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.sluice.sample.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole downloads over real HTTP, and the names that must not reach the file system. */
class DownloadTests extends DownloadTestSupport {

    @Autowired
    private RestTestClient client;

    @Test
    void listsTheSampleFiles() {
        this.client.get().uri("/files").exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$[*].name").value(names -> assertThat(names.toString())
                .contains("1MiB.bin", "64MiB.bin", "512MiB.bin"))
            .jsonPath("$[?(@.name=='64MiB.bin')].size").isEqualTo(64 * 1024 * 1024)
            .jsonPath("$[?(@.name=='64MiB.bin')].url").isEqualTo("/files/64MiB.bin");
    }

    /** A name with a space and a {@code #} is listed with a URL that works as given (its curl line too). */
    @Test
    void listedUrlsAreEncodedAndWork() throws Exception {
        Path odd = this.catalog.dir().resolve("my file #2.txt");
        Files.writeString(odd, "hello");
        try {
            this.client.get().uri("/files").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$[?(@.name=='my file #2.txt')].url").isEqualTo("/files/my%20file%20%232.txt");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + this.port + "/files/my%20file%20%232.txt")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello");
        }
        finally {
            Probe.awaitIdle(this.downloads);
            Files.delete(odd);
        }
    }

    @Test
    void aFastClientGetsTheWholeFileByteForByte() throws Exception {
        Path file = this.catalog.find("64MiB.bin").orElseThrow();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/files/64MiB.bin")).build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(64L * 1024 * 1024);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        String received;
        try (InputStream body = response.body()) {
            received = sha256(body);
        }
        try (InputStream onDisk = Files.newInputStream(file)) {
            assertThat(received).isEqualTo(sha256(onDisk));
        }
        Probe.awaitIdle(this.downloads);
        Probe.awaitClosed(file);
    }

    @Test
    void anUnknownFileIsNotFound() throws IOException {
        try (RawHttp response = RawHttp.get(this.port, "/files/no-such-file.bin")) {
            assertThat(response.status()).isEqualTo(404);
        }
    }

    /**
     * Names with {@code ..} or a separator: those that reach the controller get its 400; Tomcat itself refuses an
     * encoded slash or backslash with 400 before any application code runs. None is ever resolved.
     */
    @ParameterizedTest
    @ValueSource(strings = { "/files/..%2F..%2Fpom.xml", "/files/..%5Cpom.xml", "/files/a..b", "/files/..pom.xml",
            "/files/.hidden", "/files/%2E%2E%2Fpom.xml", "/files/sub%2F64MiB.bin", "/files/..%2E" })
    void traversalIsABadRequest(String path) throws IOException {
        try (RawHttp response = RawHttp.get(this.port, path)) {
            assertThat(response.status()).as(path).isEqualTo(400);
        }
    }

    private static String sha256(InputStream in) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
