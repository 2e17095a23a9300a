package dev.sluice.autoconfigure.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.registry.RegistryListener;
import dev.sluice.servlet.HttpTransfers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a client sees of a {@code SluiceBody.file(...)} over real HTTP: the bytes, the statuses and the headers of
 * ranges, validators and conditional requests, HEAD; and stream bodies. Run on each container by a subclass:
 * {@link HttpSemanticsOnTomcatTests} and {@link HttpSemanticsOnJettyTests}.
 */
abstract class HttpSemanticsTests {

    private static final long SIZE = 300_001;

    private static final String NAME = "semantics.bin";

    private static final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    private ProducerRegistry registry;

    @Autowired
    private HttpTransfers transfers;

    private static byte[] content;

    @BeforeAll
    static void files() throws IOException {
        Path file = TransferTestApp.file(NAME, SIZE);
        // a modification time in the past, so that If-Modified-Since of it is a valid (not future) date
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-05-01T10:15:30.123Z")));
        content = Files.readAllBytes(file);
        TransferTestApp.file("notes.txt", 10);
        TransferTestApp.file("empty.bin", 0);
    }

    @BeforeEach
    void idle() {
        await().until(() -> this.transfers.running() == 0);
    }

    @Test
    void aGetSendsTheWholeFileByteForByteWithItsValidators() throws Exception {
        HttpResponse<byte[]> response = get(NAME);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(response.headers().firstValue("ETag")).hasValueSatisfying(tag -> assertThat(tag).matches("\"[0-9a-f]+-[0-9a-f]+\""));
        assertThat(response.headers().firstValue("Last-Modified")).hasValue("Wed, 01 May 2024 10:15:30 GMT");
    }

