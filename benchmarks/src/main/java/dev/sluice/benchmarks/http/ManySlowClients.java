package dev.sluice.benchmarks.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Many slow clients of one large file (S7), every {@link Side} on every {@link Container} in one run: slow clients on
 * loopback, each reading 16 KiB/s with a 16 KiB receive buffer, plus fast ones that download the 128 MiB file again
 * and again, against {@link DownloadServer}s in their own JVMs (same heap and JDK).
 *
 * <p>Per side, after a warm-up, the heap is read idle; the slow clients connect, then the fast ones; after a ramp the
 * window is measured: how many slow clients are being served (received bytes in the window), the body bytes received
 * (all, and by the fast clients), the server's platform threads, its heap after a full GC at the end of the window, the
 * 99th percentile of every client's time to its first body byte (clients that got none count as never), and the
 * server's allocation, CPU time and collections per MiB sent. {@link ResultTable} adds the ratios and the targets.
 *
 * <p>{@link Mode#FULL} starts a server JVM per side (1 000 slow clients, 20 s window); {@link Mode#QUICK} (300 slow
 * clients, 3 s window) starts one per container and thread kind and runs the platform-thread sides one after the other
 * in it, the sides that grow the container's pool last (Tomcat keeps idle threads for 60 s).
 *
 * <pre>{@code benchmarks/run-http.sh [--quick] [--container tomcat|jetty]... [side...]}</pre>
 *
 * Arguments: the Java binary for the servers, then the options above.
 */
public final class ManySlowClients {

    static final int SLOW_RATE = 16 * 1024;

    private static final int SLOW_RECEIVE_BUFFER = 16 * 1024;

    private static final long FILE_SIZE = 128L * 1024 * 1024;

    private static final String FILE = "large.bin";

    private final String java;

    private final Mode mode;

    private final Path dir;

    private final long started = System.nanoTime();

