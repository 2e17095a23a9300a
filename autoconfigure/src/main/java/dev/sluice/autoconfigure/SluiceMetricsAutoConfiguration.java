package dev.sluice.autoconfigure;

import dev.sluice.micrometer.ProducerRegistryMetrics;
import dev.sluice.registry.ProducerRegistry;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Publishes Sluice's meters ({@link ProducerRegistryMetrics}, module {@code sluice-micrometer}) when it and Micrometer
 * are on the class path and a {@link MeterRegistry} bean exists; {@code sluice.metrics.max-names} caps the groups that
 * get meters. Ordered after Spring Boot 4's metrics auto-configurations, whose classes moved to
 * {@code org.springframework.boot.micrometer.metrics.autoconfigure} in Boot 4 (a test checks these names).
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class,
        afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, ProducerRegistryMetrics.class })
@ConditionalOnBean({ MeterRegistry.class, ProducerRegistry.class })
@ConditionalOnBooleanProperty(name = "sluice.metrics.enabled", matchIfMissing = true)
public final class SluiceMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ProducerRegistryMetrics producerRegistryMetrics(ProducerRegistry registry, SluiceProperties properties) {
        return new ProducerRegistryMetrics(registry, properties.getMetrics().getMaxNames());
    }
}
