package dev.sluice.twisted.pcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.WaterMarks;
import dev.sluice.twisted.testing.ResumeCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DESIGN §4.5 and §4.3 through the pcp proxies under load (issue 18, defects 9 and 11): writer threads that honour
 * {@code false} — each waits for a resume or a stop of the producer above after it, and a wait that times out is a
 * lost wake-up — write through a proxy into a {@link BufferedConsumer} drained on its own thread by a slow sink. The
 * memory held is measured after every write: a bounded proxy holds at most its bound plus one chunk per writer, and
 * the consumer below at most its high mark plus one chunk per writer; every chunk arrives once, in writer order.
 *
 * <p>Fails on 65a6063: through the basic proxy 217 920 bytes sat below against a high mark of 2 048 (queued writes
 * were answered {@code true} and the consumer's {@code false} was ignored); through the bounded proxy a writer waited
 * in vain for the resume of a {@code false} it got because the proxy was paused (a lost wake-up). Measured here after
 * the fix: bounded proxy peak 1 152 (bound 1 024 + 2 chunks), consumer below peak 2 112 (high + 1 chunk).
 */
class ProxyBoundTest {

    private static final int WRITERS = 3;

    private static final int PER_WRITER = 5_000;

    private static final int CHUNK = 64;

    private static final long PROXY_BOUND = 1024;

    private static final long HIGH = 2048;

    private final ExecutorService threads = Executors.newFixedThreadPool(WRITERS);

    private final ExecutorService drainThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.shutdownNow();
        this.drainThread.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.drainThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @ParameterizedTest(name = "bounded = {0}")
    @ValueSource(booleans = {false, true})
    void writersThatHonourFalseStayWithinTheBoundsAndEveryFalseIsFollowedByAResume(boolean bounded) throws Exception {
        List<String> delivered = new ArrayList<>();
        CRC32 work = new CRC32();
        Sink<String> slow = item -> {
            for (int i = 0; i < 20; i++) { // a slow peer: some work per chunk, on the drain thread only
                work.update(item.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            delivered.add(item);
            return true;
        };
        BufferedConsumer<String> below = BufferedConsumer.builder(slow).name("below")
                .weigher(String::length).waterMarks(new WaterMarks(HIGH, HIGH / 2))
                .drainOn(this.drainThread).build();
        BasicProducerConsumerProxy<String> proxy = bounded
                ? ProducerConsumerProxy.create(below, ChunkType.strings(), true, PROXY_BOUND)
                : BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
        ResumeCounter above = new ResumeCounter();
        proxy.registerProducer(above, true);

        AtomicLong proxyPeak = new AtomicLong();
        AtomicLong belowPeak = new AtomicLong();
        AtomicInteger refusals = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            running.add(this.threads.submit(() -> {
                start.await();
                for (int seq = 0; seq < PER_WRITER; seq++) {
                    long resumesBefore = above.resumes();
                    boolean more = proxy.write(chunk(writer, seq));
                    if (proxy instanceof ProducerConsumerProxy<String> bound) {
                        proxyPeak.accumulateAndGet(bound.bufferedUnits(), Math::max);
                    }
                    belowPeak.accumulateAndGet(below.bufferedUnits(), Math::max);
                    if (!more) {
                        refusals.incrementAndGet();
                        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                                .alias("a resume or a stop after writer " + writer + "'s false at " + seq)
                                .until(() -> above.resumes() != resumesBefore || above.isStopped());
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> writer : running) {
            writer.get(60, TimeUnit.SECONDS);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> below.sentUnits() == (long) WRITERS * PER_WRITER * CHUNK);
        assertThat(refusals).as("writes answered false").hasPositiveValue();
        if (bounded) {
            assertThat(proxyPeak.get()).as("units held by the proxy, bound %d, %d writers of %d", PROXY_BOUND,
                    WRITERS, CHUNK).isLessThanOrEqualTo(PROXY_BOUND + WRITERS * CHUNK);
        }
        assertThat(belowPeak.get()).as("units buffered below, high %d, %d writers of %d", HIGH, WRITERS, CHUNK)
                .isLessThanOrEqualTo(HIGH + (WRITERS + 1) * CHUNK);
        int[] next = new int[WRITERS];
        CountDownLatch read = new CountDownLatch(1);
        List<String> seen = new ArrayList<>();
        this.drainThread.execute(() -> {
            seen.addAll(delivered);
            read.countDown();
        });
        assertThat(read.await(10, TimeUnit.SECONDS)).isTrue();
        for (String item : seen) {
            for (int at = 0; at < item.length(); at += CHUNK) { // a resumed proxy merges what it buffered (PCP-B3)
                String chunk = item.substring(at, at + CHUNK);
                int writer = chunk.charAt(0) - '0';
                int seq = Integer.parseInt(chunk.substring(2, chunk.indexOf(';')));
                assertThat(seq).as("writer %d's next chunk", writer).isEqualTo(next[writer]++);
            }
        }
        assertThat(next).containsOnly(PER_WRITER);
        assertThat(above.isStopped()).isFalse();
    }

    private static String chunk(int writer, int seq) {
        String tag = writer + ":" + seq + ";";
        return tag + "x".repeat(CHUNK - tag.length());
    }
}
