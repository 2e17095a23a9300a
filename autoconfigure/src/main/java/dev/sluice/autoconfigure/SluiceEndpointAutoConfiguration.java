package dev.sluice.autoconfigure;

import dev.sluice.boot.actuate.ProducersEndpoint;
import dev.sluice.boot.actuate.ProducersEndpointWebExtension;
import dev.sluice.registry.ProducerRegistry;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code producers} actuator endpoint, when actuator is on the class path and the endpoint is available
 * (exposed, and not switched off), and its web extension when it is exposed over HTTP.
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(ProducerRegistry.class)
@ConditionalOnAvailableEndpoint(ProducersEndpoint.class)
public final class SluiceEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ProducersEndpoint producersEndpoint(ProducerRegistry registry) {
        return new ProducersEndpoint(registry);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ProducersEndpoint.class)
    @ConditionalOnAvailableEndpoint(endpoint = ProducersEndpoint.class, exposure = EndpointExposure.WEB)
    ProducersEndpointWebExtension producersEndpointWebExtension(ProducersEndpoint endpoint) {
        return new ProducersEndpointWebExtension(endpoint);
    }
}
