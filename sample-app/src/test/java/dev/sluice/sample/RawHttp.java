package dev.sluice.sample;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a plain socket, for what a library client hides: a path sent exactly as written (no
 * normalisation of {@code ..} or percent escapes), a small receive buffer, reading a few bytes and then nothing, and
 * hanging up half-way.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;

    private final InputStream in;

    private final int status;

    private final Map<String, String> headers = new LinkedHashMap<>();

    private long bodyRead;

    private RawHttp(Socket socket, String path) throws IOException {
        this.socket = socket;
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        String statusLine = line();
        this.status = Integer.parseInt(statusLine.split(" ")[1]);
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            this.headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    header.substring(colon + 1).trim());
        }
    }

    /** Sends {@code GET path} with default socket buffers. */
    public static RawHttp get(int port, String path) throws IOException {
        return get(port, path, 0);
    }

    /**
     * Sends {@code GET path}.
     *
     * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the default; a small one makes a slow client
     *        felt sooner
     */
    public static RawHttp get(int port, String path, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(30_000);
        socket.connect(new InetSocketAddress("localhost", port), 5_000);
        return new RawHttp(socket, path);
    }

    public int status() {
        return this.status;
    }

    /** A header, by lower-case name, or null. */
    public String header(String name) {
        return this.headers.get(name);
    }

    /** Reads exactly {@code count} body bytes (fewer at the end of the body), discarding them; returns how many. */
    public long skip(long count) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long done = 0;
        while (done < count) {
            int read = this.in.read(buffer, 0, (int) Math.min(buffer.length, count - done));
            if (read < 0) {
                break;
            }
            done += read;
        }
        this.bodyRead += done;
        return done;
    }

    /** The body read so far, in bytes. */
    public long bodyRead() {
        return this.bodyRead;
    }

    /** The rest of the body as text. */
    public String bodyText() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        this.in.transferTo(body);
        return body.toString(StandardCharsets.UTF_8);
    }

    /** Hangs up. */
    @Override
    public void close() throws IOException {
        this.socket.close();
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
            if (b < 0) {
                throw new IOException("Connection closed inside the response head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
