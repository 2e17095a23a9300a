package dev.sluice.autoconfigure;

import dev.sluice.boot.actuate.SluiceHealthIndicator;
import dev.sluice.registry.ProducerRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;

/**
 * The {@code sluice} health contributor, when Spring Boot's health support is on the class path and
 * {@code management.health.sluice.enabled} is not false.
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class)
@ConditionalOnClass({ AbstractHealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(ProducerRegistry.class)
@ConditionalOnEnabledHealthIndicator("sluice")
public final class SluiceHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "sluiceHealthIndicator")
    SluiceHealthIndicator sluiceHealthIndicator(ProducerRegistry registry, SluiceProperties properties) {
        SluiceProperties.Health health = properties.getHealth();
        return new SluiceHealthIndicator(registry, health.getStallThreshold(), new Status(health.getStallStatus().name()));
    }
}
