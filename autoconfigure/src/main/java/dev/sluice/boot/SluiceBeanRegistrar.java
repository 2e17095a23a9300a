package dev.sluice.boot;

import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.registry.ProducerRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;

/**
 * Registers every producer and consumer bean in the {@link ProducerRegistry} under its bean name, and removes it when
 * the bean is destroyed. A bean that is both a producer and a consumer is registered twice: as the producer under its
 * bean name, as the consumer under {@code <bean name>.consumer}. Objects already in the registry (such as those made by
 * {@link BufferedConsumerFactory#create}) are left alone.
 */
public final class SluiceBeanRegistrar implements DestructionAwareBeanPostProcessor {

    private final ObjectProvider<ProducerRegistry> registry;

    public SluiceBeanRegistrar(ObjectProvider<ProducerRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!requiresDestruction(bean)) {
            return bean;
        }
        ProducerRegistry target = this.registry.getObject();
        if (target.contains(bean)) {
            return bean;
        }
        try {
            if (bean instanceof Producer producer) {
                target.registerProducer(beanName, producer);
            }
            if (bean instanceof ConsumerSupport<?> consumer) {
                target.registerConsumer((bean instanceof Producer) ? beanName + ".consumer" : beanName, consumer);
            }
        }
        catch (IllegalStateException ex) {
            throw new SluiceConfigurationException("bean '" + beanName + "'", bean, "cannot join the producer registry: "
                    + ex.getMessage(), "Give each producer and consumer a unique name: rename the bean or the "
                    + "object registered by hand.");
        }
        return bean;
    }

    @Override
    public void postProcessBeforeDestruction(Object bean, String beanName) {
        ProducerRegistry target = this.registry.getIfAvailable();
        if (target == null) {
            return;
        }
        if (bean instanceof Producer && target.producer(beanName).isPresent()) {
            target.remove(beanName);
        }
        if (bean instanceof ConsumerSupport<?>) {
            target.remove((bean instanceof Producer) ? beanName + ".consumer" : beanName);
        }
    }

    @Override
    public boolean requiresDestruction(Object bean) {
        return bean instanceof Producer || bean instanceof ConsumerSupport<?>;
    }
}
