package dev.sluice.autoconfigure.web;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.servlet.LoadCounters;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A load driver, not a test: 10 fast loopback clients download a large file through the non-blocking path
 * ({@code SluiceBody.file(...).zeroCopy(false)}) again and again, and the server's cost is printed: MiB/s, bytes
 * allocated per MiB sent (all threads but the clients', {@code ThreadMXBean#getTotalThreadAllocatedBytes}), the
 * container's {@code onWritePossible} calls per MiB, young collections. Runs only when asked for:
 *
 * <pre>
 * ./mvnw -o -pl autoconfigure test-compile surefire:test -Dtest='NonBlockingPathLoad*' -Dsluice.load=true
 * </pre>
 *
 * Options (system properties): {@code sluice.load.mib} (file size, default 128), {@code sluice.load.rounds}
 * (measured downloads per client after one warm-up download, default 2), {@code sluice.load.clients} (default 10);
 * any Sluice setting too, such as {@code -DargLine=-Dsluice.http.tomcat-write-buffer=0} (Tomcat's own 8 KiB).
 * Results go to {@code target/nonblocking-load.txt}, one line per run, and to the test's output.
 */
@Tag("load")
abstract class NonBlockingPathLoad {

    static final String PROPERTIES = "test.group=load";

    /** On Tomcat. */
    @SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { PROPERTIES, "spring.autoconfigure.exclude=" + TransferTest.JETTY })
    @EnabledIfSystemProperty(named = "sluice.load", matches = "true") // not inherited: on each class that runs
    static class OnTomcat extends NonBlockingPathLoad {

        @Override
        String server() {
            return "tomcat";
        }
    }

    /** On Jetty. */
    @SpringBootTest(classes = TransferTestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { PROPERTIES, "spring.autoconfigure.exclude=" + TransferTest.TOMCAT })
    @EnabledIfSystemProperty(named = "sluice.load", matches = "true")
    static class OnJetty extends NonBlockingPathLoad {

        @Override
        String server() {
            return "jetty";
        }
    }

    private static final long MIB = 1024 * 1024;

    @LocalServerPort
    int port;

    abstract String server();

    @Test
    void fastClientsOnTheNonBlockingPath() throws Exception {
        long size = Long.getLong("sluice.load.mib", 128) * MIB;
        int rounds = Integer.getInteger("sluice.load.rounds", 2);
        int clients = Integer.getInteger("sluice.load.clients", 10);
        String path = System.getProperty("sluice.load.path", "/buffered/");
        file("load.bin", size);
        String target = path + "load.bin";

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
            .getThreadMXBean();
        CyclicBarrier warm = new CyclicBarrier(clients + 1);
        CyclicBarrier measured = new CyclicBarrier(clients + 1);
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread client = new Thread(() -> {
                try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("localhost", this.port))) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
                    assertThat(download(channel, target, buffer)).isEqualTo(size);
                    warm.await();
                    for (int round = 0; round < rounds; round++) {
                        long got = download(channel, target, buffer);
                        assertThat(got).isEqualTo(size);
                        bytes.addAndGet(got);
                    }
                    measured.await();
                }
                catch (Throwable ex) {
                    failed.compareAndSet(null, ex);
                    warm.reset();
                    measured.reset();
                }
            }, "load-client-" + i);
            started.add(client);
            client.start();
        }
        warm.await();
        long allocatedBefore = totalAllocated(threads);
        long clientsBefore = allocated(threads, started);
        long callsBefore = LoadCounters.writePossibleCalls();
        long[] gcBefore = gc();
        long start = System.nanoTime();
        measured.await();
        long nanos = System.nanoTime() - start;
        long allocated = totalAllocated(threads) - allocatedBefore
                - (allocated(threads, started) - clientsBefore);
        long calls = LoadCounters.writePossibleCalls() - callsBefore;
        long[] gcAfter = gc();
        for (Thread client : started) {
            client.join();
        }
        assertThat(failed.get()).isNull();

        double mib = bytes.get() / (double) MIB;
        String line = String.format(Locale.ROOT,
                "%s %s%s: %d clients x %d x %d MiB in %.2f s: %.1f MiB/s, %.0f bytes allocated per MiB sent, "
                        + "%.2f onWritePossible per MiB, %d GCs (%d ms), java %s",
                server(), path, System.getProperty("sluice.http.tomcat-write-buffer", "").isEmpty() ? ""
                        : " (sluice.http.tomcat-write-buffer=" + System.getProperty("sluice.http.tomcat-write-buffer")
                                + ")",
                clients, rounds, size / MIB, nanos / 1e9, mib / (nanos / 1e9), allocated / mib,
                calls / mib, gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1], System.getProperty("java.version"));
        System.out.println(line);
        Files.writeString(Path.of("target", "nonblocking-load.txt"), line + System.lineSeparator(),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Sends one GET on the keep-alive connection and reads the body; returns its length. */
    private static long download(SocketChannel channel, String target, ByteBuffer buffer) throws IOException {
        channel.write(ByteBuffer.wrap(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII)));
        buffer.clear();
        int headerEnd = -1;
        byte[] head = null;
        while (headerEnd < 0) {
            if (channel.read(buffer) < 0) {
                throw new IOException("Connection closed in the headers");
            }
            head = new byte[buffer.position()];
            buffer.duplicate().flip().get(head);
            headerEnd = new String(head, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
        }
        String headers = new String(head, 0, headerEnd, StandardCharsets.ISO_8859_1);
        assertThat(headers).startsWith("HTTP/1.1 200");
        long length = -1;
        for (String header : headers.split("\r\n")) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(header.substring(15).trim());
            }
        }
        long body = head.length - (headerEnd + 4);
        while (body < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - body));
            int n = channel.read(buffer);
            if (n < 0) {
                throw new IOException("Connection closed after " + body + " of " + length + " body bytes");
            }
            body += n;
        }
        return body;
    }

    /**
     * {@code getTotalThreadAllocatedBytes()}, called reflectively: the JDK 17 updates have it, but the class signatures
     * of {@code --release 17} (what JDK 25 compiles against) do not.
     */
    private static long totalAllocated(com.sun.management.ThreadMXBean threads) throws ReflectiveOperationException {
        return (long) com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes").invoke(threads);
    }

    private static long allocated(com.sun.management.ThreadMXBean threads, List<Thread> clients) {
        long sum = 0;
        for (Thread client : clients) {
            long bytes = threads.getThreadAllocatedBytes(client.getId());
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    /** Young and old collections together: count and milliseconds. */
    private static long[] gc() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, bean.getCollectionCount());
            millis += Math.max(0, bean.getCollectionTime());
        }
        return new long[] { count, millis };
    }

    /** The load file, written once in pieces (a file of the right size is kept). */
    private static void file(String name, long size) {
        Path file = TransferTestApp.DIR.resolve(name);
        try {
            if (Files.exists(file) && Files.size(file) == size) {
                return;
            }
            Files.createDirectories(TransferTestApp.DIR);
            byte[] piece = new byte[(int) MIB];
            try (OutputStream out = Files.newOutputStream(file)) {
                for (long at = 0; at < size; at += piece.length) {
                    for (int i = 0; i < piece.length; i++) {
                        piece[i] = TransferTestApp.at(at + i);
                    }
                    out.write(piece, 0, (int) Math.min(piece.length, size - at));
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
