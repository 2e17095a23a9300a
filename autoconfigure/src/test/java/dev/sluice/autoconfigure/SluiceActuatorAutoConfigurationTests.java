package dev.sluice.autoconfigure;

import java.time.Duration;

import dev.sluice.BufferedConsumer;
import dev.sluice.boot.actuate.ProducersEndpoint;
import dev.sluice.boot.actuate.ProducersEndpointWebExtension;
import dev.sluice.boot.actuate.SluiceHealthIndicator;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.testing.RecordingSink;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class SluiceActuatorAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceEndpointAutoConfiguration.class,
                SluiceHealthAutoConfiguration.class, EndpointAutoConfiguration.class,
                HealthContributorAutoConfiguration.class));

    @Test
    void endpointNeedsExposure() {
        this.contextRunner.run(context -> assertThat(context).doesNotHaveBean(ProducersEndpoint.class));
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=producers")
            .run(context -> assertThat(context).hasSingleBean(ProducersEndpoint.class));
    }

    @Test
    void endpointCanBeSwitchedOff() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=producers",
                "management.endpoint.producers.access=NONE")
            .run(context -> assertThat(context).doesNotHaveBean(ProducersEndpoint.class));
    }

    @Test
    void actuatorMissingFromTheClassPathMeansNoEndpointAndNoHealth() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class, AbstractHealthIndicator.class))
            .withPropertyValues("management.endpoints.web.exposure.include=producers")
            .run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(ProducersEndpoint.class)
                .doesNotHaveBean(SluiceHealthIndicator.class));
    }

    @Test
    void healthContributorIsOnByDefaultAndCanBeSwitchedOff() {
        this.contextRunner.run(context -> assertThat(context).hasSingleBean(SluiceHealthIndicator.class)
            .hasBean("sluiceHealthIndicator"));
        this.contextRunner.withPropertyValues("management.health.sluice.enabled=false")
            .run(context -> assertThat(context).doesNotHaveBean(SluiceHealthIndicator.class));
    }

    @Test
    void webExtensionComesWithWebExposureOnly() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=producers")
            .run(context -> assertThat(context).hasSingleBean(ProducersEndpointWebExtension.class));
        this.contextRunner.withPropertyValues("management.endpoints.jmx.exposure.include=producers",
                "spring.jmx.enabled=true")
            .run(context -> assertThat(context).hasSingleBean(ProducersEndpoint.class)
                .doesNotHaveBean(ProducersEndpointWebExtension.class));
    }

    @Test
    void aConsumerThatSendsNothingPastTheThresholdIsReportedWithTheConfiguredStatus() {
        this.contextRunner.withPropertyValues("sluice.health.stall-threshold=0s",
                "sluice.health.stall-status=OUT_OF_SERVICE")
            .run(context -> {
                SluiceHealthIndicator health = context.getBean(SluiceHealthIndicator.class);
                assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
                BufferedConsumer<Object> sink = BufferedConsumer.builder(RecordingSink.limited()).name("sink").build();
                context.getBean(ProducerRegistry.class).registerConsumer("sink", sink);
                sink.write("waiting");

                Health report = health.health(true);
                assertThat(report.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                assertThat(report.getDetails()).containsEntry("stalledCount", 1).containsEntry("stallThreshold",
                        Duration.ZERO.toString());
                assertThat(report.getDetails().get("stalled")).asInstanceOf(InstanceOfAssertFactories.MAP)
                    .containsOnlyKeys("sink");
            });
    }
}
