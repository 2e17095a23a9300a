package dev.sluice.sample.files;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.sample.RawHttp;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Twenty slow clients of the 512 MiB file do not grow the heap.
 *
 * <h2>Method</h2>
 * The test runs in the server's JVM, so it reads the server's heap: {@link MemoryMXBean#getHeapMemoryUsage()}'s
 * {@code used}, each time right after {@link #collect()} (three {@code System.gc()} calls, which G1, the default
 * collector, performs as full collections), so that the figure is what is retained, not garbage waiting for a
 * collection (each file chunk is a fresh 16 KiB buffer, garbage once sent).
 * <ol>
 *   <li>Baseline: no download running; collect; read.</li>
 *   <li>Twenty clients, each on a socket with a 32 KiB receive buffer, ask for the 512 MiB file, read its first
 *       256 KiB and stop reading. The test waits until all twenty producers are paused: every buffer on the way
 *       (socket buffers, the container's, the consumer's) is full. Collect; read: the heap "while they stall".</li>
 *   <li>Each client reads 4 MiB more, all at once on their own threads, which resumes and re-pauses every producer;
 *       while they read, the heap is read (collected) again: the heap "while they stream".</li>
 *   <li>The clients hang up; every download must end and the file must be closed.</li>
 * </ol>
 * Both readings must be less than 64 MiB above the baseline. Had the app buffered what the clients could not take,
 * the twenty downloads would have held up to 10 GiB. The figures are logged (category
 * {@code dev.sluice.sample.files.HeapTests}).
 */
class HeapTests extends DownloadTestSupport {

    private static final Logger log = LoggerFactory.getLogger(HeapTests.class);

    private static final String FILE = "512MiB.bin";

    private static final int CLIENTS = 20;

    private static final long LIMIT = 64L * 1024 * 1024;

    @Test
    void twentySlowClientsOfTheLargestFileDoNotGrowTheHeap() throws Exception {
        Path file = this.catalog.find(FILE).orElseThrow();
        long baseline = collect();
        List<RawHttp> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                RawHttp client = RawHttp.get(this.port, "/files/" + FILE, 32 * 1024);
                assertThat(client.status()).isEqualTo(200);
                client.skip(256 * 1024);
                clients.add(client);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> pausedDownloads() == CLIENTS);
            long stalled = collect();

            // one thread per client, so all twenty read at once on any JDK (the common pool may have one worker)
            ExecutorService readers = Executors.newFixedThreadPool(CLIENTS);
            List<CompletableFuture<Long>> reads = clients.stream()
                .map(client -> CompletableFuture.supplyAsync(() -> skip(client, 4 * 1024 * 1024), readers))
                .toList();
            long streaming = collect();
            reads.forEach(read -> assertThat(read.join()).isEqualTo(4L * 1024 * 1024));
            readers.shutdown();

            log.info("Heap used after GC: baseline {} MiB; {} slow clients of {} stalled: {} MiB (+{} MiB); "
                    + "streaming: {} MiB (+{} MiB)", mib(baseline), CLIENTS, FILE, mib(stalled),
                    mib(stalled - baseline), mib(streaming), mib(streaming - baseline));
            assertThat(stalled - baseline).as("heap growth while %d clients stall", CLIENTS).isLessThan(LIMIT);
            assertThat(streaming - baseline).as("heap growth while %d clients stream", CLIENTS).isLessThan(LIMIT);
        }
        finally {
            for (RawHttp client : clients) {
                client.close();
            }
        }
        Probe.awaitIdle(this.downloads);
        Probe.awaitClosed(file);
    }

    private long pausedDownloads() {
        return this.registry.producers().stream()
            .filter(producer -> producer.name().startsWith(DownloadController.GROUP + "#"))
            .map(ProducerSnapshot::state)
            .filter(ProducerState.PAUSED::equals)
            .count();
    }

    private static long skip(RawHttp client, long bytes) {
        try {
            return client.skip(bytes);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static long collect() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static String mib(long bytes) {
        return String.format("%.1f", bytes / (1024.0 * 1024.0));
    }
}
