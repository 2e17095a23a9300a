package dev.sluice.autoconfigure;

import java.nio.ByteBuffer;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.micrometer.ProducerRegistryMetrics;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.FunctionTimer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class SluiceMetricsAutoConfigurationTests {

    /** Boot's own metrics configurations, in any order: ours must still come after them. */
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceMetricsAutoConfiguration.class, SluiceAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                MetricsAutoConfiguration.class))
        .withPropertyValues("management.metrics.use-global-registry=false");

    @Test
    void theOrderingNamesAreBoot4sRealClasses() throws Exception {
        org.springframework.boot.autoconfigure.AutoConfiguration ordering = SluiceMetricsAutoConfiguration.class
            .getAnnotation(org.springframework.boot.autoconfigure.AutoConfiguration.class);
        assertThat(ordering.afterName()).hasSize(3);
        for (String name : ordering.afterName()) {
            assertThat(Class.forName(name)).as(name).isNotNull(); // a wrong name would fail silently at run time
        }
    }

    @Test
    void metersArePublishedWhenAMeterRegistryExists() {
        this.contextRunner.withBean("feed", StrictPushProducer.class, StrictPushProducer::new)
            .withBean("sink", BufferedConsumer.class, () -> BufferedConsumer
                .builder(RecordingSink.<ByteBuffer>limited()).name("sink").weigher(Weigher.bytes())
                .waterMarks(new WaterMarks(10, 0)).build())
            // the sink never drains: do not wait for it on shutdown
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=sink",
                    "sluice.shutdown.timeout=0s")
            .run(context -> {
                assertThat(context).hasSingleBean(ProducerRegistryMetrics.class);
                MeterRegistry meters = context.getBean(MeterRegistry.class);
                @SuppressWarnings("unchecked")
                BufferedConsumer<ByteBuffer> sink = context.getBean("sink", BufferedConsumer.class);
                sink.write(ByteBuffer.allocate(11));

                assertThat(meters.get("sluice.consumer.buffer.depth").tag("consumer", "sink").gauge().value())
                    .isEqualTo(11);
                assertThat(meters.get("sluice.consumer.buffer.limit").tag("consumer", "sink").gauge().value())
                    .isEqualTo(10);
                assertThat(meters.get("sluice.producer.paused.active").tag("producer", "feed").gauge().value())
                    .isEqualTo(1);
                FunctionTimer paused = meters.get("sluice.producer.paused").tag("producer", "feed").functionTimer();
                assertThat(paused.count()).isEqualTo(1); // the pause in progress counts
                assertThat(meters.get("sluice.producer.errors").tag("producer", "feed").functionCounter().count())
                    .isZero();
            });
    }

    @Test
    void backsOffWithoutAMeterRegistry() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class,
                    SluiceMetricsAutoConfiguration.class))
            .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ProducerRegistryMetrics.class));
    }

    @Test
    void backsOffWithoutSluiceMicrometerOnTheClassPath() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(ProducerRegistryMetrics.class))
            .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ProducerRegistryMetrics.class));
    }

    @Test
    void backsOffWithoutMicrometerOnTheClassPath() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class,
                    SluiceMetricsAutoConfiguration.class))
            .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
            .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ProducerRegistryMetrics.class));
    }

    @Test
    void canBeSwitchedOff() {
        this.contextRunner.withPropertyValues("sluice.metrics.enabled=false")
            .run(context -> assertThat(context).doesNotHaveBean(ProducerRegistryMetrics.class));
    }

    @Test
    void userBinderWins() {
        this.contextRunner
            .withBean("myMetrics", ProducerRegistryMetrics.class,
                    () -> new ProducerRegistryMetrics(new dev.sluice.registry.ProducerRegistry(), 5))
            .run(context -> assertThat(context).hasSingleBean(ProducerRegistryMetrics.class)
                .hasBean("myMetrics"));
    }

    @Test
    void theNameCapComesFromTheProperties() {
        this.contextRunner.withPropertyValues("sluice.metrics.max-names=1")
            .withBean("a", StrictPushProducer.class, StrictPushProducer::new)
            .withBean("b", StrictPushProducer.class, StrictPushProducer::new)
            .run(context -> assertThat(context.getBean(MeterRegistry.class).find("sluice.producer.paused")
                .functionTimers()).hasSize(1));
    }
}