    private ManySlowClients(String java, Mode mode, Path dir) {
        this.java = java;
        this.mode = mode;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        String java = args[0];
        Mode mode = Mode.FULL;
        List<Container> containers = new ArrayList<>();
        List<Side> sides = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> mode = Mode.QUICK;
                case "--full" -> mode = Mode.FULL;
                case "--container" -> containers.add(Container.of(args[++i]));
                default -> sides.add(Side.of(args[i]));
            }
        }
        containers = containers.isEmpty() ? List.of(Container.values()) : containers;
        sides = sides.isEmpty() ? List.of(Side.values()) : sides;
        Path dir = Path.of("benchmarks", "target", "http-files").toAbsolutePath();
        makeFile(dir.resolve(FILE));
        ManySlowClients bench = new ManySlowClients(java, mode, dir);
        List<SideResult> results = new ArrayList<>();
        if (mode.sharedServers()) {
            results.addAll(bench.runShared(containers, sides));
        }
        else {
            for (Container container : containers) {
                results.addAll(bench.run(container, sides));
            }
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String heading = String.format(Locale.ROOT, "S7, %s mode: %d slow clients at %d KiB/s + %d fast, %.0f s window,"
                + " server JDK %s; run took %.1f min", mode.name(), mode.slowClients(), SLOW_RATE / 1024,
                mode.fastClients(), mode.windowMillis() / 1000.0, serverJdk(java), minutes);
        String table = new ResultTable(results).markdown();
        System.out.println();
        System.out.println(heading);
        System.out.println();
        System.out.println(table);
        Path out = Path.of("benchmarks", "results");
        Files.createDirectories(out);
        Path md = out.resolve("http-slow-clients-" + mode.name() + ".md");
        Path svg = out.resolve("http-slow-clients-" + mode.name() + ".svg");
        Files.writeString(md, heading + "\n\n" + table);
        Files.writeString(svg, new BarChart(results, heading).svg());
        System.out.println("wrote " + md + " and " + svg);
    }

    /** Every side on one container: one JVM per side, or in quick mode one per thread kind. */
    private List<SideResult> run(Container container, List<Side> sides) throws Exception {
        List<SideResult> results = new ArrayList<>();
        for (Side side : sides) {
            try (ServerProcess server = launch(container, side.virtualThreads, side.label, 0).awaitReady()) {
                results.add(measure(server, container, side));
            }
        }
        return results;
    }

    /**
     * Quick mode: a JVM per container and thread kind, all started together before anything is measured (start-up
     * is a third of the run otherwise), each running its sides one after the other, then ended.
     */
    private List<SideResult> runShared(List<Container> containers, List<Side> sides) throws Exception {
        record Group(Container container, boolean virtual, List<Side> sides) {
        }
        List<Group> groups = new ArrayList<>();
        for (Container container : containers) {
            for (boolean virtual : new boolean[] { false, true }) {
                List<Side> kind = sides.stream().filter(side -> side.virtualThreads == virtual).toList();
                if (!kind.isEmpty()) {
                    groups.add(new Group(container, virtual, kind));
                }
            }
        }
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (Group group : groups) {
                servers.add(launch(group.container(), group.virtual(), group.virtual() ? "virtual" : "platform",
                        servers.size()));
            }
            for (ServerProcess server : servers) {
                server.awaitReady(); // all of them: one still starting would take CPU from the side measured
            }
            List<SideResult> results = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) {
                try (ServerProcess server = servers.get(i)) {
                    for (Side side : groups.get(i).sides()) {
                        results.add(measure(server, groups.get(i).container(), side));
                    }
                }
            }
            return results;
        }
        finally {
            for (ServerProcess server : servers) {
                server.close();
            }
        }
    }

    private ServerProcess launch(Container container, boolean virtual, String name, int slot) throws IOException {
        log("starting a server on " + container.label + ", " + (virtual ? "virtual" : "platform") + " threads");
        Path log = Path.of("benchmarks", "target", "http-server-" + container.label + "-" + name + ".log");
        return ServerProcess.launch(this.java, container, virtual, this.dir, log, slot);
    }

    private SideResult measure(ServerProcess server, Container container, Side side) throws Exception {
        String path = side.path + FILE;
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
        warmUp(address, path);
        long[] idle = server.stats();
        LoadClients load = new LoadClients(address, path, SLOW_RATE, SLOW_RECEIVE_BUFFER);
        try {
            load.connect(this.mode.slowClients(), false);
            load.run(TimeUnit.MILLISECONDS.toNanos(this.mode.slowSettleMillis()));
            load.connect(this.mode.fastClients(), true);
            load.run(TimeUnit.MILLISECONDS.toNanos(this.mode.rampMillis()));
            load.resetCounters();
            long[] before = server.counters();
            long windowStart = System.nanoTime();
            load.run(TimeUnit.MILLISECONDS.toNanos(this.mode.windowMillis()));
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            long[] after = server.counters();
            long[] loaded = server.stats();
            SideResult result = result(container, side, load, windowStart, seconds, idle, loaded, before, after);
            log(result.summary());
            return result;
        }
        finally {
            load.close();
            Thread.sleep(300); // let the server see the connections go before the next side's warm-up
        }
    }

    private SideResult result(Container container, Side side, LoadClients load, long windowStart, double seconds,
            long[] idle, long[] loaded, long[] before, long[] after) {
        long served = 0;
        long all = 0;
        long fast = 0;
        List<Long> firstBytes = new ArrayList<>();
        for (LoadClients.Client client : load.clients()) {
            all += client.windowBytes;
            if (client.fast) {
                fast += client.windowBytes;
            }
            else if (client.lastByteAt >= windowStart) {
                served++;
            }
            firstBytes.add((client.firstByteAt > 0) ? client.firstByteAt - client.requestedAt : Long.MAX_VALUE);
        }
        firstBytes.sort(null);
        long p99 = firstBytes.get((int) Math.ceil(firstBytes.size() * 0.99) - 1);
        double sentMib = Math.max(all, 1) / SideResult.MIB;
        return new SideResult(container, side, this.mode.slowClients(), served, loaded[1], loaded[2], idle[0],
                loaded[0], all / seconds, fast / seconds, p99, (after[0] - before[0]) / sentMib,
                (after[1] - before[1]) / 1e6 / sentMib, after[2] - before[2]);
    }

    /** Two fast clients, so that the window pays neither class loading nor the first compilations. */
    private void warmUp(InetSocketAddress address, String path) throws IOException, InterruptedException {
        LoadClients warm = new LoadClients(address, path, SLOW_RATE, SLOW_RECEIVE_BUFFER);
        try {
            warm.connect(2, true);
            warm.run(TimeUnit.MILLISECONDS.toNanos(this.mode.warmUpMillis()));
        }
        finally {
            warm.close();
        }
        Thread.sleep(300); // let the server settle before the idle reading
    }

    private void log(String line) {
        System.out.printf(Locale.ROOT, "[%5.1f s] %s%n", (System.nanoTime() - this.started) / 1e9, line);
    }

    private static String serverJdk(String java) {
        try {
            Process version = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
            String first = new String(version.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
            version.waitFor();
            return first.replaceAll(".*\"(.*)\".*", "$1");
        }
        catch (IOException | InterruptedException ex) {
            return "?";
        }
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
