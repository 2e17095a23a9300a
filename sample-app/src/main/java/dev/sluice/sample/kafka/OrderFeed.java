package dev.sluice.sample.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Keeps sending orders to the topic, {@code feedRate} a second, in ten bursts a second, until the context stops; it
 * stops in the first lifecycle phase, before the pipes and the broker, and gives its producer 2 s to send what it holds.
 */
final class OrderFeed implements SmartLifecycle {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final AtomicBoolean running = new AtomicBoolean(true);

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
    public void start() {
        // sending since it was made
    }

    @Override
    public void stop() {
        if (this.running.compareAndSet(true, false)) {
            this.clock.shutdownNow();
            this.producer.close(CLOSE_TIMEOUT);
            log.info("Order feed stopped after {} orders", this.sent);
        }
    }

    @Override
    public boolean isRunning() {
        return this.running.get();
    }

    /** Stops first: nothing is sent to a broker that is going away. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
