package dev.sluice.sample.firehose;

import java.nio.ByteBuffer;

import dev.sluice.BufferedConsumer;
import dev.sluice.FlowControlledProducer;
import dev.sluice.Weigher;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.sample.SampleProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The firehose: {@code firehoseProducer}, a {@link FlowControlledProducer} that a {@link Firehose} thread writes
 * through as fast as it is let, and {@code firehoseConsumer}, a buffered consumer drained at
 * {@code sample.firehose.rate}. {@code sluice.pipes.firehose} in {@code application.yml} wires one into the other; the
 * starter registers both in the registry under their bean names, so the saw-tooth of the consumer's buffer and the
 * producer's paused time show in {@code /actuator/producers} and the {@code sluice.*} meters from the start.
 */
@Configuration(proxyBeanMethods = false)
class FirehoseConfiguration {

    @Bean
    PacedSink firehoseSink(SampleProperties properties) {
        return new PacedSink(properties.firehose().rate().toBytes());
    }

    /** Water marks from {@code sluice.consumers.firehoseConsumer.*}. */
    @Bean
    BufferedConsumer<ByteBuffer> firehoseConsumer(BufferedConsumerFactory consumers, PacedSink firehoseSink) {
        BufferedConsumer<ByteBuffer> consumer = consumers.builder("firehoseConsumer", firehoseSink, Weigher.bytes())
            .build();
        firehoseSink.drive(consumer);
        return consumer;
    }

    @Bean
    Firehose firehose(SampleProperties properties) {
        return new Firehose(Math.toIntExact(properties.firehose().chunkSize().toBytes()));
    }

    /** Starts the firehose once the pipe has registered it; the consumer's stop closes it. */
    @Bean
    FlowControlledProducer<ByteBuffer> firehoseProducer(BufferedConsumer<ByteBuffer> firehoseConsumer,
            Firehose firehose) {
        return FlowControlledProducer.builder(firehoseConsumer)
            .whenRegistered(firehose::start)
            .onStop(firehose::close)
            .build();
    }
}
