package dev.sluice.autoconfigure;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.sluice.BufferView;
import dev.sluice.ConsumerSupport;
import dev.sluice.WaterMarks;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.boot.SluiceConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.env.Environment;

/**
 * Once every singleton exists, checks that each {@code sluice.consumers.<name>} is in use: it names a consumer bean,
 * or a name declared to {@link BufferedConsumerFactory} for consumers made at run time; and that a consumer bean it
 * names was built with those settings, in its own unit. A mistyped name or a consumer built past the factory would
 * otherwise be configured silently to no effect.
 */
final class ConsumerSettingsCheck implements SmartInitializingSingleton {

    private final ObjectProvider<SluiceProperties> properties;

    private final ObjectProvider<BufferedConsumerFactory> factory;

    private final ListableBeanFactory beans;

    private final Environment environment;

    ConsumerSettingsCheck(ObjectProvider<SluiceProperties> properties, ObjectProvider<BufferedConsumerFactory> factory,
            ListableBeanFactory beans, Environment environment) {
        this.properties = properties;
        this.factory = factory;
        this.beans = beans;
        this.environment = environment;
    }

    @Override
    public void afterSingletonsInstantiated() {
        SluiceProperties settings = this.properties.getObject();
        Set<String> consumerBeans = new TreeSet<>(Set.of(this.beans.getBeanNamesForType(ConsumerSupport.class, true,
                false)));
        BufferedConsumerFactory consumers = this.factory.getIfAvailable();
        Set<String> declared = new TreeSet<>((consumers != null) ? consumers.declaredNames() : Set.of());
        Map<String, ?> singletons = this.beans.getBeansOfType(ConsumerSupport.class, false, false);
        for (String name : settings.getConsumers().keySet()) {
            if (!consumerBeans.contains(name) && !declared.contains(name)) {
                throw new SluiceConfigurationException("sluice.consumers." + name, name,
                        "names no consumer bean and no name declared to BufferedConsumerFactory",
                        "Correct the name. Consumer beans: " + consumerBeans + "; names declared for consumers made "
                                + "at run time: " + runTimeOnly(declared, consumerBeans) + ". Declare a run-time name with "
                                + "BufferedConsumerFactory.declare(\"" + name + "\") while the context starts.");
            }
            if (singletons.get(name) instanceof BufferView view) {
                checkBean(settings, name, view);
            }
        }
    }

    private static Set<String> runTimeOnly(Set<String> declared, Set<String> consumerBeans) {
        Set<String> names = new TreeSet<>(declared);
        names.removeAll(consumerBeans);
        return names;
    }

    /** The value of {@code property} as written, else {@code bound}. */
    private Object written(String property, @Nullable Object bound) {
        String written = this.environment.getProperty(property);
        return (written != null) ? written : String.valueOf(bound);
    }

    private void checkBean(SluiceProperties settings, String name, BufferView view) {
        String key = "sluice.consumers." + name;
        String configured = settings.configuredUnit(name);
        boolean weighsItems = SluiceProperties.ITEMS.equals(view.unit());
        SluiceProperties.ConsumerBuffer own = settings.getConsumers().get(name);
        if (weighsItems && own.setsBytes()) {
            String property = key + (own.getHighWaterMark() != null ? ".high-water-mark" : ".low-water-mark");
            throw new SluiceConfigurationException(property, written(property, own.getHighWaterMark() != null
                    ? own.getHighWaterMark() : own.getLowWaterMark()), "is a size in bytes, but consumer '" + name + "' weighs items",
                    "Set " + key + ".high-water-items / .low-water-items (counts) instead.");
        }
        if (!weighsItems && SluiceProperties.ITEMS.equals(configured)) {
            String property = key + (own.getHighWaterItems() != null ? ".high-water-items" : ".low-water-items");
            throw new SluiceConfigurationException(property, written(property, own.getHighWaterItems() != null
                    ? own.getHighWaterItems() : own.getLowWaterItems()),
                    "is a count of items, but consumer '" + name + "' weighs " + view.unit(),
                    "Set " + key + ".high-water-mark / .low-water-mark (sizes such as 64KB) instead.");
        }
        WaterMarks wanted = settings.waterMarks(name, view.unit());
        if (view.highWaterMark() != wanted.high() || view.lowWaterMark() != wanted.low()) {
            throw new SluiceConfigurationException(key, wanted.high() + "/" + wanted.low() + " " + view.unit(),
                    "is not what consumer bean '" + name + "' was built with (" + view.highWaterMark() + "/"
                            + view.lowWaterMark() + " " + view.unit() + ")",
                    "Build the bean with BufferedConsumerFactory.builder(\"" + name + "\", sink, weigher), which "
                            + "applies " + key + ".*");
        }
    }
}
