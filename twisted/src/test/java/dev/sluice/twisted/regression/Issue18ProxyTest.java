package dev.sluice.twisted.regression;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.testing.RecordingConsumer;
import dev.sluice.testing.Latches;
import dev.sluice.testing.TestThreads;
import dev.sluice.testing.TracingPushProducer;
import dev.sluice.twisted.pcp.BasicProducerConsumerProxy;
import dev.sluice.twisted.pcp.ChunkType;
import dev.sluice.twisted.pcp.ProducerConsumerProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, defects 9 and 11 (the pcp proxies): a proxy's {@code write} counts what it has queued before it answers,
 * so a writer that honours {@code false} stays within the bound (DESIGN §4.5), and a proxy that answers {@code false}
 * later resumes or stops the producer that got it (§4.3).
 */
class Issue18ProxyTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    private static final int CHUNK = 1024;

    private static final long BOUND = 4 * CHUNK;

    /** The most writes the writer makes: far past the bound. */
    private static final int MAX_WRITES = 1_000;

    private final TestThreads threads = new TestThreads("issue18-proxy");

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.close();
    }

    /**
     * Defect 9: a bounded {@link ProducerConsumerProxy} (4 KiB) whose consumer below is slow in one call on another
     * thread; meanwhile a writer that honours {@code false} writes 1 KiB chunks. Its writes are queued behind the slow
     * call, and must count: the writer sees {@code false} before it has written more than the bound plus one chunk,
     * and then gets its resume (or a stop) once the call below returns.
     *
     * <p>Fails on 65a6063: "bytes written until write returned false" was 1 024 000 (all 1 000 writes answered
     * {@code true}) against the bound 4 096 + 1 024: a queued write returned {@code isWritable()} computed before it
     * counted.
     */
    @Test
    void defect9_aBoundedProxyCountsQueuedWritesSoAWriterThatHonoursFalseStaysWithinTheBound() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        Consumer<byte[]> below = new Consumer<>() {
            @Override
            public void registerProducer(Producer producer, boolean streaming) {
            }

            @Override
            public void unregisterProducer() {
            }

            @Override
            public boolean write(byte[] data) {
                if (first.getAndSet(false)) { // one slow call: a socket write that takes a while
                    inside.countDown();
                    Latches.awaitAtMost(release, PROMPTLY);
                }
                return true;
            }
        };
        ProducerConsumerProxy<byte[]> proxy = ProducerConsumerProxy.create(below, ChunkType.byteArrays(), true, BOUND);
        TracingPushProducer writer = new TracingPushProducer("writer");
        proxy.registerProducer(writer, true);
        Future<?> slow = this.threads.submit(() -> proxy.write(new byte[CHUNK]));
        assertThat(inside.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).as("the slow call started").isTrue();

        int writes = 0;
        boolean writable = true;
        try {
            while (writable && writes < MAX_WRITES) {
                writable = proxy.write(new byte[CHUNK]);
                writes++;
            }
        }
        finally {
            release.countDown();
        }
        slow.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);

        assertThat((long) writes * CHUNK).as("bytes written until write returned false (%d writes; bound %d + one "
                + "chunk)", writes, BOUND).isLessThanOrEqualTo(BOUND + CHUNK);
        writer.awaitResumeOrStopSince(0, PROMPTLY, "defect 9 (bounded proxy, slow call below)");
    }

    /**
     * Defect 11, a bounded {@link ProducerConsumerProxy} paused by its consumer (PCP-1: it does not pass the pause
     * up). If a write then answers {@code false}, the producer that got it must be resumed or stopped once the
     * consumer resumes the proxy.
     *
     * <p>Fails on 65a6063: "P got no resumeProducing or stopProducing within PT5S after write returned false; its
     * callbacks: []": the proxy answered {@code false} while paused, but neither paused nor resumed its producer.
     */
    @Test
    void defect11_aBoundedProxyPausedByItsConsumerKeepsThePromiseOfFalse() {
        RecordingConsumer<String> below = new RecordingConsumer<>();
        ProducerConsumerProxy<String> proxy = ProducerConsumerProxy.create(below, ChunkType.strings(), true, 64);
        assertPromiseKeptWhilePaused(proxy, below, false, "defect 11 (bounded proxy paused by its consumer)");
    }

    /**
     * Defect 11, a {@link BasicProducerConsumerProxy} paused by its consumer before its producer registered: as
     * above, a {@code false} must be followed by a resume or a stop once the consumer resumes the proxy.
     *
     * <p>Fails on 65a6063: "P got no resumeProducing or stopProducing within PT5S after write returned false; its
     * callbacks: []": the pause came before the producer, so the proxy never passed it up, and its resume resumes
     * only a producer it paused.
     */
    @Test
    void defect11_aBasicProxyPausedBeforeItsProducerRegisteredKeepsThePromiseOfFalse() {
        RecordingConsumer<String> below = new RecordingConsumer<>();
        BasicProducerConsumerProxy<String> proxy = BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
        assertPromiseKeptWhilePaused(proxy, below, true, "defect 11 (basic proxy paused before registration)");
    }

    /**
     * The consumer below pauses {@code proxy} (before or after producer P registers with it), P writes "x", and the
     * consumer resumes the proxy: a {@code false} from that write must be followed by a resume or a stop, and "x"
     * reaches the consumer below.
     */
    private static void assertPromiseKeptWhilePaused(BasicProducerConsumerProxy<String> proxy,
            RecordingConsumer<String> below, boolean pausedBeforeRegistration, String what) {
        TracingPushProducer producer = new TracingPushProducer("P");
        if (pausedBeforeRegistration) {
            proxy.pauseProducing();
            proxy.registerProducer(producer, true);
        }
        else {
            proxy.registerProducer(producer, true);
            proxy.pauseProducing();
        }

        int mark = producer.mark();
        boolean writable = proxy.write("x");
        proxy.resumeProducing(); // the consumer below has room again

        if (!writable) {
            producer.awaitResumeOrStopSince(mark, PROMPTLY, what);
        }
        assertThat(below.written()).as("written below").containsExactly("x");
    }

}
