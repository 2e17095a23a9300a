package dev.sluice.boot;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.registry.ProducerRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;

/**
 * Registers every singleton producer and consumer bean in the {@link ProducerRegistry} under its bean name, and
 * removes it when the bean is destroyed.
 *
 * <ul>
 *   <li>The bean name is the registry name and the configuration name ({@code sluice.consumers.<bean name>}). A
 *       consumer bean whose own {@link ConsumerSupport#name()} differs fails start-up, rather than being listed under
 *       one name and configured under the other.</li>
 *   <li>Only singletons: a prototype- or request-scoped producer is one object per use, not one name; registering it
 *       under its bean name would fail on its second instance. Register such objects by hand under names of their
 *       own.</li>
 *   <li>A bean that is both a producer and a consumer is registered twice: as the producer under its bean name, as
 *       the consumer under {@code <bean name>.consumer}. Objects already in the registry (such as those made by
 *       {@link BufferedConsumerFactory#create}) are left alone.</li>
 * </ul>
 */
public final class SluiceBeanRegistrar implements DestructionAwareBeanPostProcessor, BeanFactoryAware {

    private final ObjectProvider<ProducerRegistry> registry;

    private final Map<String, Object> registered = new ConcurrentHashMap<>();

    private @Nullable ConfigurableListableBeanFactory beanFactory;

    public SluiceBeanRegistrar(ObjectProvider<ProducerRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
            this.beanFactory = listable;
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!requiresDestruction(bean) || !isSingleton(beanName)) {
            return bean;
        }
        if (bean instanceof ConsumerSupport<?> consumer && !(bean instanceof Producer)
                && !consumer.name().equals(beanName)) {
            throw SluiceConfigurationException.ofBean(beanName, "sluice.consumers." + beanName,
                    "is a consumer named '" + consumer.name() + "', not '" + beanName
                            + "': the bean name is its registry name and its configuration name "
                            + "(sluice.consumers." + beanName + ")",
                    "Build it with the bean name (BufferedConsumerFactory.builder(\"" + beanName + "\", ...) or "
                            + "BufferedConsumer.builder(...).name(\"" + beanName + "\")), or rename the bean to '"
                            + consumer.name() + "'.");
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
                target.registerConsumer(consumerName(bean, beanName), consumer);
            }
            this.registered.put(beanName, bean);
        }
        catch (IllegalStateException ex) {
            throw SluiceConfigurationException.ofBean(beanName, "sluice.consumers." + beanName,
                    "cannot join the producer registry: " + ex.getMessage(),
                    "Give each producer and consumer a unique name: rename the bean or the object registered by hand.");
        }
        return bean;
    }

    private boolean isSingleton(String beanName) {
        ConfigurableListableBeanFactory factory = this.beanFactory;
        if (factory == null || !factory.containsBeanDefinition(beanName)) {
            return true; // registered as an instance, which is a singleton
        }
        return factory.getMergedBeanDefinition(beanName).isSingleton();
    }

    @Override
    public void postProcessBeforeDestruction(Object bean, String beanName) {
        ProducerRegistry target = this.registry.getIfAvailable();
        if (target == null || !this.registered.remove(beanName, bean)) {
            return;
        }
        if (bean instanceof Producer) {
            target.remove(beanName);
        }
        if (bean instanceof ConsumerSupport<?>) {
            target.remove(consumerName(bean, beanName));
        }
    }

    private static String consumerName(Object bean, String beanName) {
        return (bean instanceof Producer) ? beanName + ".consumer" : beanName;
    }

    @Override
    public boolean requiresDestruction(Object bean) {
        return bean instanceof Producer || bean instanceof ConsumerSupport<?>;
    }
}
