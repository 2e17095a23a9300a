package dev.sluice.autoconfigure;

import java.nio.ByteBuffer;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** Every way Sluice's configuration can be wrong fails start-up with a description that names the property. */
class SluiceFailureAnalyzerTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class));

    private static FailureAnalysis analysis(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        FailureAnalysis analysis = new SluiceFailureAnalyzer().analyze(context.getStartupFailure());
        assertThat(analysis).as("a Sluice failure analysis").isNotNull();
        return analysis;
    }

    @Test
    void lowWaterMarkAboveHigh() {
        this.contextRunner.withPropertyValues("sluice.buffer.high-water-mark=1KB", "sluice.buffer.low-water-mark=2KB")
            .run(context -> {
                FailureAnalysis analysis = analysis(context);
                assertThat(analysis.getDescription()).contains("'sluice.buffer.low-water-mark'")
                    .contains("must not be above the high-water mark (sluice.buffer.high-water-mark = 1024B)")
                    .contains("2048B");
                assertThat(analysis.getAction()).contains("Lower sluice.buffer.low-water-mark");
            });
    }

    @Test
    void perConsumerLowAboveItsHigh() {
        this.contextRunner.withPropertyValues("sluice.consumers.slow.high-water-mark=10B",
                "sluice.consumers.slow.low-water-mark=11B")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.consumers.slow.low-water-mark'")
                .contains("sluice.consumers.slow.high-water-mark = 10B"));
    }

    @Test
    void negativeSizes() {
        this.contextRunner.withPropertyValues("sluice.buffer.high-water-mark=-1KB")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.buffer.high-water-mark' must not be negative"));
        this.contextRunner.withPropertyValues("sluice.buffer.low-water-mark=-5B")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.buffer.low-water-mark' must not be negative"));
        this.contextRunner.withPropertyValues("sluice.file.chunk-size=0")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.file.chunk-size' must be positive"));
        this.contextRunner.withPropertyValues("sluice.cooperator.time-slice=0ms")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.cooperator.time-slice' must be positive"));
        this.contextRunner.withPropertyValues("sluice.shutdown.timeout=-1s")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.shutdown.timeout' must not be negative"));
        this.contextRunner.withPropertyValues("sluice.health.stall-threshold=-1s")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.health.stall-threshold' must not be negative"));
        this.contextRunner.withPropertyValues("sluice.metrics.max-names=-1")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.metrics.max-names' must not be negative"));
    }

    @Test
    void pipeNamingAMissingBean() {
        this.contextRunner.withBean("sink", BufferedConsumer.class, SluiceFailureAnalyzerTests::consumer)
            .withPropertyValues("sluice.pipes.orders.producer=nothing", "sluice.pipes.orders.consumer=sink")
            .run(context -> {
                FailureAnalysis analysis = analysis(context);
                assertThat(analysis.getDescription()).contains("'sluice.pipes.orders.producer' names no bean")
                    .contains("nothing");
                assertThat(analysis.getAction()).contains("Define a bean named 'nothing'");
            });
    }

    @Test
    void pipeNamingABeanOfTheWrongType() {
        this.contextRunner.withBean("feed", StrictPushProducer.class, StrictPushProducer::new)
            .withBean("notAConsumer", String.class, () -> "text")
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=notAConsumer")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.pipes.orders.consumer' names a bean of type class java.lang.String")
                .contains("not a Consumer"));
    }

    @Test
    void pipeWithoutAProducer() {
        this.contextRunner.withPropertyValues("sluice.pipes.orders.consumer=sink")
            .run(context -> assertThat(analysis(context).getDescription())
                .contains("'sluice.pipes.orders.producer' is required"));
    }

    @Test
    void duplicateRegistryName() {
        ProducerRegistry registry = new ProducerRegistry();
        registry.registerProducer("feed", new StrictPushProducer());
        this.contextRunner.withBean(ProducerRegistry.class, () -> registry)
            .withBean("feed", StrictPushProducer.class, StrictPushProducer::new)
            .run(context -> {
                FailureAnalysis analysis = analysis(context);
                assertThat(analysis.getDescription()).contains("bean 'feed'")
                    .contains("the name is already taken by producer");
                assertThat(analysis.getAction()).contains("unique name");
            });
    }

    private static BufferedConsumer<ByteBuffer> consumer() {
        return BufferedConsumer.builder(RecordingSink.<ByteBuffer>accepting()).weigher(Weigher.bytes()).build();
    }
}
