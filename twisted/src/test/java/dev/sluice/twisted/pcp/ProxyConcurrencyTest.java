package dev.sluice.twisted.pcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The threading contract (DESIGN §4) through both pcp proxies: writer threads write tagged chunks through the proxy
 * into a {@link BufferedConsumer} drained on its own thread, whose buffer pauses and resumes the proxy, while an
 * operator thread pauses and resumes it thousands of times more (holds), and a {@link StrictPushProducer} is the
 * proxy's producer.
 */
class ProxyConcurrencyTest {

    private static final int WRITERS = 4;

    private static final int PER_WRITER = 20_000;

    private static final int TOGGLES = 10_000;

    private final ExecutorService threads = Executors.newFixedThreadPool(WRITERS + 1);

    private final ExecutorService drainThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.shutdownNow();
        this.drainThread.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.drainThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Makes a push proxy of one of the two classes over a consumer. */
    interface Kind {

        BasicProducerConsumerProxy<String> create(BufferedConsumer<String> below);
    }

    static Stream<Kind> bothClasses() {
        return Stream.of(named(below -> BasicProducerConsumerProxy.create(below, ChunkType.strings(), true), "Basic"),
                named(below -> ProducerConsumerProxy.create(below, ChunkType.strings(), true, 64), "Bounded(64)"));
    }

    private static Kind named(Kind kind, String name) {
        return new Kind() {
            @Override
            public BasicProducerConsumerProxy<String> create(BufferedConsumer<String> below) {
                return kind.create(below);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void manyWritersAndDownstreamPauses_everyChunkOnceInWriterOrder_upstreamCallbacksSerializedLegalAndNoneLost(
            Kind kind) throws Exception {
        RecordingSink<String> sink = RecordingSink.accepting();
        BufferedConsumer<String> below = BufferedConsumer.builder(sink).name("below").weigher(Weigher.items())
                .waterMarks(new WaterMarks(8, 2)).drainOn(this.drainThread).build();
        BasicProducerConsumerProxy<String> proxy = kind.create(below);
        StrictPushProducer above = new StrictPushProducer();
        proxy.registerProducer(above, true);

        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            running.add(this.threads.submit(() -> {
                start.await();
                for (int seq = 0; seq < PER_WRITER; seq++) {
                    proxy.write(writer + ":" + seq + ";");
                }
                return null;
            }));
        }
        running.add(this.threads.submit(() -> {
            start.await();
            for (int i = 0; i < TOGGLES; i++) {
                below.holdProducer(); // pauses the proxy from the downstream side
                below.releaseProducer(); // and resumes it
            }
            return null;
        }));
        start.countDown();
        for (Future<?> done : running) {
            done.get(30, TimeUnit.SECONDS);
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received(sink)).as("chunks received")
                .isEqualTo(WRITERS * PER_WRITER));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                List.of(below.bufferedUnits(), below.isProducerPaused(), proxy.bufferedChunks(), above.state()))
                .as("below buffered, below paused its producer, proxy buffered, state above; %s", proxy)
                .containsExactly(0L, false, 0, StrictPushProducer.State.RUNNING));
        assertEveryChunkOnceInWriterOrder(sink.items());
        assertThat(above.overlaps()).as("overlapping upstream callbacks").isZero();
        assertThat(above.violations()).as("illegal upstream callbacks").isZero();
        assertThat(above.events()).as("pauses reached the producer above").contains("pause");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bothClasses")
    void writesQueuedBehindARunningWriteArePassedDownByTheThreadRunningTheProxyNeverByTheCommonPool(Kind kind)
            throws Exception {
        int queuedWrites = 5_000;
        CountDownLatch firstWriteInside = new CountDownLatch(1);
        CountDownLatch allQueued = new CountDownLatch(1);
        List<String> writes = Collections.synchronizedList(new ArrayList<>());
        List<String> writingThreads = Collections.synchronizedList(new ArrayList<>());
        BufferedConsumer<String> below = BufferedConsumer.builder(new dev.sluice.Sink<String>() {
            @Override
            public boolean offer(String item) throws Exception {
                writes.add(item);
                writingThreads.add(Thread.currentThread().getName());
                if (writes.size() == 1) {
                    firstWriteInside.countDown();
                    assertThat(allQueued.await(10, TimeUnit.SECONDS)).isTrue();
                }
                return true;
            }
        }).name("below").weigher(Weigher.items()).waterMarks(new WaterMarks(1_000_000, 0)).build();
        BasicProducerConsumerProxy<String> proxy = kind.create(below);

        Future<String> first = this.threads.submit(() -> {
            proxy.write("first;");
            return Thread.currentThread().getName();
        });
        assertThat(firstWriteInside.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < queuedWrites; i++) {
            // queued for the running thread; returns at once. Its answer is false past the bound (ProxyBoundTest):
            // this writer does not honour it, the owner runs every queued write all the same
            proxy.write(i + ";");
        }
        allQueued.countDown();
        String runner = first.get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.bufferedChunks() == 0 && below.bufferedUnits() == 0
                && below.sentUnits() == queuedWrites + 1);
        assertThat(writingThreads.stream().distinct().toList()).as("threads that passed writes down")
                .containsExactly(runner);
    }

    private static int received(RecordingSink<String> sink) {
        int chunks = 0;
        for (String write : sink.items()) {
            chunks += (int) write.chars().filter(c -> c == ';').count();
        }
        return chunks;
    }

    private static void assertEveryChunkOnceInWriterOrder(List<String> writes) {
        int[] next = new int[WRITERS];
        for (String write : writes) {
            for (String chunk : write.split(";")) {
                int colon = chunk.indexOf(':');
                int writer = Integer.parseInt(chunk.substring(0, colon));
                int seq = Integer.parseInt(chunk.substring(colon + 1));
                assertThat(seq).as("writer %d's next chunk", writer).isEqualTo(next[writer]);
                next[writer]++;
            }
        }
        assertThat(next).containsOnly(PER_WRITER);
    }
}
