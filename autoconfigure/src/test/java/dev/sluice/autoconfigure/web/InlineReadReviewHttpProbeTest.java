package dev.sluice.autoconfigure.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.servlet.HttpTransfers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PROBE (passes): byte-exactness of the non-blocking file path ({@code /buffered}, where reads run inline in
 * {@code onWritePossible} and chunks go back to the pool at once on Tomcat under Spring MVC's wrapper) over real HTTP,
 * on Tomcat and on Jetty: a whole file to a fast client, to a slow one with a small receive buffer, and several ranges
 * (a multipart body of literal headers and file regions) to a slow one.
 */
abstract class InlineReadReviewHttpProbeTest {

    private static final int SIZE = 6 * 1024 * 1024 + 12_345;

    private static final String NAME = "inline-review.bin";

    private static byte[] content;

    @LocalServerPort
    int port;

    @Autowired
    private HttpTransfers transfers;

    @BeforeAll
    static void files() throws IOException {
        content = Files.readAllBytes(TransferTestApp.file(NAME, SIZE));
    }

    @BeforeEach
    void idle() {
        await().atMost(30, TimeUnit.SECONDS).until(() -> this.transfers.running() == 0);
    }

    @Test
    void aFastClientGetsTheWholeFileByteForByte() throws IOException {
        for (int i = 0; i < 3; i++) {
            Response response = get(0, 0, "/buffered/" + NAME);
            assertThat(response.status).isEqualTo(200);
            assertThat(response.body).isEqualTo(content);
        }
    }

    @Test
    void aSlowClientGetsTheWholeFileByteForByte() throws IOException {
        Response response = get(8 * 1024, 200_000, "/buffered/" + NAME);
        assertThat(response.status).isEqualTo(200);
        assertThat(response.body.length).isEqualTo(SIZE);
        assertThat(firstMismatch(response.body, content)).isEqualTo(-1);
    }

    @Test
    void severalRangesToASlowClientAreExactlyThoseBytes() throws IOException {
        long[][] ranges = { { 0, 99_999 }, { 1_000_000, 3_500_000 }, { 17, 17 }, { SIZE - 70_000, SIZE - 1 } };
        StringBuilder header = new StringBuilder("Range: bytes=");
        for (int i = 0; i < ranges.length; i++) {
            header.append((i == 0) ? "" : ",").append(ranges[i][0]).append('-').append(ranges[i][1]);
        }
        Response response = get(8 * 1024, 100_000, "/buffered/" + NAME, header.toString());
        assertThat(response.status).isEqualTo(206);
        String type = response.headers.get("content-type");
        String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < ranges.length; i++) {
            String head = ((i == 0) ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Range: bytes " + ranges[i][0] + "-" + ranges[i][1] + "/" + SIZE + "\r\n\r\n";
            expected.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
            expected.writeBytes(Arrays.copyOfRange(content, (int) ranges[i][0], (int) ranges[i][1] + 1));
        }
        expected.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(response.body.length).isEqualTo(expected.size());
        assertThat(firstMismatch(response.body, expected.toByteArray())).isEqualTo(-1);
    }

    private static int firstMismatch(byte[] actual, byte[] expected) {
        int mismatch = Arrays.mismatch(actual, expected);
        return mismatch;
    }

    private record Response(int status, Map<String, String> headers, byte[] body) {
    }

    /**
     * A GET on a plain socket; {@code pauseNanos} after each read of at most 4 KiB paces a slow client (a pace, not a
     * wait for a condition).
     */
    private Response get(int receiveBuffer, long pauseNanos, String path, String... headerLines) throws IOException {
        try (Socket socket = new Socket()) {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setSoTimeout(60_000);
            socket.connect(new InetSocketAddress("localhost", this.port), 5_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
            for (String line : headerLines) {
                request.append(line).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            int status = Integer.parseInt(line(in).split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim());
            }
            long length = Long.parseLong(headers.getOrDefault("content-length", "-1"));
            assertThat(length).as("a Content-Length body").isNotNegative();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[(pauseNanos > 0) ? 4096 : 65536];
            while (body.size() < length) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - body.size()));
                if (n < 0) {
                    break;
                }
                body.write(buffer, 0, n);
                if (pauseNanos > 0) {
                    LockSupport.parkNanos(pauseNanos);
                }
            }
            return new Response(status, headers, body.toByteArray());
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("EOF in the head");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
