package dev.sluice.benchmarks.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Many slow clients of one large file: {@value #SLOW} clients on loopback, each reading at {@value #SLOW_RATE} bytes/s
 * with a 16 KiB receive buffer, plus {@value #FAST} fast ones that download the file again and again, against four
 * servers, each in its own JVM ({@link DownloadServer}, same heap and JDK):
 * <ol>
 *   <li>{@code sluice}: a controller returning {@code SluiceBody.file(path)};</li>
 *   <li>{@code resource}: {@code ResponseEntity<FileSystemResource>} on Tomcat's default pool (200 threads);</li>
 *   <li>{@code resource-virtual}: the same with {@code spring.threads.virtual.enabled=true};</li>
 *   <li>{@code streaming}: a {@code StreamingResponseBody} on Boot's default MVC async executor;</li>
 *   <li>{@code sluice-16k} (on request): {@code sluice} with 16 KiB / 8 KiB water marks per download instead of the
 *       default 64 KiB / 32 KiB.</li>
 * </ol>
 * The slow clients connect first, then the fast ones; after a ramp of {@value #RAMP_SECONDS} s the window of
 * {@value #WINDOW_SECONDS} s is measured: how many slow clients are being served (received bytes in the window), the
 * body bytes received (all, and by the fast clients), the server's platform threads and its heap after a full GC
 * (through the server's side door, before the load and at the end of the window), and the 99th percentile of every
 * client's time to its first body byte (clients that got none count as never).
 *
 * <pre>{@code benchmarks/run-http.sh}</pre>
 *
 * Arguments: the Java binary for the servers (default: this JVM's), then optionally the sides to run.
 */
public final class ManySlowClients {

    static final int SLOW = 1000;

    static final int FAST = 10;

    static final int SLOW_RATE = 16 * 1024;

    static final int RAMP_SECONDS = 5;

    static final int WINDOW_SECONDS = 20;

    private static final long FILE_SIZE = 128L * 1024 * 1024;

    private static final int PORT = 18080;

    private static final int STATS_PORT = 18099;

    private ManySlowClients() {
    }

    public static void main(String[] args) throws Exception {
        String java = (args.length > 0) ? args[0] : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> sides = (args.length > 1) ? List.of(args).subList(1, args.length)
                : List.of("sluice", "sluice-16k", "resource", "resource-virtual", "streaming");
        Path dir = Path.of("benchmarks", "target", "http-files").toAbsolutePath();
        makeFile(dir.resolve("large.bin"));
        List<String> rows = new ArrayList<>();
        for (String side : sides) {
            rows.add(run(java, side, dir));
            System.out.println(rows.get(rows.size() - 1));
        }
        StringBuilder table = new StringBuilder()
            .append("| side | slow clients served at once (of ").append(SLOW).append(") | server platform threads"
                    + " (peak) | heap after GC, idle → under load (MiB) | aggregate MiB/s | fast clients MiB/s"
                    + " | p99 time to first byte |\n")
            .append("|---|---|---|---|---|---|---|\n");
        rows.forEach(row -> table.append(row).append('\n'));
        System.out.println();
        System.out.println(table);
        Path out = Path.of("benchmarks", "results", "http-slow-clients.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, "Many slow clients of one large file (" + SLOW + " slow at " + SLOW_RATE / 1024
                + " KiB/s + " + FAST + " fast, " + WINDOW_SECONDS + " s window, JDK "
                + System.getProperty("java.version") + " driver)\n\n" + table);
        System.out.println("wrote " + out);
    }

    private static String run(String java, String side, Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-Dbench.stats-port=" + STATS_PORT, "-cp",
                System.getProperty("java.class.path"), DownloadServer.class.getName(), "--server.port=" + PORT,
                "--bench.dir=" + dir, "--spring.main.banner-mode=off", "--logging.level.root=WARN"));
        if (side.equals("resource-virtual")) {
            command.add("--spring.threads.virtual.enabled=true");
        }
        if (side.equals("sluice-16k")) { // the same, with a smaller buffer per download than the 64 KiB default
            command.add("--sluice.consumers.bench.high-water-mark=16KB");
            command.add("--sluice.consumers.bench.low-water-mark=8KB");
        }
        Path log = Path.of("benchmarks", "target", "http-server-" + side + ".log");
        Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitPort(PORT, server);
            String path = switch (side) {
                case "sluice", "sluice-16k" -> "/sluice/large.bin";
                case "resource", "resource-virtual" -> "/resource/large.bin";
                case "streaming" -> "/streaming/large.bin";
                default -> throw new IllegalArgumentException("unknown side " + side);
            };
            warmUp(path);
            long[] idle = stats();
            LoadClients load = new LoadClients(new InetSocketAddress("127.0.0.1", PORT), path, SLOW_RATE, 16 * 1024);
            try {
                load.connect(SLOW, false);
                load.run(TimeUnit.SECONDS.toNanos(1));
                load.connect(FAST, true);
                load.run(TimeUnit.SECONDS.toNanos(RAMP_SECONDS));
                load.resetCounters();
                long windowStart = System.nanoTime();
                load.run(TimeUnit.SECONDS.toNanos(WINDOW_SECONDS));
                double seconds = (System.nanoTime() - windowStart) / 1e9;
                long[] loaded = stats();
                return row(side, load, windowStart, seconds, idle, loaded);
            }
            finally {
                load.close();
            }
        }
        finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static String row(String side, LoadClients load, long windowStart, double seconds, long[] idle,
            long[] loaded) {
        long served = 0;
        long all = 0;
        long fast = 0;
        List<Long> ttfb = new ArrayList<>();
        for (LoadClients.Client client : load.clients()) {
            all += client.windowBytes;
            if (client.fast) {
                fast += client.windowBytes;
            }
            else if (client.lastByteAt >= windowStart) {
                served++;
            }
            ttfb.add((client.firstByteAt > 0) ? client.firstByteAt - client.requestedAt : Long.MAX_VALUE);
        }
        ttfb.sort(null);
        long p99 = ttfb.get((int) Math.ceil(ttfb.size() * 0.99) - 1);
        String p99Text = (p99 == Long.MAX_VALUE) ? "never (> " + (RAMP_SECONDS + WINDOW_SECONDS + 1) + " s)"
                : String.format(Locale.ROOT, "%.0f ms", p99 / 1e6);
        double mib = 1024.0 * 1024.0;
        return String.format(Locale.ROOT, "| %s | %d | %d (%d) | %.0f → %.0f | %.1f | %.1f | %s |", side, served,
                loaded[1], loaded[2], idle[0] / mib, loaded[0] / mib, all / mib / seconds, fast / mib / seconds,
                p99Text);
    }

    private static void warmUp(String path) throws IOException, InterruptedException {
        LoadClients warm = new LoadClients(new InetSocketAddress("127.0.0.1", PORT), path, SLOW_RATE, 16 * 1024);
        try {
            warm.connect(2, true);
            warm.run(TimeUnit.SECONDS.toNanos(3));
        }
        finally {
            warm.close();
        }
        Thread.sleep(1000); // let the server settle before the idle reading
    }

    /** Heap used after GC, live platform threads, peak threads: from the server's side door. */
    private static long[] stats() throws IOException {
        URI uri = URI.create("http://127.0.0.1:" + STATS_PORT + "/stats");
        try (InputStream in = uri.toURL().openStream()) {
            String[] parts = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split(" ");
            return new long[] { Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]) };
        }
    }

    private static void awaitPort(int port, Process server) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IOException("the server exited with " + server.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            }
            catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IOException("the server did not start in 90 s");
    }

    private static void makeFile(Path file) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) == FILE_SIZE) {
            return;
        }
        Files.createDirectories(file.getParent());
        ByteBuffer block = ByteBuffer.allocate(1024 * 1024);
        for (int i = 0; i < block.capacity(); i++) {
            block.put(i, (byte) (i * 31 ^ i >>> 8));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < FILE_SIZE; written += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) {
                    channel.write(block);
                }
            }
        }
    }
}
