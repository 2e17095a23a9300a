package dev.sluice.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaTestSupport.Events;
import dev.sluice.kafka.KafkaTestSupport.PacedApi;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class KafkaSourceNoLossTest {

    private static final Logger log = LoggerFactory.getLogger(KafkaSourceNoLossTest.class);

    /** What reached the API, by record key, and how often. */
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

    private CompletableFuture<Void> deliverLater(KafkaRecord<String, String> record) {
        return CompletableFuture.runAsync(() -> this.received.computeIfAbsent(record.key(), key -> new AtomicInteger())
            .incrementAndGet(), CompletableFuture.delayedExecutor(ThreadLocalRandom.current().nextInt(3),
                TimeUnit.MILLISECONDS));
    }

    private record Pipe(ConcurrentMessageListenerContainer<String, String> container,
            BufferedConsumer<KafkaRecord<String, String>> consumer, AsyncSink<KafkaRecord<String, String>> sink,
            KafkaSource<String, String> source) {
    }

    private Pipe pipe(String topic, String group, AsyncSink<KafkaRecord<String, String>> sink) {
        ConcurrentMessageListenerContainer<String, String> container = KafkaTestSupport.container(group, topic, group,
                500, new Events());
        container.setConcurrency(2);
        BufferedConsumer<KafkaRecord<String, String>> consumer = sink.bind(BufferedConsumer.builder(sink)
            .name(group)
            .waterMarks(new WaterMarks(2_000, 1_000))
            .build());
        KafkaSource<String, String> source = KafkaSource.attach(container, consumer);
        consumer.registerProducer(source, true);
        container.start();
        return new Pipe(container, consumer, sink, source);
    }

    @Test
    void aCrashMidStreamLosesNothingOnTheSameGroup() {
        int records = 30_000;
        KafkaTestSupport.fill("no-loss", 3, records);
        Pipe first = pipe("no-loss", "no-loss-group", KafkaSinks.<String, String>async(this::deliverLater)
            .maxInFlight(32)
            .build());
        await().atMost(Duration.ofSeconds(60)).until(() -> this.received.size() >= records / 3);

        // the crash: the container goes without draining, and the buffer is thrown away
        first.container().stop();
        first.consumer().abortConnection();
        // the abort's discard runs on the consumer's loop, which another thread may own at this moment
        await().atMost(Duration.ofSeconds(30)).until(() -> first.consumer().whenClosed().isDone());
        long bufferedAtCrash = first.consumer().droppedUnits();
        long committedAtCrash = KafkaTestSupport.committedTotal("no-loss-group");

        Pipe second = pipe("no-loss", "no-loss-group", KafkaSinks.<String, String>async(this::deliverLater)
            .maxInFlight(32)
            .build());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> this.received.size() == records);
            long deliveries = this.received.values().stream().mapToLong(AtomicInteger::get).sum();
            long duplicates = deliveries - records;
            log.info("No loss: sent {}, delivered {} times to the sink ({} distinct), duplicates {}; at the crash {} "
                    + "records were buffered and dropped, {} offsets committed", records, deliveries,
                    this.received.size(), duplicates, bufferedAtCrash, committedAtCrash);
            assertThat(this.received.keySet()).containsExactlyInAnyOrderElementsOf(
                    KafkaTestSupport.range(records).stream().map(String::valueOf).toList());
            assertThat(bufferedAtCrash).as("the crash must hit records in the buffer").isPositive();
            assertThat(committedAtCrash).isLessThan(records);
            await().atMost(Duration.ofSeconds(30))
                .until(() -> KafkaTestSupport.committedTotal("no-loss-group") == records);
        }
        finally {
            second.container().stop();
        }
    }

    @Test
    void aCleanShutdownCommitsNothingThatWasStillBuffered() {
        int records = 20_000;
        KafkaTestSupport.fill("clean-stop", 2, records);
        Map<Integer, Set<Long>> acknowledged = new ConcurrentHashMap<>();
        try (PacedApi api = new PacedApi(5_000)) {
            AsyncSink<KafkaRecord<String, String>> sink = AsyncSink
                .<KafkaRecord<String, String>>builder(record -> api.call())
                .maxInFlight(20)
                .onSuccess(record -> {
                    acknowledged.computeIfAbsent(record.topicPartition().partition(), p -> ConcurrentHashMap.newKeySet())
                        .add(record.offset());
                    record.acknowledge();
                })
                .build();
            Pipe pipe = pipe("clean-stop", "clean-stop-group", sink);
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.succeeded() >= 3_000);

            // a clean shutdown: hold the producer, stop the container (it commits what was acknowledged), then close
            pipe.consumer().holdProducer();
            pipe.container().stop();
            long buffered = pipe.consumer().bufferedUnits();
            Map<Integer, Set<Long>> acknowledgedAtStop = new HashMap<>();
            acknowledged.forEach((partition, offsets) -> acknowledgedAtStop.put(partition, Set.copyOf(offsets)));
            pipe.consumer().abortConnection();
            Map<Integer, Long> committed = KafkaTestSupport.committed("clean-stop-group");
            log.info("Clean shutdown: {} records buffered at the stop, committed offsets {}", buffered, committed);

            assertThat(buffered).isPositive();
            assertThat(committed).isNotEmpty();
            committed.forEach((partition, offset) -> {
                Set<Long> done = acknowledgedAtStop.getOrDefault(partition, Set.of());
                for (long o = 0; o < offset; o++) {
                    assertThat(done).as("partition %d offset %d is committed, so it must have been acknowledged",
                            partition, o).contains(o);
                }
            });
        }
    }
}
