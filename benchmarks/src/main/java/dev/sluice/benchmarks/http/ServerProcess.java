package dev.sluice.benchmarks.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link DownloadServer} in its own JVM (same JDK, 1 GiB heap), with its side door; closing it ends the JVM. */
final class ServerProcess implements AutoCloseable {

    private static final int FIRST_PORT = 18080;

    private static final int FIRST_STATS_PORT = 18180;

    private final Process process;

    private final int port;

    private final int statsPort;

    private ServerProcess(Process process, int port, int statsPort) {
        this.process = process;
        this.port = port;
        this.statsPort = statsPort;
    }

    /**
     * Starts a server on {@code container}, on virtual threads if asked, without waiting for it: servers started
     * together ({@code slot} 0, 1, ...: their own ports) pay their start-up at once, before anything is measured.
     */
    static ServerProcess launch(String java, Container container, boolean virtualThreads, Path dir, Path log, int slot)
            throws IOException {
        int port = FIRST_PORT + slot;
        int statsPort = FIRST_STATS_PORT + slot;
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-Dbench.stats-port=" + statsPort));
        // extra JVM options for the servers, such as a flight recording to see where a side's time goes
        String options = System.getenv().getOrDefault("SERVER_JAVA_OPTIONS", "").strip();
        if (!options.isEmpty()) {
            command.addAll(List.of(options.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DownloadServer.class.getName(),
                "--server.port=" + port, "--bench.dir=" + dir, "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        command.addAll(container.serverArguments(virtualThreads));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServerProcess(process, port, statsPort);
    }

    /** Waits until the server accepts connections; ends it if it does not. */
    ServerProcess awaitReady() throws IOException, InterruptedException {
        try {
            awaitPort();
            return this;
        }
        catch (IOException | InterruptedException | RuntimeException ex) {
            close();
            throw ex;
        }
    }

    int port() {
        return this.port;
    }

    /** Heap used after GC, live platform threads, peak threads since the last reading. */
    long[] stats() throws IOException {
        return read("/stats");
    }

    /** Bytes allocated, process CPU nanoseconds, collections, collection milliseconds: all since the start. */
    long[] counters() throws IOException {
        return read("/counters");
    }

    private long[] read(String path) throws IOException {
        URI uri = URI.create("http://127.0.0.1:" + this.statsPort + path);
        try (InputStream in = uri.toURL().openStream()) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            return Arrays.stream(text.split(" ")).mapToLong(Long::parseLong).toArray();
        }
    }

    private void awaitPort() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!this.process.isAlive()) {
                throw new IOException("the server exited with " + this.process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
                return;
            }
            catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("the server did not start in 90 s");
    }

    @Override
    public void close() {
        this.process.destroy();
        try {
            if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
                this.process.destroyForcibly();
                this.process.waitFor(20, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            this.process.destroyForcibly();
            Thread.currentThread().interrupt(); // the caller's interrupt stays set; the server is gone either way
        }
    }
}
