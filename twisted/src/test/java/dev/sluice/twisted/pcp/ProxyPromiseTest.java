package dev.sluice.twisted.pcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import dev.sluice.testing.RecordingConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18, defects 9 and 11, for the pcp proxies: the memory bound holds for a writer that honours {@code false} while
 * a call below is slow, and every {@code false} a proxy answers is followed by {@code resumeProducing} or
 * {@code stopProducing} to the producer above.
 */
class ProxyPromiseTest {

    private static final int KIB = 1024;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    /** Write answers and the calls the producer above received, in one order. */
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Defect 9, the bounded proxy: fails on 65a6063, where every write queued behind the slow call answered
     * {@code true} (the issue measured 100 000 × 1 KiB against a 4 KiB bound; here all 10 000 tried were). Now the
     * queued writes count: the writer is refused at the bound, and gets its pause and resume once the slow call below
     * returns.
     */
    @Test
    void defect9_boundedProxy_writesQueuedBehindASlowCallBelowCountAgainstTheBound() throws Exception {
        SlowFirstWrite below = new SlowFirstWrite();
        ProducerConsumerProxy<String> proxy = ProducerConsumerProxy.create(below, ChunkType.strings(), true, 4 * KIB);
        proxy.registerProducer(new LoggingPushProducer(), true);
        Future<?> slow = this.threads.submit(() -> proxy.write("first")); // 5 units, held while the call below lasts
        assertThat(below.inside.await(10, TimeUnit.SECONDS)).isTrue();

        List<String> sent = new ArrayList<>();
        long peak = 0;
        for (int i = 0; i < 10_000; i++) {
            String chunk = kib(i);
            sent.add(chunk);
            boolean more = write(proxy, chunk);
            peak = Math.max(peak, proxy.bufferedUnits());
            if (!more) {
                break; // the writer honours false
            }
        }

        assertThat(this.log).as("answers while the call below is slow: 5 + 3 KiB < 4 KiB <= 5 + 4 KiB")
                .containsExactly("true", "true", "true", "false");
        assertThat(peak).as("units held, bound %d, one writer", 4 * KIB).isEqualTo(5 + 4 * KIB)
                .isLessThanOrEqualTo(4 * KIB + KIB);

        below.release.countDown();
        slow.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.bufferedUnits() == 0);
        List<String> expected = new ArrayList<>(List.of("first"));
        expected.addAll(sent);
        assertThat(below.written()).as("delivered below, in order").containsExactlyElementsOf(expected);
        assertThat(calls()).as("calls to the producer above after its false").startsWith("pause").endsWith("resume");
        assertAlternating(calls());
        assertPromiseKept();
    }

    /**
     * Defect 9, the basic proxy: fails on 65a6063, where every queued write answered {@code true} (the proxy was not
     * paused), so the writer queued without bound. The basic proxy has no bound of its own: a queued write is answered
     * {@code false}, and once it has run, the producer above gets a pause and a resume.
     */
    @Test
    void defect9_basicProxy_aWriteQueuedBehindASlowCallBelowIsAnsweredFalseThenPausedAndResumed() throws Exception {
        SlowFirstWrite below = new SlowFirstWrite();
        BasicProducerConsumerProxy<String> proxy = BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
        proxy.registerProducer(new LoggingPushProducer(), true);
        Future<?> slow = this.threads.submit(() -> proxy.write("first"));
        assertThat(below.inside.await(10, TimeUnit.SECONDS)).isTrue();

        int queued = 0;
        while (queued < 10_000 && write(proxy, kib(queued))) {
            queued++;
        }

        assertThat(queued).as("queued writes answered true").isZero();
        below.release.countDown();
        slow.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> below.written().size() == 2);
        assertThat(below.written()).containsExactly("first", kib(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls().size() == 2);
        assertThat(this.log).containsExactly("false", "pause", "resume");
    }

    /**
     * Defect 11, the bounded proxy paused by its consumer: fails on 65a6063, where the write answered {@code false}
     * because the proxy was paused, which by PCP-1 it never passes up, so no resume ever followed. The paused proxy
     * buffers within its bound and answers {@code true}; at the bound it answers {@code false}, pauses the producer
     * (PCP-3) and resumes it when its consumer resumes it and the buffer drains (PCP-2).
     */
    @Test
    void defect11_boundedProxyPausedByItsConsumer_answersFalseOnlyAtTheBoundAndThenResumes() {
        RecordingConsumer<String> below = new RecordingConsumer<>();
        ProducerConsumerProxy<String> proxy = ProducerConsumerProxy.create(below, ChunkType.strings(), true, 100);
        proxy.registerProducer(new LoggingPushProducer(), true);

        proxy.pauseProducing();
        write(proxy, "x".repeat(10));
        proxy.resumeProducing();

        assertThat(this.log).as("a paused proxy buffers within its bound").containsExactly("true");
        assertThat(below.written()).containsExactly("x".repeat(10));
        assertPromiseKept();

        proxy.pauseProducing();
        write(proxy, "y".repeat(60));
        write(proxy, "z".repeat(40));
        proxy.resumeProducing();

        assertThat(this.log).containsExactly("true", "true", "pause", "false", "resume");
        assertThat(below.written()).containsExactly("x".repeat(10), "y".repeat(60) + "z".repeat(40));
        assertPromiseKept();
    }

    /**
     * Defect 11, the basic proxy paused before its producer registered: fails on 65a6063, where the write answered
     * {@code false} (paused) but the proxy had passed no pause up, so its resume passed none up either. Now the write
     * that gets {@code false} pauses the producer, and the consumer's resume of the proxy resumes it.
     */
    @Test
    void defect11_basicProxyPausedBeforeItsProducerRegistered_theFalseIsFollowedByAResume() {
        RecordingConsumer<String> below = new RecordingConsumer<>();
        BasicProducerConsumerProxy<String> proxy = BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
        proxy.pauseProducing();
        proxy.registerProducer(new LoggingPushProducer(), true);

        write(proxy, "held");
        proxy.resumeProducing();

        assertThat(this.log).containsExactly("pause", "false", "resume");
        assertThat(below.written()).containsExactly("held");
        assertPromiseKept();
    }

    /**
     * The proxies honour the {@code false} of the consumer below, whose pause comes later (from its drain executor,
     * say): the writes that follow wait in the proxy, not below. Fails on 65a6063, where the proxies ignored the answer
     * and passed every write down until the pause arrived, and the basic proxy answered {@code true} meanwhile.
     */
    @Test
    void theProxiesHonourTheFalseOfTheConsumerBelowBeforeItsPauseArrives() {
        RefusingFromSecondWrite below = new RefusingFromSecondWrite();
        BasicProducerConsumerProxy<String> basic = BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
        basic.registerProducer(new LoggingPushProducer(), true);
        write(basic, "a");
        write(basic, "b");
        assertThat(this.log).as("basic: below answered false to b").containsExactly("true", "pause", "false");
        write(basic, "c"); // a writer that did not honour false: held in the proxy
        assertThat(below.written).containsExactly("a", "b");

        basic.pauseProducing(); // the consumer keeps its promise: its pause, then its resume
        below.refusing = false;
        basic.resumeProducing();
        assertThat(below.written).containsExactly("a", "b", "c");
        assertThat(this.log).containsExactly("true", "pause", "false", "false", "resume");

        this.log.clear();
        RefusingFromSecondWrite belowBounded = new RefusingFromSecondWrite();
        ProducerConsumerProxy<String> bounded = ProducerConsumerProxy.create(belowBounded, ChunkType.strings(), true,
                100);
        bounded.registerProducer(new LoggingPushProducer(), true);
        write(bounded, "a");
        write(bounded, "b");
        write(bounded, "c");
        assertThat(belowBounded.written).as("bounded: c waits in the proxy's buffer").containsExactly("a", "b");
        assertThat(bounded.bufferedUnits()).isEqualTo(1);
        assertThat(this.log).as("within the proxy's own bound").containsExactly("true", "true", "true");
        bounded.pauseProducing();
        belowBounded.refusing = false;
        bounded.resumeProducing();
        assertThat(belowBounded.written).containsExactly("a", "b", "c");
    }

    /** A proxy stopped by its consumer answers false and stops a producer that registers with it afterwards. */
    @Test
    void aStoppedProxyAnswersFalseAndStopsAProducerRegisteredSince() {
        for (boolean bounded : new boolean[] {false, true}) {
            this.log.clear();
            RecordingConsumer<String> below = new RecordingConsumer<>();
            BasicProducerConsumerProxy<String> proxy = bounded
                    ? ProducerConsumerProxy.create(below, ChunkType.strings(), true, 100)
                    : BasicProducerConsumerProxy.create(below, ChunkType.strings(), true);
            proxy.registerProducer(new LoggingPushProducer(), true);
            proxy.stopProducing();
            write(proxy, "late");
            proxy.unregisterProducer();
            proxy.registerProducer(new LoggingPushProducer(), true);
            write(proxy, "later");
            write(proxy, "latest");

            assertThat(this.log).as(proxy.toString()).containsExactly("stop", "false", "stop", "false", "false");
            assertThat(below.written()).isEmpty();
        }
    }

    private boolean write(Consumer<String> proxy, String chunk) {
        boolean answer = proxy.write(chunk);
        this.log.add(String.valueOf(answer));
        return answer;
    }

    private List<String> calls() {
        synchronized (this.log) {
            return this.log.stream().filter(entry -> !entry.equals("true") && !entry.equals("false")).toList();
        }
    }

    /** Every "false" in the log is followed, later, by a "resume" or a "stop". */
    private void assertPromiseKept() {
        List<String> entries;
        synchronized (this.log) {
            entries = List.copyOf(this.log);
        }
        int lastFalse = entries.lastIndexOf("false");
        if (lastFalse >= 0) {
            assertThat(entries.subList(lastFalse, entries.size())).as("after the last false: %s", entries)
                    .containsAnyOf("resume", "stop");
        }
    }

    private static void assertAlternating(List<String> calls) {
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i)).as("call %d of %s", i, calls).isEqualTo((i % 2 == 0) ? "pause" : "resume");
        }
    }

    private static String kib(int i) {
        String tag = i + ";";
        return tag + "x".repeat(KIB - tag.length());
    }

    /** A push producer above that logs its calls. */
    private final class LoggingPushProducer implements PushProducer {

        @Override
        public void pauseProducing() {
            ProxyPromiseTest.this.log.add("pause");
        }

        @Override
        public void resumeProducing() {
            ProxyPromiseTest.this.log.add("resume");
        }

        @Override
        public void stopProducing() {
            ProxyPromiseTest.this.log.add("stop");
        }
    }

    /** A consumer that answers false from its second write on, and pauses nobody by itself. */
    private static final class RefusingFromSecondWrite extends RecordingConsumer<String> {

        final List<String> written = new ArrayList<>();

        boolean refusing = true;

        @Override
        public boolean write(String data) {
            super.write(data);
            this.written.add(data);
            return !this.refusing || this.written.size() < 2;
        }
    }

    /** A consumer whose first write blocks until released: a slow call below. */
    private static final class SlowFirstWrite implements Consumer<String> {

        final CountDownLatch inside = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);

        private final List<String> written = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void registerProducer(Producer producer, boolean streaming) {
            Objects.requireNonNull(producer);
        }

        @Override
        public void unregisterProducer() {
        }

        @Override
        public boolean write(String data) {
            this.written.add(data);
            if (this.written.size() == 1) {
                this.inside.countDown();
                try {
                    assertThat(this.release.await(10, TimeUnit.SECONDS)).isTrue();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(ex);
                }
            }
            return true;
        }

        List<String> written() {
            synchronized (this.written) {
                return List.copyOf(this.written);
            }
        }
    }
}
