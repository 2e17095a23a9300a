package dev.sluice.sample.kafka;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps sending orders to the topic, {@code feedRate} a second, in ten bursts a second, until the context closes. */
final class OrderFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OrderFeed.class);

    private final KafkaProducer<String, String> producer;

    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "order-feed");
        thread.setDaemon(true);
        return thread;
    });

    private final AtomicLong sent = new AtomicLong();

    OrderFeed(String brokers, String topic, int feedRate) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new StringSerializer());
        int perBurst = Math.max(1, feedRate / 10);
        this.clock.scheduleAtFixedRate(() -> {
            for (int i = 0; i < perBurst; i++) {
                long number = this.sent.getAndIncrement();
                this.producer.send(new ProducerRecord<>(topic, Long.toString(number),
                        "{\"order\":" + number + ",\"item\":\"widget\",\"quantity\":" + (1 + number % 5) + "}"));
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        log.info("Order feed started: {} orders a second into topic '{}'", feedRate, topic);
    }

    @Override
    public void close() {
        this.clock.shutdownNow();
        this.producer.close();
        log.info("Order feed stopped after {} orders", this.sent);
    }
}
