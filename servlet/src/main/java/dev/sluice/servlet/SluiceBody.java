package dev.sluice.servlet;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

import dev.sluice.Consumer;
import dev.sluice.twisted.web2.ByteStream;
import org.jspecify.annotations.Nullable;

/**
 * A response body sent with back-pressure: what a Spring MVC controller method returns to send a file or a stream to
 * a client of any speed, and what {@link HttpTransfers#send} takes in a plain servlet.
 *
 * <pre>{@code
 * @GetMapping("/files/{name}")
 * SluiceBody download(@PathVariable String name) {
 *     return SluiceBody.file(catalog.find(name)).attachment().group("downloads");
 * }
 * }</pre>
 *
 * <h2>Files</h2>
 * {@link #file(Path)} answers as Spring's own resource handling does, and more: {@code ETag} and
 * {@code Last-Modified} with {@code If-None-Match}/{@code If-Modified-Since} (304) and
 * {@code If-Match}/{@code If-Unmodified-Since} (412); {@code Accept-Ranges: bytes}, a single {@code Range} (206 with
 * {@code Content-Range}; 416 with {@code Content-Range: bytes *}{@code /size} when it starts past the end) and
 * {@code If-Range}; several ranges as a {@code 206 multipart/byteranges} (a part per satisfiable range, in the order
 * asked; more than 64 ranges, or more bytes than the file has, are ignored and the whole file sent, as RFC 9110
 * allows); HEAD with the headers of a GET and without reading the file. A missing file is 404, an unreadable one 403
 * (for HEAD and conditional requests too). The content type is {@link #contentType(String) given}, else the servlet
 * context's mapping of the file name, else {@code application/octet-stream}. A file that grows while it is sent is
 * sent at the length announced; one that shrinks fails the transfer, which is aborted, never completed short.
 *
 * <p>Zero-copy: where the container offers its sendfile for the request (Tomcat's NIO connector over plain HTTP/1.1,
 * with the valve the Spring Boot starter registers), a whole file or a single range of at least
 * {@value HttpTransfers#KERNEL_MIN_BYTES} bytes is sent by the kernel, with the same statuses and headers. On Jetty 12,
 * which has no sendfile, such a body is written from memory-mapped slices that Jetty hands to the socket by reference
 * (with the filter the starter registers; see {@link MappedFileOutput}): no file byte is copied into the heap. Under
 * TLS, HTTP/2, compression, for multipart ranges, small bodies, or with {@link #zeroCopy(boolean) zeroCopy(false)},
 * it takes the non-blocking path. See {@link HttpTransfers} for what the registry shows of these transfers.
 *
 * <h2>Streams and producers</h2>
 * {@link #stream(ByteStream)} and {@link #producer(BodyProducer)} send what a byte stream or a producer makes, as 200
 * with a {@code Content-Length} when known, else chunked. HEAD sends the headers and never starts the producer (a
 * stream is closed unread).
 *
 * <h2>Registry</h2>
 * While it runs, each transfer is a producer and a consumer in the {@link dev.sluice.registry.ProducerRegistry}, in
 * its {@linkplain #group(String) group}, whose name also picks the consumer's water marks
 * ({@code sluice.consumers.<group>.*} in the starter).
 *
 * <p>A body is a description, built in the request's thread and used once; it is not thread-safe.
 */
public final class SluiceBody {

    /** The content type of a body whose type is neither given nor known from its file name. */
    public static final String OCTET_STREAM = "application/octet-stream";

    private final @Nullable Path file;

    private final @Nullable ByteStream stream;

    private final @Nullable BodyProducer producer;

    private @Nullable String contentType;

    private @Nullable String group;

    private long contentLength = -1;

    private boolean zeroCopy = true;

    private final Map<String, String> headers = new LinkedHashMap<>();

    private SluiceBody(@Nullable Path file, @Nullable ByteStream stream, @Nullable BodyProducer producer) {
        this.file = file;
        this.stream = stream;
        this.producer = producer;
    }

    /**
     * A file, with validators, conditional requests and ranges.
     *
     * @param file the file; it is looked at when the body is sent, not now
     * @return the body
     */
    public static SluiceBody file(Path file) {
        return new SluiceBody(Objects.requireNonNull(file, "file"), null, null);
    }

    /**
     * The bytes of a stream, read at the client's pace; its {@linkplain ByteStream#length() length}, when known, is
     * the {@code Content-Length}.
     *
     * @param stream the stream; the transfer reads and closes it
     * @return the body
     */
    public static SluiceBody stream(ByteStream stream) {
        SluiceBody body = new SluiceBody(null, Objects.requireNonNull(stream, "stream"), null);
        OptionalLong length = stream.length();
        if (length.isPresent()) {
            body.contentLength = length.getAsLong();
        }
        return body;
    }

