package dev.sluice.benchmarks.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 clients on one selector thread: slow ones that read at most {@code rate} bytes per second each (a token
 * bucket refilled every 250 ms, reading stops while it is empty, so the server feels the full socket), and fast ones
 * that read as fast as they can and, at the end of a body, ask for the file again on a new connection. Counts every
 * body byte, and each client's time to first body byte.
 */
final class LoadClients {

    private static final long TICK_NANOS = 250_000_000L;

    private final InetSocketAddress server;

    private final String path;

    private final long slowRate;

    private final int slowReceiveBuffer;

    private final Selector selector;

    private final List<Client> clients = new ArrayList<>();

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);

    LoadClients(InetSocketAddress server, String path, long slowRate, int slowReceiveBuffer) throws IOException {
        this.server = server;
        this.path = path;
        this.slowRate = slowRate;
        this.slowReceiveBuffer = slowReceiveBuffer;
        this.selector = Selector.open();
    }

    /** Opens {@code count} connections and sends their requests. */
    void connect(int count, boolean fast) throws IOException {
        for (int i = 0; i < count; i++) {
            Client client = new Client(fast);
            this.clients.add(client);
            client.open();
        }
    }

    /** Runs the selector loop for {@code nanos}. */
    void run(long nanos) throws IOException {
        long end = System.nanoTime() + nanos;
        long nextTick = System.nanoTime() + TICK_NANOS;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            if (now >= nextTick) {
                for (Client client : this.clients) {
                    client.refill();
                }
                nextTick = now + TICK_NANOS;
            }
            this.selector.select(Math.max(1, Math.min(nextTick, end) - now) / 1_000_000 + 1);
            for (SelectionKey key : this.selector.selectedKeys()) {
                Client client = (Client) key.attachment();
                try {
                    if (key.isValid() && key.isConnectable()) {
                        client.connected();
                    }
                    else if (key.isValid() && key.isReadable()) {
                        client.read();
                    }
                }
                catch (IOException ex) {
                    client.failed(ex);
                }
            }
            this.selector.selectedKeys().clear();
        }
    }

    /** Starts counting window bytes from zero. */
    void resetCounters() {
        for (Client client : this.clients) {
            client.windowBytes = 0;
        }
    }

    List<Client> clients() {
        return this.clients;
    }

    void close() {
        for (Client client : this.clients) {
            client.close();
        }
        try {
            this.selector.close();
        }
        catch (IOException ignored) {
            // nothing to do
        }
    }

    /** One client: its connection, what it has read, and its timings. */
    final class Client {

        final boolean fast;

        private SocketChannel channel;

        private SelectionKey key;

        private final byte[] head = new byte[4096];

        private int headLength;

        private boolean inBody;

        private long bodyRemaining;

        private long budget;

        long requestedAt;

        long firstByteAt = -1;

        long lastByteAt = -1;

        long windowBytes;

        long totalBytes;

        int status;

        String failure;

        Client(boolean fast) {
            this.fast = fast;
            // a full bucket from the start: a slow client reads its first bytes as soon as they come, so that its time
            // to first byte measures the server and not the phase of the 250 ms refill tick
            this.budget = fast ? 0 : perTick();
        }

        void open() throws IOException {
            this.channel = SocketChannel.open();
            if (!this.fast) {
                this.channel.setOption(StandardSocketOptions.SO_RCVBUF, LoadClients.this.slowReceiveBuffer);
            }
            this.channel.configureBlocking(false);
            this.headLength = 0;
            this.inBody = false;
            boolean done = this.channel.connect(LoadClients.this.server);
            this.key = this.channel.register(LoadClients.this.selector, done ? 0 : SelectionKey.OP_CONNECT, this);
            if (done) {
                connected();
            }
        }

        void connected() throws IOException {
            this.channel.finishConnect();
            ByteBuffer request = ByteBuffer.wrap(("GET " + LoadClients.this.path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) {
                this.channel.write(request);
            }
            if (this.requestedAt == 0) {
                this.requestedAt = System.nanoTime();
            }
            this.key.interestOps(SelectionKey.OP_READ);
        }

        void refill() {
            if (this.fast || this.key == null || !this.key.isValid()) {
                return;
            }
            long perTick = perTick();
            this.budget = Math.min(this.budget + perTick, 2 * perTick);
            if (this.budget > 0 && this.channel.isConnected()) {
                this.key.interestOps(SelectionKey.OP_READ);
            }
        }

        private long perTick() {
            return LoadClients.this.slowRate * TICK_NANOS / 1_000_000_000L;
        }

        void read() throws IOException {
            ByteBuffer into = LoadClients.this.buffer;
            into.clear();
            if (!this.fast) {
                if (this.budget <= 0) {
                    this.key.interestOps(0);
                    return;
                }
                into.limit((int) Math.min(into.capacity(), this.budget));
            }
            int n = this.channel.read(into);
            if (n < 0) {
                this.failure = (this.failure != null) ? this.failure : "closed by the server";
                close();
                return;
            }
            if (!this.fast) {
                this.budget -= n;
            }
            into.flip();
            if (!this.inBody) {
                while (into.hasRemaining() && !this.inBody) {
                    this.head[this.headLength++] = into.get();
                    int h = this.headLength;
                    if (h >= 4 && this.head[h - 4] == '\r' && this.head[h - 3] == '\n' && this.head[h - 2] == '\r'
                            && this.head[h - 1] == '\n') {
                        headers(new String(this.head, 0, h, StandardCharsets.US_ASCII));
                    }
                    else if (h == this.head.length) {
                        throw new IOException("response head too long");
                    }
                }
            }
            int body = into.remaining();
            if (body > 0) {
                long now = System.nanoTime();
                if (this.firstByteAt < 0) {
                    this.firstByteAt = now;
                }
                this.lastByteAt = now;
                this.windowBytes += body;
                this.totalBytes += body;
                this.bodyRemaining -= body;
            }
            if (this.fast && this.inBody && this.bodyRemaining <= 0) {
                close(); // the whole file: ask again
                open();
            }
        }

        private void headers(String text) {
            this.inBody = true;
            this.status = Integer.parseInt(text.substring(9, 12));
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    this.bodyRemaining = Long.parseLong(line.substring(15).trim());
                }
            }
        }

        void failed(IOException ex) {
            this.failure = ex.toString();
            close();
        }

        void close() {
            try {
                if (this.key != null) {
                    this.key.cancel();
                }
                if (this.channel != null) {
                    this.channel.close();
                }
            }
            catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public String toString() {
            return (this.fast ? "fast" : "slow") + Arrays.asList(this.status, this.totalBytes, this.failure);
        }
    }
}
