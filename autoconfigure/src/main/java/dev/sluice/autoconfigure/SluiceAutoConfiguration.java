package dev.sluice.autoconfigure;

import java.util.List;

import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.boot.FileTransfers;
import dev.sluice.boot.PipeProducerResolver;
import dev.sluice.boot.SluiceBeanRegistrar;
import dev.sluice.boot.SluicePipes;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.twisted.task.Cooperator;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for Sluice: the {@link ProducerRegistry}, a {@link BufferedConsumerFactory} with the configured
 * water marks, a {@link Cooperator} on its own thread (closed with the context) when {@code sluice-twisted} is present,
 * {@link FileTransfers} with the configured chunk size, the registration of producer and consumer beans, the check that
 * every key under {@code sluice} is a Sluice property, the check that every {@code sluice.consumers.<name>} is in use,
 * and the pipes of {@code sluice.pipes.*}.
 */
@AutoConfiguration
@EnableConfigurationProperties(SluiceProperties.class)
public final class SluiceAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ProducerRegistry producerRegistry() {
        return new ProducerRegistry();
    }

    @Bean
    @ConditionalOnMissingBean
    BufferedConsumerFactory bufferedConsumerFactory(SluiceProperties properties, ProducerRegistry registry) {
        return new BufferedConsumerFactory(properties, registry);
    }

    @Bean
    @ConditionalOnMissingBean
    FileTransfers fileTransfers(SluiceProperties properties) {
        return new FileTransfers(Math.toIntExact(properties.getFile().getChunkSize().toBytes()));
    }

    @Bean
    @ConditionalOnMissingBean
    static SluiceBeanRegistrar sluiceBeanRegistrar(ObjectProvider<ProducerRegistry> registry) {
        return new SluiceBeanRegistrar(registry);
    }

    @Bean
    static ConsumerSettingsCheck sluiceConsumerSettingsCheck(ObjectProvider<SluiceProperties> properties,
            ObjectProvider<BufferedConsumerFactory> factory, ListableBeanFactory beans, Environment environment) {
        return new ConsumerSettingsCheck(properties, factory, beans, environment);
    }

    /**
     * Fails start-up, before any bean is made, on a key under {@code sluice} that is not a Sluice property, naming the
     * nearest one; off with {@code sluice.validation.fail-on-unknown-keys=false}.
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "sluice.validation.fail-on-unknown-keys", matchIfMissing = true)
    static UnknownKeysCheck sluiceUnknownKeysCheck(Environment environment) {
        return new UnknownKeysCheck(environment);
    }

    @Bean
    @ConditionalOnMissingBean
    SluicePipes sluicePipes(SluiceProperties properties, BeanFactory beans, ProducerRegistry registry,
            ObjectProvider<PipeProducerResolver> producerResolvers) {
        List<SluicePipes.Definition> definitions = properties.getPipes().entrySet().stream()
            .map(pipe -> new SluicePipes.Definition(pipe.getKey(), pipe.getValue().getProducer(),
                    pipe.getValue().getConsumer()))
            .toList();
        return new SluicePipes(definitions, beans, properties.getShutdown().getTimeout(),
                producerResolvers.orderedStream().toList());
    }

    /** The Twisted-shaped ports' bean, when {@code sluice-twisted} is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Cooperator.class)
    static class CooperatorConfiguration {

        /**
         * The cooperator that drives cooperative tasks and pull producers streamed with
         * {@link dev.sluice.twisted.task.PullToPush}, on its own daemon thread, with
         * {@code sluice.cooperator.time-slice}; closed (its tasks stopped) when the context closes.
         */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        Cooperator sluiceCooperator(SluiceProperties properties) {
            return Cooperator.builder()
                .timeSlice(properties.getCooperator().getTimeSlice())
                .threadName("sluice-cooperator")
                .build();
        }
    }
}
