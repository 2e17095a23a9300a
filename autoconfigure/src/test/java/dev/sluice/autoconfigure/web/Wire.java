package dev.sluice.autoconfigure.web;

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
 * An HTTP/1.1 client on a plain socket, so that the tests see the wire: a keep-alive connection (a response that ends
 * short is not hidden by the server closing the connection anyway), a small receive buffer for a slow client, reading
 * part of a body and hanging up, and whether a body ended as announced (all of its {@code Content-Length}, or the last
 * chunk) or was broken off.
 */
final class Wire implements AutoCloseable {

    private final Socket socket;

    private final InputStream in;

    final int status;

    private final Map<String, String> headers = new LinkedHashMap<>();

    private long read;

    private Wire(Socket socket, String method, String path, String... headerLines) throws IOException {
        this.socket = socket;
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.status = Integer.parseInt(line().split(" ")[1]);
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            this.headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    header.substring(colon + 1).trim());
        }
    }

    /** Sends a request with default socket buffers. */
    static Wire send(int port, String method, String path, String... headers) throws IOException {
        return send(port, 0, method, path, headers);
    }

    /**
     * Sends a request.
     *
     * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the default
     */
    static Wire send(int port, int receiveBuffer, String method, String path, String... headers) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(30_000);
        socket.connect(new InetSocketAddress("localhost", port), 5_000);
        return new Wire(socket, method, path, headers);
    }

    /** A header by name, or null. */
    String header(String name) {
        return this.headers.get(name.toLowerCase(Locale.ROOT));
    }

    long contentLength() {
        String length = header("Content-Length");
        return (length != null) ? Long.parseLong(length) : -1;
    }

    /** Reads {@code count} body bytes of an identity body (fewer if it ends), discarding them; returns how many. */
    long skip(long count) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long done = 0;
        while (done < count) {
            int n = this.in.read(buffer, 0, (int) Math.min(buffer.length, count - done));
            if (n < 0) {
                break;
            }
            done += n;
        }
        this.read += done;
        return done;
    }

    /** The body bytes read so far by {@link #skip}. */
    long bodyRead() {
        return this.read;
    }

    /**
     * Reads the rest of the body. For a {@code Content-Length} body it stops at that length or where the connection
     * ends or breaks; for a chunked one at the last chunk or the break.
     */
    Body body() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(header("Transfer-Encoding"))) {
            return chunked(bytes);
        }
        long length = contentLength();
        byte[] buffer = new byte[16 * 1024];
        long remaining = (length >= 0) ? length - this.read : Long.MAX_VALUE;
        try {
            while (remaining > 0) {
                int n = this.in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    break;
                }
                bytes.write(buffer, 0, n);
                remaining -= n;
            }
        }
        catch (IOException broken) {
            return new Body(bytes.toByteArray(), false, broken.toString());
        }
        return new Body(bytes.toByteArray(), length < 0 || remaining == 0, (remaining == 0) ? "" : "EOF");
    }

    private Body chunked(ByteArrayOutputStream bytes) {
        try {
            for (;;) {
                String sizeLine = line();
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0) ? sizeLine.trim() : sizeLine.substring(0, semicolon), 16);
                if (size == 0) {
                    line();
                    return new Body(bytes.toByteArray(), true, "");
                }
                byte[] chunk = this.in.readNBytes(size);
                bytes.write(chunk);
                if (chunk.length < size) {
                    return new Body(bytes.toByteArray(), false, "EOF inside a chunk");
                }
                line();
            }
        }
        catch (IOException | RuntimeException broken) {
            return new Body(bytes.toByteArray(), false, broken.toString());
        }
    }

    /**
     * Reads the rest of an identity body without keeping it, comparing each byte with
     * {@link TransferTestApp#at(long)} at its place in the file, the body being the file from byte {@code offset}.
     */
    Checked check(long offset) {
        long length = contentLength();
        long remaining = (length >= 0) ? length - this.read : Long.MAX_VALUE;
        long position = offset + this.read;
        long mismatch = -1;
        byte[] buffer = new byte[16 * 1024];
        String how = "";
        try {
            while (remaining > 0) {
                int n = this.in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    how = "EOF";
                    break;
                }
                for (int i = 0; i < n && mismatch < 0; i++) {
                    if (buffer[i] != TransferTestApp.at(position + i)) {
                        mismatch = position + i;
                    }
                }
                position += n;
                remaining -= n;
                this.read += n;
            }
        }
        catch (IOException broken) {
            how = broken.toString();
        }
        return new Checked(this.read, mismatch, remaining == 0, how);
    }

    /**
     * What {@link #check} found.
     *
     * @param bodyBytes the body bytes received in all
     * @param firstMismatch the file position of the first wrong byte, or -1
     * @param complete whether the body ended as announced
     * @param how how it ended, when not complete
     */
    record Checked(long bodyBytes, long firstMismatch, boolean complete, String how) {
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
                throw new IOException("Connection closed inside a line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /**
     * A body as received.
     *
     * @param bytes what arrived
     * @param complete whether it ended as announced
     * @param how how it ended, when not complete
     */
    record Body(byte[] bytes, boolean complete, String how) {
    }
}