    /**
     * What a producer writes: it is started with the transfer's consumer, registers with it (as push or pull
     * producer) and writes the body; the stage it returns completes when it has written the last byte, or fails to
     * abort the response.
     *
     * @param producer starts the producer
     * @return the body
     */
    public static SluiceBody producer(BodyProducer producer) {
        return new SluiceBody(null, null, Objects.requireNonNull(producer, "producer"));
    }

    /** The {@code Content-Type}, such as {@code video/mp4} or {@code text/csv;charset=UTF-8}. */
    public SluiceBody contentType(String contentType) {
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        return this;
    }

    /**
     * The {@code Content-Length} of a stream or producer body, when it is known but not to the stream. A producer
     * that writes another number of bytes fails the transfer.
     *
     * @throws IllegalStateException for a file, whose length is its size
     * @throws IllegalArgumentException if negative
     */
    public SluiceBody contentLength(long bytes) {
        if (this.file != null) {
            throw new IllegalStateException("The length of a file body is the file's size");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("contentLength must not be negative, was " + bytes);
        }
        this.contentLength = bytes;
        return this;
    }

    /** {@code Content-Disposition: attachment} with the file's name: the browser saves rather than shows it. */
    public SluiceBody attachment() {
        Path name = (this.file != null) ? this.file.getFileName() : null;
        if (name == null) {
            throw new IllegalStateException("Only a file body has a name; use attachment(String)");
        }
        return attachment(name.toString());
    }

    /** {@code Content-Disposition: attachment} with {@code filename} (non-ASCII names are encoded as RFC 6266 asks). */
    public SluiceBody attachment(String filename) {
        return header("Content-Disposition", disposition(Objects.requireNonNull(filename, "filename")));
    }

    /** An extra response header, such as {@code Cache-Control}, set on every answer but errors. */
    public SluiceBody header(String name, String value) {
        this.headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Whether a file body may be sent by the container's sendfile, or on Jetty from memory-mapped buffers (the
     * default: {@code true}), where the container offers it (see {@link HttpTransfers}). {@code false} keeps it on the
     * non-blocking path, which reads the file into heap chunks.
     */
    public SluiceBody zeroCopy(boolean allowed) {
        this.zeroCopy = allowed;
        return this;
    }

    /**
     * The registry group of this transfer, and the name whose water marks its consumer uses. In Spring MVC the
     * default is the handler's URL pattern, such as {@code /files/{name}}.
     */
    public SluiceBody group(String group) {
        if (Objects.requireNonNull(group, "group").isBlank()) {
            throw new IllegalArgumentException("A transfer group must not be blank");
        }
        this.group = group;
        return this;
    }

    @Nullable Path file() {
        return this.file;
    }

    @Nullable ByteStream stream() {
        return this.stream;
    }

    @Nullable BodyProducer producer() {
        return this.producer;
    }

    @Nullable String contentType() {
        return this.contentType;
    }

    @Nullable String group() {
        return this.group;
    }

    long contentLength() {
        return this.contentLength;
    }

    boolean zeroCopy() {
        return this.zeroCopy;
    }

    Map<String, String> headers() {
        return this.headers;
    }

    private static String disposition(String filename) {
        StringBuilder ascii = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < filename.length(); i++) {
            char c = filename.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                ascii.append('_');
                plain = false;
            }
            else {
                ascii.append(c);
            }
        }
        String value = "attachment; filename=\"" + ascii + "\"";
        if (plain) {
            return value;
        }
        StringBuilder encoded = new StringBuilder();
        for (byte b : filename.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                encoded.append((char) c);
            }
            else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return value + "; filename*=UTF-8''" + encoded;
    }

    @Override
    public String toString() {
        Object what = (this.file != null) ? this.file : (this.stream != null) ? this.stream : this.producer;
        return "SluiceBody[" + what + "]";
    }

    /** Starts a producer that writes a body into the transfer's consumer. */
    @FunctionalInterface
    public interface BodyProducer {

        /**
         * Registers a producer with {@code consumer} and starts it.
         *
         * @param consumer the transfer's consumer of bytes
         * @return a stage completing when the body has been written (the producer unregistered), or failing to abort
         *         the response
         * @throws Exception if it cannot start; before anything was sent, the request fails with it
         */
        CompletionStage<?> start(Consumer<ByteBuffer> consumer) throws Exception;
    }
}
