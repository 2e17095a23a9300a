package dev.sluice.sample.kafka;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The profile's one-node KRaft cluster, started as soon as it is made (its random port feeds Boot's consumer factory)
 * and stopped in the very last lifecycle phase: after the web server, the feed and the Kafka pipes have stopped, so no
 * client of it is left waiting for it. (On SIGTERM, Kafka's test kit also deletes the broker's temporary folder from a
 * JVM shutdown hook of its own, which runs beside Spring's; see the README.)
 */
final class InProcessBroker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InProcessBroker.class);

    private final EmbeddedKafkaKraftBroker broker;

    private final AtomicBoolean running = new AtomicBoolean(true);

    InProcessBroker(int partitions, String topic) {
        this.broker = new EmbeddedKafkaKraftBroker(1, partitions, topic);
        this.broker.afterPropertiesSet();
    }

    String brokers() {
        return this.broker.getBrokersAsString();
    }

    @Override
    public void start() {
        // started when made
    }

    @Override
    public void stop() {
        if (this.running.compareAndSet(true, false)) {
            this.broker.destroy();
            log.info("In-process Kafka broker stopped");
        }
    }

    @Override
    public boolean isRunning() {
        return this.running.get();
    }

    /** Stops last, after everything that talks to it. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE;
    }
}
