package dev.sluice.twisted.paging;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.file.FileSender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The threading contract through paging: pagers (string and file) are started from several threads while two other
 * threads drive the broker's transport, asking for pages whenever the broker is registered.
 */
class PagingConcurrencyTest {

    private static final int STARTERS = 4;

    private static final int PAGERS_PER_STARTER = 40;

    private static final int PUMPS = 2;

    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newFixedThreadPool(STARTERS + PUMPS);

    /** Where the broker's lane continues a long drain, so a starter is not held running the pumps' calls. */
    private final ExecutorService handOff = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutDown() throws InterruptedException {
        this.threads.shutdownNow();
        this.handOff.shutdownNow();
        assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(this.handOff.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A transport that any thread may drive; counts registrations made over a registered producer. */
    static final class SharedTransport implements Consumer<Object> {

        final AtomicReference<Producer> producer = new AtomicReference<>();

        final AtomicInteger doubleRegistrations = new AtomicInteger();

        @Override
        public void registerProducer(Producer registered, boolean streaming) {
            if (!this.producer.compareAndSet(null, registered)) {
                this.doubleRegistrations.incrementAndGet();
            }
        }

        @Override
        public void unregisterProducer() {
            this.producer.set(null);
        }

        @Override
        public boolean write(Object data) {
            return true;
        }
    }

    /** Records pages as text, then "|ended", and counts callbacks. */
    static final class TextCollector<P> implements PageCollector<P> {

        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        final AtomicInteger callbacks = new AtomicInteger();

        @Override
        public void gotPage(P page) {
            this.events.add((page instanceof ByteBuffer bytes)
                    ? StandardCharsets.ISO_8859_1.decode(bytes.duplicate()).toString() : (String) page);
        }

        @Override
        public void endedPaging() {
            this.events.add("|ended");
        }

        String text() {
            StringBuilder out = new StringBuilder();
            List<String> copy;
            synchronized (this.events) {
                copy = List.copyOf(this.events);
            }
            copy.forEach(out::append);
            return out.toString();
        }
    }

    @Test
    void pagersStartedOnManyThreadsWhileTwoThreadsPump_everyPageOnceInOrderEndedLastAndEveryFileClosed()
            throws Exception {
        SharedTransport transport = new SharedTransport();
        PageBroker broker = new PageBroker(transport, this.handOff);
        int total = STARTERS * PAGERS_PER_STARTER;
        CountDownLatch ended = new CountDownLatch(total);
        List<TextCollector<?>> collectors = Collections.synchronizedList(new ArrayList<>());
        List<String> contents = Collections.synchronizedList(new ArrayList<>());
        List<FileSender> senders = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        for (int s = 0; s < STARTERS; s++) {
            int starter = s;
            running.add(this.threads.submit(() -> {
                start.await();
                for (int i = 0; i < PAGERS_PER_STARTER; i++) {
                    String content = ("s" + starter + "p" + i + "-").repeat(i % 9);
                    if (i % 2 == 0) {
                        TextCollector<String> collector = register(new TextCollector<>(), content, collectors,
                                contents);
                        new StringPager(broker, collector, content, 5, () -> {
                            collector.callbacks.incrementAndGet();
                            ended.countDown();
                        }).start();
                    }
                    else {
                        Path file = Files.writeString(this.dir.resolve("s" + starter + "f" + i), content);
                        TextCollector<ByteBuffer> collector = register(new TextCollector<>(), content, collectors,
                                contents);
                        FileSender sender = new FileSender(4);
                        senders.add(sender);
                        new FilePager(broker, collector, file, sender, () -> {
                            collector.callbacks.incrementAndGet();
                            ended.countDown();
                        }).start();
                    }
                }
                return null;
            }));
        }
        for (int p = 0; p < PUMPS; p++) {
            running.add(this.threads.submit(() -> {
                start.await();
                while (ended.getCount() > 0) {
                    Producer registered = transport.producer.get();
                    if (registered != null) {
                        registered.resumeProducing();
                    }
                    else {
                        Thread.onSpinWait();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> done : running) {
            done.get(30, TimeUnit.SECONDS);
        }

        assertThat(transport.doubleRegistrations).hasValue(0);
        for (int i = 0; i < total; i++) {
            TextCollector<?> collector = collectors.get(i);
            assertThat(collector.text()).as("pages of pager %d, in order, then the end", i)
                    .isEqualTo(contents.get(i) + "|ended");
            assertThat(collector.callbacks).hasValue(1);
        }
        assertThat(senders).allMatch(FileSender::isFinished);
        await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(broker.pagerCount()).isZero();
            assertThat(transport.producer.get()).isNull();
        });
    }

    private static <C extends TextCollector<?>> C register(C collector, String content, List<TextCollector<?>> all,
            List<String> contents) {
        synchronized (all) {
            all.add(collector);
            contents.add(content);
        }
        return collector;
    }
}
