package dev.sluice.sample.kafka;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the {@code kafka} profile, under {@code sample.kafka.*}.
 *
 * @param topic the topic the feed fills and the {@code orders} listener container reads
 * @param partitions its partitions
 * @param feedRate records the feed sends per second, on and on
 * @param apiRate requests per second the rate-limited orders API answers; the rest wait
 * @param maxInFlight most requests the pipe's sink has open at once
 */
@ConfigurationProperties("sample.kafka")
public record KafkaSampleProperties(String topic, int partitions, int feedRate, int apiRate, int maxInFlight) {

    public KafkaSampleProperties {
        topic = (topic != null) ? topic : "orders";
        partitions = (partitions > 0) ? partitions : 3;
        feedRate = (feedRate > 0) ? feedRate : 2_000;
        apiRate = (apiRate > 0) ? apiRate : 500;
        maxInFlight = (maxInFlight > 0) ? maxInFlight : 16;
    }
}
