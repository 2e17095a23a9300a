package dev.sluice.boot.kafka;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import dev.sluice.autoconfigure.SluiceAutoConfiguration;
import dev.sluice.autoconfigure.SluiceKafkaAutoConfiguration;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.KafkaSinks;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.test.utils.KafkaTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A clean shutdown in the middle of a stream, with a listener container bean (which Spring stops in its own phase,
 * {@link AbstractMessageListenerContainer#DEFAULT_PHASE}) and a sink slower than the topic, so the pipe's buffer is full
 * when the context closes: the pipe drains before the container stops, the container commits exactly the records the
 * sink took, and a new instance on the same group receives every other record and none of those again.
 */
class KafkaPipeShutdownTests {

    private static final Logger log = LoggerFactory.getLogger(KafkaPipeShutdownTests.class);

    private static final int RECORDS = 20_000;

    @Test
    void aCleanShutdownMidStreamCommitsEveryRecordTheSinkTookAndNothingElse() {
        KafkaTestBroker.fill("drain-orders", 2, RECORDS);
        Set<String> first = ConcurrentHashMap.newKeySet();
        long bufferedAtClose;
        long takenAtClose;
        try (PacedApi api = new PacedApi(2_000)) {
            Pipe.api = api;
            Pipe.taken = first;
            ConfigurableApplicationContext context = start();
            AsyncSink<?> sink = Pipe.sink;
            BufferedConsumer<?> consumer = context.getBean("ordersConsumer", BufferedConsumer.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.succeeded() >= 2_000);
            bufferedAtClose = consumer.bufferedUnits();
            takenAtClose = sink.started();
            context.close();

            assertThat(bufferedAtClose).as("records buffered when the context closed").isPositive();
            assertThat(sink.started()).as("the buffer drained into the sink").isGreaterThan(takenAtClose);
            assertThat(sink.succeeded()).as("every call the sink started finished").isEqualTo(sink.started());
            assertThat(consumer.droppedUnits()).isZero();
        }
        Map<Integer, Long> committed = KafkaTestBroker.committed("drain-group");
        log.info("Clean shutdown: {} records buffered at close, {} taken by the sink in all, committed offsets {}",
                bufferedAtClose, first.size(), committed);
        for (int partition = 0; partition < 2; partition++) {
            long offset = committed.getOrDefault(partition, 0L);
            Set<String> takenHere = new HashSet<>();
            for (String key : first) {
                if (key.startsWith(partition + "@")) {
                    takenHere.add(key);
                }
            }
            assertThat(takenHere).as("partition %d: the sink took exactly the offsets below the commit, %d", partition,
                    offset).hasSize((int) offset);
            for (long o = 0; o < offset; o++) {
                assertThat(takenHere).contains(partition + "@" + o);
            }
        }

        Set<String> second = ConcurrentHashMap.newKeySet();
        try (PacedApi api = new PacedApi(50_000)) {
            Pipe.api = api;
            Pipe.taken = second;
            ConfigurableApplicationContext context = start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> first.size() + second.size() >= RECORDS);
            }
            finally {
                context.close();
            }
        }
        Set<String> duplicates = new HashSet<>(second);
        duplicates.retainAll(first);
        log.info("Restart on the same group: {} records, {} duplicates", second.size(), duplicates.size());
        assertThat(duplicates).as("records delivered again after a clean shutdown").isEmpty();
        assertThat(first.size() + second.size()).isEqualTo(RECORDS);
    }

    private static ConfigurableApplicationContext start() {
        SpringApplication application = new SpringApplication(Pipe.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        return application.run("--sluice.pipes.orders.producer=kafka:orders",
                "--sluice.pipes.orders.consumer=ordersConsumer", "--sluice.consumers.ordersConsumer.high-water-items=200",
                "--sluice.consumers.ordersConsumer.low-water-items=50", "--sluice.shutdown.timeout=30s");
    }

    /** A listener container bean, in its default phase, and a sink bean calling a paced API. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ SluiceAutoConfiguration.class, SluiceKafkaAutoConfiguration.class })
    static class Pipe {

        static PacedApi api;

        static Set<String> taken;

        static AsyncSink<KafkaRecord<String, String>> sink;

        @Bean
        ConcurrentMessageListenerContainer<String, String> orders() {
            Map<String, Object> props = KafkaTestUtils.consumerProps(KafkaTestBroker.brokers(), "drain-group");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            ContainerProperties properties = new ContainerProperties("drain-orders");
            properties.setAckMode(AckMode.MANUAL);
            properties.setPollTimeout(200);
            ConcurrentMessageListenerContainer<String, String> container = new ConcurrentMessageListenerContainer<>(
                    new DefaultKafkaConsumerFactory<>(props, new StringDeserializer(), new StringDeserializer()),
                    properties);
            container.setConcurrency(2);
            return container;
        }

        @Bean
        BufferedConsumer<KafkaRecord<String, String>> ordersConsumer(BufferedConsumerFactory consumers) {
            PacedApi calls = api;
            Set<String> into = taken;
            sink = KafkaSinks.<String, String>async(record -> {
                into.add(record.topicPartition().partition() + "@" + record.offset());
                return calls.call();
            }).maxInFlight(16).build();
            return sink.bind(consumers.builder("ordersConsumer", sink).weigher(Weigher.items()).build());
        }
    }

    /** An asynchronous API answering at most {@code perSecond} calls a second, in ticks of 5 ms, on its own thread. */
    static final class PacedApi implements AutoCloseable {

        private final Queue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();

        private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();

        PacedApi(int perSecond) {
            int perTick = Math.max(1, perSecond / 200);
            this.clock.scheduleAtFixedRate(() -> {
                for (int i = 0; i < perTick; i++) {
                    CompletableFuture<Void> next = this.waiting.poll();
                    if (next == null) {
                        return;
                    }
                    next.complete(null);
                }
            }, 5, 5, TimeUnit.MILLISECONDS);
        }

        CompletableFuture<Void> call() {
            CompletableFuture<Void> answer = new CompletableFuture<>();
            this.waiting.add(answer);
            return answer;
        }

        @Override
        public void close() {
            this.clock.shutdownNow();
        }
    }
}
