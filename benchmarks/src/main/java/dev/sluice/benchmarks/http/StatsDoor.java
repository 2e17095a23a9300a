package dev.sluice.benchmarks.http;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The server's side door: the JDK's HTTP server on its own thread, so that the figures can be read while every
 * container thread is busy. {@code /stats} collects garbage first and answers the heap used after it, the live
 * platform threads and the peak since the last {@code /stats} (then resets the peak, so that a server that runs
 * several sides one after the other reports each side's own peak); {@code /counters} answers, without a collection,
 * what grows with the work done: bytes allocated by all threads, process CPU time and collections, read at both ends
 * of the measured window.
 */
final class StatsDoor {

    private StatsDoor() {
    }

    static void open(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/stats", exchange -> answer(exchange, stats()));
        server.createContext("/counters", exchange -> answer(exchange, counters()));
        server.start();
    }

    /** {@code heapUsedAfterGc liveThreads peakThreads}. */
    private static String stats() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        var threads = ManagementFactory.getThreadMXBean();
        String answer = heap + " " + threads.getThreadCount() + " " + threads.getPeakThreadCount();
        threads.resetPeakThreadCount();
        return answer;
    }

    /**
     * {@code allocatedBytes processCpuNanos collections collectionMillis}. Allocation is counted per platform thread;
     * a virtual thread's allocation is its carrier's, so it is included.
     */
    private static String counters() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long collections = 0;
        long collectionMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += Math.max(0, gc.getCollectionCount());
            collectionMillis += Math.max(0, gc.getCollectionTime());
        }
        return totalAllocated(threads) + " " + os.getProcessCpuTime() + " " + collections + " "
                + collectionMillis;
    }

    /**
     * {@code getTotalThreadAllocatedBytes()}, called reflectively: JDK 17's updates and later JDKs have it, but the
     * class signatures of {@code --release 17} (what JDK 25 compiles against) do not.
     */
    private static long totalAllocated(com.sun.management.ThreadMXBean threads) {
        try {
            return (long) com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes")
                .invoke(threads);
        }
        catch (ReflectiveOperationException ex) {
            return -1;
        }
    }

    private static void answer(HttpExchange exchange, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
