/**
 * Kafka as the push producer that spans machines: {@link dev.sluice.kafka.KafkaSource} makes a Spring Kafka listener
 * container write {@link dev.sluice.kafka.KafkaRecord}s into a Sluice consumer, paused by its back-pressure, with each
 * offset committed only after the sink is done with the record (at-least-once); {@link dev.sluice.kafka.KafkaSinks}
 * gives sinks that acknowledge.
 */
@NullMarked
package dev.sluice.kafka;

import org.jspecify.annotations.NullMarked;
