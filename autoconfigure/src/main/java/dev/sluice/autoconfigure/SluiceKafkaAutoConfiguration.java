package dev.sluice.autoconfigure;

import java.util.List;

import dev.sluice.boot.kafka.KafkaListenerContainers;
import dev.sluice.boot.kafka.KafkaListenerDefinition;
import dev.sluice.boot.kafka.KafkaPipeLifecycle;
import dev.sluice.boot.kafka.KafkaPipeProducers;
import dev.sluice.kafka.KafkaSource;
import dev.sluice.registry.ProducerRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Kafka pipes, when {@code sluice-kafka} and Spring Kafka are on the class path: a pipe whose producer is
 * {@code kafka:<listener id>} is fed by that listener container (a bean, or one declared under
 * {@code sluice.kafka.listeners.<id>} and built on Spring Boot's {@code ConsumerFactory}), paused by the pipe's
 * back-pressure, with offsets committed only after the sink is done with each record, and drained before the container
 * stops.
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class,
        afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConditionalOnClass({ KafkaSource.class, MessageListenerContainer.class })
@EnableConfigurationProperties(SluiceKafkaProperties.class)
public final class SluiceKafkaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KafkaPipeLifecycle sluiceKafkaPipeLifecycle(SluiceProperties properties) {
        return new KafkaPipeLifecycle(properties.getShutdown().getTimeout());
    }

    @Bean
    @ConditionalOnMissingBean
    KafkaListenerContainers sluiceKafkaListenerContainers(SluiceKafkaProperties properties,
            ObjectProvider<ConsumerFactory<?, ?>> consumerFactory,
            ObjectProvider<ConcurrentKafkaListenerContainerFactory<?, ?>> containerFactory, ApplicationContext context) {
        List<KafkaListenerDefinition> definitions = properties.getListeners().entrySet().stream()
            .map(entry -> {
                SluiceKafkaProperties.Listener listener = entry.getValue();
                return new KafkaListenerDefinition(entry.getKey(), listener.getTopics(), listener.getGroupId(),
                        listener.getConcurrency(), listener.getPollBatch(), listener.getKeyDeserializer(),
                        listener.getValueDeserializer(), listener.getProperties(), listener.isCheckTopics());
            })
            .toList();
        return new KafkaListenerContainers(definitions, consumerFactory::getIfUnique, containerFactory::getIfUnique,
                context);
    }

    @Bean
    @ConditionalOnMissingBean
    KafkaPipeProducers sluiceKafkaPipeProducers(ListableBeanFactory beans, ProducerRegistry registry,
            KafkaListenerContainers sluiceKafkaListenerContainers, KafkaPipeLifecycle sluiceKafkaPipeLifecycle) {
        return new KafkaPipeProducers(beans, registry, sluiceKafkaListenerContainers, sluiceKafkaPipeLifecycle);
    }
}
