package dev.sluice.autoconfigure;

import dev.sluice.boot.kafka.KafkaPipeProducers;
import dev.sluice.kafka.KafkaSource;
import dev.sluice.registry.ProducerRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Kafka pipes, when {@code sluice-kafka} and Spring Kafka are on the class path: a pipe whose producer is
 * {@code kafka:<listener id>} is fed by that listener container, paused by the pipe's back-pressure, with offsets
 * committed only after the sink is done with each record.
 */
@AutoConfiguration
@ConditionalOnClass({ KafkaSource.class, MessageListenerContainer.class })
public final class SluiceKafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KafkaPipeProducers sluiceKafkaPipeProducers(ListableBeanFactory beans, ProducerRegistry registry) {
        return new KafkaPipeProducers(beans, registry);
    }
}
