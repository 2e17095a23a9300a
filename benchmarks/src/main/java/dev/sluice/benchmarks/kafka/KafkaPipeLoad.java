package dev.sluice.benchmarks.kafka;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSinks;
import dev.sluice.kafka.KafkaSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.event.ConsumerPausedEvent;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A load driver (not JMH: each run needs a broker and a topic, and is measured end to end) for the Kafka pipe, on a
 * one-node broker in this process:
 * <ol>
 *   <li><b>Throughput</b>: records/s from a filled topic to a fast asynchronous sink (its calls complete on a pool of
 *       two threads) through a Sluice pipe ({@link KafkaSource} + {@link AsyncSink}, 64 calls in flight, records
 *       acknowledged on completion, offsets committed in order), against a plain listener (AckMode BATCH, the
 *       default of {@code @KafkaListener}) that calls the same sink and waits for each call. Each run is timed from
 *       its first completed call (the group's join is left out) to its last.</li>
 *   <li><b>Flapping</b>: the Sluice pipe into a sink that alternates every 250 ms between fast and slow (each call
 *       held 2 ms, 8 in flight: 4 000 calls/s): records/s, and the container's pauses per second.</li>
 * </ol>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.kafka.KafkaPipeLoad [quick|full]}
 * (quick: 200 000 records, full: 1 000 000). Prints one line per run.
 */
public final class KafkaPipeLoad {

    private static final int PARTITIONS = 3;

    private final EmbeddedKafkaKraftBroker broker;

    private final ExecutorService sinkPool = Executors.newFixedThreadPool(2, task -> {
        Thread thread = new Thread(task, "fast-sink");
        thread.setDaemon(true);
        return thread;
    });

    private KafkaPipeLoad(EmbeddedKafkaKraftBroker broker) {
        this.broker = broker;
    }

    public static void main(String[] args) throws Exception {
        int records = (args.length > 0 && args[0].equals("full")) ? 1_000_000 : 200_000;
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
        broker.afterPropertiesSet();
        try {
            KafkaPipeLoad load = new KafkaPipeLoad(broker);
            load.fill("load", records);
            // a warm-up of each, then the measured runs
            load.plainListener("load", records, "warm-plain");
            load.sluicePipe("load", records, "warm-sluice");
            double plain = load.plainListener("load", records, "plain");
            double sluice = load.sluicePipe("load", records, "sluice");
            System.out.printf(Locale.ROOT, "throughput: plain listener, synchronous call %.0f records/s; Sluice pipe, "
                    + "async sink %.0f records/s; ratio %.2f%n", plain, sluice, sluice / plain);
            load.flapping("load", records, "flapping");
        }
        finally {
            broker.destroy();
        }
        System.exit(0);
    }

    private void fill(String topic, int records) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                this.broker.getBrokersAsString()))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.broker.getBrokersAsString(),
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 131072),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, Integer.toString(i), "{\"order\":" + i + "}"));
            }
        }
    }

    private ConcurrentMessageListenerContainer<String, String> container(String topic, String group, AckMode mode) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        ContainerProperties properties = new ContainerProperties(topic);
        properties.setAckMode(mode);
        ConcurrentMessageListenerContainer<String, String> container = new ConcurrentMessageListenerContainer<>(
                new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(), new StringDeserializer()),
                properties);
        container.setBeanName(group);
        return container;
    }

    /** The fast API: a call completes on the sink pool at once. */
    private CompletableFuture<Void> fastCall(AtomicLong done) {
        return CompletableFuture.runAsync(done::incrementAndGet, this.sinkPool);
    }

    private double plainListener(String topic, int records, String group) {
        AtomicLong done = new AtomicLong();
        ConcurrentMessageListenerContainer<String, String> container = container(topic, group, AckMode.BATCH);
        container.setupMessageListener((MessageListener<String, String>) record -> fastCall(done).join());
        return timed(container, done, records, group + ": plain listener calling the sink synchronously");
    }

    private double sluicePipe(String topic, int records, String group) {
        AtomicLong done = new AtomicLong();
        ConcurrentMessageListenerContainer<String, String> container = container(topic, group, AckMode.MANUAL);
        AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(record -> fastCall(done))
            .maxInFlight(64)
            .build();
        BufferedConsumer<KafkaRecord<String, String>> consumer = sink.bind(BufferedConsumer.builder(sink)
            .weigher(Weigher.items())
            .waterMarks(new WaterMarks(2_000, 1_000))
            .build());
        consumer.registerProducer(KafkaSource.attach(container, consumer), true);
        return timed(container, done, records, group + ": Sluice pipe, async sink, 64 in flight");
    }

    private void flapping(String topic, int records, String group) {
        AtomicLong done = new AtomicLong();
        AtomicLong pauses = new AtomicLong();
        long start = System.nanoTime();
        ConcurrentMessageListenerContainer<String, String> container = container(topic, group, AckMode.MANUAL);
        container.setApplicationEventPublisher(event -> {
            if (event instanceof ConsumerPausedEvent) {
                pauses.incrementAndGet();
            }
        });
        AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(record -> {
            boolean slow = ((System.nanoTime() - start) / 250_000_000L) % 2 == 1;
            if (!slow) {
                return fastCall(done);
            }
            return CompletableFuture.runAsync(() -> {
                LockSupport.parkNanos(2_000_000);
                done.incrementAndGet();
            }, CompletableFuture.delayedExecutor(0, TimeUnit.MILLISECONDS, this.sinkPool));
        }).maxInFlight(8).build();
        BufferedConsumer<KafkaRecord<String, String>> consumer = sink.bind(BufferedConsumer.builder(sink)
            .weigher(Weigher.items())
            .waterMarks(new WaterMarks(2_000, 1_000))
            .build());
        consumer.registerProducer(KafkaSource.attach(container, consumer), true);
        double seconds = records / timed(container, done, records, group + ": Sluice pipe, sink alternating fast "
                + "and slow every 250 ms");
        System.out.printf(Locale.ROOT, "%s: %d pauses in %.1f s (%.1f pauses/s)%n", group, pauses.get(), seconds,
                pauses.get() / seconds);
    }

    private static double timed(ConcurrentMessageListenerContainer<String, String> container, AtomicLong done,
            int records, String what) {
        container.start();
        while (done.get() == 0) {
            LockSupport.parkNanos(100_000); // the group's join is not part of the measure
        }
        long start = System.nanoTime();
        long first = done.get();
        while (done.get() < records) {
            LockSupport.parkNanos(1_000_000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        container.stop();
        double rate = (records - first) / seconds;
        System.out.printf(Locale.ROOT, "%s: %d records in %.2f s, %.0f records/s%n", what, records, seconds, rate);
        return rate;
    }
}