    @Test
    void theContentTypeComesFromTheFileName() throws Exception {
        assertThat(get("notes.txt").headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
    }

    @Test
    void anEmptyFileIsAnEmpty200() throws Exception {
        HttpResponse<byte[]> response = get("empty.bin");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(0);
    }

    @Test
    void aMissingFileIsNotFound() throws Exception {
        assertThat(get("no-such-file.bin").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "first byte, bytes=0-0, 0, 0", "last byte, bytes=300000-300000, 300000, 300000",
            "middle, bytes=1000-65535, 1000, 65535", "suffix, bytes=-500, 299501, 300000",
            "open end, bytes=299000-, 299000, 300000", "last past the end, bytes=299990-400000, 299990, 300000",
            "suffix longer than the file, bytes=-400000, 0, 300000" })
    void aRangeIsAPartialContentOfExactlyThoseBytes(String what, String range, long first, long last) throws Exception {
        HttpResponse<byte[]> response = get(NAME, "Range", range);

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes " + first + "-" + last + "/" + SIZE);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(last - first + 1);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, (int) first, (int) last + 1));
    }

    @ParameterizedTest
    @CsvSource({ "bytes=300001-", "bytes=400000-400010", "bytes=-0" })
    void aRangePastTheEndIs416WithTheSize(String range) throws Exception {
        HttpResponse<byte[]> response = get(NAME, "Range", range);

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */" + SIZE);
        assertThat(response.headers().firstValue("Content-Type")).as("the error page's type, not the file's")
            .isNotEqualTo(java.util.Optional.of("application/octet-stream"));
    }

    /**
     * Several ranges are a multipart/byteranges of exactly those bytes, in the order asked, each part with its
     * Content-Type and Content-Range; ranges past the end are left out.
     */
    @Test
    void severalRangesAreAMultipartOfExactlyThoseBytes() throws Exception {
        HttpResponse<byte[]> response = get(NAME, "Range", "bytes=0-9, 299990-, 400000-400001, -5, 1000-1000");

        assertThat(response.statusCode()).isEqualTo(206);
        String type = response.headers().firstValue("Content-Type").orElseThrow();
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length());
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        long[][] ranges = { { 0, 9 }, { 299990, 300000 }, { 299996, 300000 }, { 1000, 1000 } };
        for (int i = 0; i < ranges.length; i++) {
            String head = ((i == 0) ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Range: bytes " + ranges[i][0] + "-" + ranges[i][1] + "/" + SIZE + "\r\n\r\n";
            expected.writeBytes(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            expected.writeBytes(Arrays.copyOfRange(content, (int) ranges[i][0], (int) ranges[i][1] + 1));
        }
        expected.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(response.body()).isEqualTo(expected.toByteArray());
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(expected.size());
    }

    /** Several ranges none of which is satisfiable: 416. */
    @Test
    void severalRangesPastTheEndAre416() throws Exception {
        HttpResponse<byte[]> response = get(NAME, "Range", "bytes=300001-300002,400000-");
        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */" + SIZE);
    }

    /**
     * Another unit, a malformed range, more than 64 ranges, or ranges adding up to more than the file: the whole
     * file.
     */
    @ParameterizedTest
    @MethodSource("ignoredRanges")
    void aRangeThatIsNotServedIsIgnored(String range) throws Exception {
        HttpResponse<byte[]> response = get(NAME, "Range", range);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
    }

    static List<String> ignoredRanges() {
        StringBuilder many = new StringBuilder("bytes=0-0");
        for (int i = 1; i <= 64; i++) {
            many.append(',').append(i).append('-').append(i);
        }
        return List.of("items=0-9", "bytes=9-0", "bytes=abc", "bytes=0-9,x-1", many.toString(), "bytes=0-,0-");
    }

    /** A file that cannot be read is a 403 for GET, HEAD and a conditional GET alike, not a 500. */
    @Test
    void anUnreadableFileIsForbidden() throws Exception {
        String name = TransferTestApp.unreadable();
        assertThat(get(name).statusCode()).isEqualTo(403);
        assertThat(http.send(request(name).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(403);
        assertThat(get(name, "If-None-Match", "*").statusCode()).isEqualTo(403);
        assertThat(get(name, "Range", "bytes=0-0").statusCode()).isEqualTo(403);
    }

    @Test
    void ifRangeWithTheCurrentValidatorGetsTheRangeAndWithAStaleOneTheWholeFile() throws Exception {
        String etag = get(NAME).headers().firstValue("ETag").orElseThrow();
        String lastModified = "Wed, 01 May 2024 10:15:30 GMT";

        HttpResponse<byte[]> freshTag = get(NAME, "Range", "bytes=10-19", "If-Range", etag);
        assertThat(freshTag.statusCode()).isEqualTo(206);
        assertThat(freshTag.body()).isEqualTo(Arrays.copyOfRange(content, 10, 20));

        HttpResponse<byte[]> freshDate = get(NAME, "Range", "bytes=10-19", "If-Range", lastModified);
        assertThat(freshDate.statusCode()).isEqualTo(206);

        HttpResponse<byte[]> staleTag = get(NAME, "Range", "bytes=10-19", "If-Range", "\"1-1\"");
        assertThat(staleTag.statusCode()).isEqualTo(200);
        assertThat(staleTag.body()).isEqualTo(content);

        HttpResponse<byte[]> weakTag = get(NAME, "Range", "bytes=10-19", "If-Range", "W/" + etag);
        assertThat(weakTag.statusCode()).as("a weak tag never matches If-Range").isEqualTo(200);

        HttpResponse<byte[]> staleDate = get(NAME, "Range", "bytes=10-19", "If-Range", "Tue, 30 Apr 2024 10:15:30 GMT");
        assertThat(staleDate.statusCode()).isEqualTo(200);
        assertThat(staleDate.body()).isEqualTo(content);
    }

    @Test
    void ifNoneMatchWithTheCurrentTagIsNotModified() throws Exception {
        String etag = get(NAME).headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> same = get(NAME, "If-None-Match", "\"other\", " + etag);
        assertThat(same.statusCode()).isEqualTo(304);
        assertThat(same.body()).isEmpty();
        assertThat(same.headers().firstValue("ETag")).hasValue(etag);

        assertThat(get(NAME, "If-None-Match", "W/" + etag).statusCode()).as("weak comparison").isEqualTo(304);
        assertThat(get(NAME, "If-None-Match", "*").statusCode()).isEqualTo(304);
        HttpResponse<byte[]> other = get(NAME, "If-None-Match", "\"other\"");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.body()).isEqualTo(content);
    }

    @Test
    void ifModifiedSinceTheLastModificationIsNotModified() throws Exception {
        HttpResponse<byte[]> same = get(NAME, "If-Modified-Since", "Wed, 01 May 2024 10:15:30 GMT");
        assertThat(same.statusCode()).isEqualTo(304);
        assertThat(same.headers().firstValue("Last-Modified")).hasValue("Wed, 01 May 2024 10:15:30 GMT");

        HttpResponse<byte[]> before = get(NAME, "If-Modified-Since", "Wed, 01 May 2024 10:15:29 GMT");
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(before.body()).isEqualTo(content);

        String etag = before.headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> tagWins = get(NAME, "If-None-Match", "\"other\"", "If-Modified-Since",
                "Wed, 01 May 2024 10:15:30 GMT");
        assertThat(tagWins.statusCode()).as("If-None-Match takes precedence over If-Modified-Since").isEqualTo(200);
        assertThat(get(NAME, "If-Modified-Since", "not a date").statusCode()).isEqualTo(200);
        assertThat(etag).isNotBlank();
    }

    @Test
    void ifMatchAndIfUnmodifiedSinceThatFailArePreconditionFailed() throws Exception {
        String etag = get(NAME).headers().firstValue("ETag").orElseThrow();
        assertThat(get(NAME, "If-Match", "\"other\"").statusCode()).isEqualTo(412);
        assertThat(get(NAME, "If-Match", etag).statusCode()).isEqualTo(200);
        assertThat(get(NAME, "If-Unmodified-Since", "Tue, 30 Apr 2024 10:15:30 GMT").statusCode()).isEqualTo(412);
        assertThat(get(NAME, "If-Unmodified-Since", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.now().atOffset(ZoneOffset.UTC))).statusCode()).isEqualTo(200);
    }

    /** HEAD answers with a GET's headers, reads nothing and never registers a producer or a consumer. */
    @Test
    void headSendsTheHeadersAndNeverStartsATransfer() throws Exception {
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        RegistryListener listener = events::add;
        this.registry.addListener(listener);
        try {
            HttpResponse<byte[]> head = http.send(request(NAME).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> rangedHead = http.send(request(NAME, "Range", "bytes=0-9")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());

            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
            assertThat(head.headers().firstValue("ETag")).isPresent();
            assertThat(head.headers().firstValue("Accept-Ranges")).hasValue("bytes");
            assertThat(head.body()).isEmpty();
            assertThat(rangedHead.statusCode()).as("ranges are defined for GET only").isEqualTo(200);
        }
        finally {
            this.registry.removeListener(listener);
        }
        assertThat(events).isEmpty();
        assertThat(this.registry.producers()).extracting(p -> p.name()).noneMatch(name -> name.startsWith("files#"));
    }

    /**
     * Clients with small receive buffers download a file at once, byte for byte: the chunk buffers shared by all
     * transfers are reused only once the container is done with them (Jetty keeps a written array until
     * {@code isReady()} is true again).
     */
    @Test
    void concurrentDownloadsThroughSmallSocketBuffersAreByteExact() throws Exception {
        int clients = 8;
        TransferTestApp.file("shared.bin", 4 * 1024 * 1024);
        List<Wire> wires = new ArrayList<>();
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(clients);
        try {
            for (int i = 0; i < clients; i++) {
                wires.add(Wire.send(this.port, 16 * 1024, "GET", "/buffered/shared.bin"));
            }
            List<java.util.concurrent.Future<Wire.Checked>> reads = new ArrayList<>();
            for (Wire wire : wires) {
                reads.add(readers.submit(() -> wire.check(0)));
            }
            for (java.util.concurrent.Future<Wire.Checked> read : reads) {
                Wire.Checked checked = read.get();
                assertThat(checked.complete()).as(checked.how()).isTrue();
                assertThat(checked.firstMismatch()).as("the first wrong byte").isEqualTo(-1);
            }
        }
        finally {
            readers.shutdown();
            for (Wire wire : wires) {
                wire.close();
            }
        }
    }

    @Test
    void aStreamBodyOfKnownLengthIsSentWithItsLength() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri("/stream/100000")).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(100_000);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-test");
        assertThat(response.body()).isEqualTo(Arrays.copyOf(content, 100_000));
    }

    private HttpResponse<byte[]> get(String name, String... headers) throws IOException, InterruptedException {
        return http.send(request(name, headers).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(String name, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri("/files/" + name));
        List<String> pairs = new ArrayList<>(List.of(headers));
        for (int i = 0; i < pairs.size(); i += 2) {
            builder.header(pairs.get(i), pairs.get(i + 1));
        }
        return builder;
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + this.port + path);
    }
}
