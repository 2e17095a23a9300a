package dev.sluice.autoconfigure;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.boot.FileTransfers;
import dev.sluice.boot.SluiceBeanRegistrar;
import dev.sluice.boot.SluicePipes;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import dev.sluice.twisted.task.Cooperator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class SluiceAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class));

    @Test
    void defaultBeansAreRegistered() {
        this.contextRunner.run(context -> {
            assertThat(context).hasSingleBean(ProducerRegistry.class);
            assertThat(context).hasSingleBean(BufferedConsumerFactory.class);
            assertThat(context).hasSingleBean(SluiceBeanRegistrar.class);
            assertThat(context).hasSingleBean(SluicePipes.class);
            assertThat(context.getBean(SluicePipes.class).names()).isEmpty();
            assertThat(context).hasSingleBean(Cooperator.class);
            assertThat(context.getBean(FileTransfers.class).chunkSize()).isEqualTo(16 * 1024);
        });
    }

    @Test
    void withoutSluiceTwistedThereIsNoCooperatorAndTheRestIsConfigured() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(Cooperator.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(Cooperator.class);
            assertThat(context).hasSingleBean(ProducerRegistry.class);
            assertThat(context).hasSingleBean(BufferedConsumerFactory.class);
            assertThat(context).hasSingleBean(SluicePipes.class);
        });
    }

    @Test
    void theCooperatorUsesTheConfiguredTimeSliceAndStopsWithTheContext() {
        Cooperator[] seen = new Cooperator[1];
        this.contextRunner.withPropertyValues("sluice.cooperator.time-slice=3ms", "sluice.file.chunk-size=4KB")
            .run(context -> {
                seen[0] = context.getBean(Cooperator.class);
                assertThat(seen[0].isRunning()).isTrue();
                assertThat(seen[0].coiterate(java.util.List.of(1, 2, 3).iterator()))
                    .succeedsWithin(Duration.ofSeconds(5));
                assertThat(context.getBean(FileTransfers.class).chunkSize()).isEqualTo(4096);
            });
        assertThat(seen[0].isRunning()).isFalse();
    }

    @Test
    void userBeansWinOverEveryDefault() {
        ProducerRegistry mine = new ProducerRegistry();
        this.contextRunner.withBean(ProducerRegistry.class, () -> mine)
            .withBean(BufferedConsumerFactory.class, () -> new BufferedConsumerFactory((name, unit) -> WaterMarks.DEFAULT, mine))
            .run(context -> {
                assertThat(context.getBean(ProducerRegistry.class)).isSameAs(mine);
                assertThat(context).hasSingleBean(BufferedConsumerFactory.class);
            });
    }

    @Test
    void propertyDefaults() {
        this.contextRunner.run(context -> {
            SluiceProperties properties = context.getBean(SluiceProperties.class);
            assertThat(properties.getBuffer().getHighWaterMark()).isEqualTo(DataSize.ofKilobytes(64));
            assertThat(properties.getBuffer().getLowWaterMark()).isNull();
            assertThat(properties.waterMarks(null)).isEqualTo(new WaterMarks(65536, 32768));
            assertThat(properties.getCooperator().getTimeSlice()).isEqualTo(Duration.ofMillis(10));
            assertThat(properties.getFile().getChunkSize()).isEqualTo(DataSize.ofKilobytes(16));
            assertThat(properties.getMetrics().isEnabled()).isTrue();
            assertThat(properties.getMetrics().getMaxNames()).isEqualTo(1000);
            assertThat(properties.getHealth().getStallThreshold()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.getHealth().getStallStatus()).isEqualTo(SluiceProperties.StallStatus.UP);
            assertThat(properties.waterMarks(null, SluiceProperties.ITEMS)).isEqualTo(new WaterMarks(1000, 500));
            assertThat(properties.getShutdown().getTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.getPipes()).isEmpty();
            assertThat(properties.getConsumers()).isEmpty();
        });
    }

    @Test
    void propertiesBind() {
        this.contextRunner.withUserConfiguration(RunTimeConsumerNames.class)
            .withPropertyValues("sluice.buffer.high-water-mark=1MB",
                "sluice.buffer.low-water-mark=0", "sluice.consumers.slow.high-water-mark=8KB",
                "sluice.cooperator.time-slice=5ms", "sluice.file.chunk-size=64KB", "sluice.metrics.enabled=false",
                "sluice.metrics.max-names=10", "sluice.health.stall-threshold=1m",
                "sluice.health.stall-status=OUT_OF_SERVICE", "sluice.shutdown.timeout=5s")
            .run(context -> {
                SluiceProperties properties = context.getBean(SluiceProperties.class);
                assertThat(properties.waterMarks(null)).isEqualTo(new WaterMarks(1024 * 1024, 0));
                assertThat(properties.waterMarks("slow")).isEqualTo(new WaterMarks(8192, 0));
                assertThat(properties.waterMarks("other")).isEqualTo(new WaterMarks(1024 * 1024, 0));
                assertThat(properties.getCooperator().getTimeSlice()).isEqualTo(Duration.ofMillis(5));
                assertThat(properties.getFile().getChunkSize()).isEqualTo(DataSize.ofKilobytes(64));
                assertThat(properties.getMetrics().isEnabled()).isFalse();
                assertThat(properties.getMetrics().getMaxNames()).isEqualTo(10);
                assertThat(properties.getHealth().getStallThreshold()).isEqualTo(Duration.ofMinutes(1));
                assertThat(properties.getHealth().getStallStatus())
                    .isEqualTo(SluiceProperties.StallStatus.OUT_OF_SERVICE);
                assertThat(properties.getShutdown().getTimeout()).isEqualTo(Duration.ofSeconds(5));
            });
    }

    @Test
    void consumerFactoryAppliesTheConfiguredMarksAndRegistersWhatItCreates() {
        this.contextRunner.withUserConfiguration(RunTimeConsumerNames.class)
            .withPropertyValues("sluice.consumers.uploads.high-water-mark=1KB",
                "sluice.consumers.uploads.low-water-mark=100B")
            .run(context -> {
                BufferedConsumerFactory factory = context.getBean(BufferedConsumerFactory.class);
                ProducerRegistry registry = context.getBean(ProducerRegistry.class);
                BufferedConsumer<ByteBuffer> uploads = factory.create("uploads", RecordingSink.accepting());
                assertThat(uploads.highWaterMark()).isEqualTo(1024);
                assertThat(uploads.lowWaterMark()).isEqualTo(100);
                assertThat(registry.consumer("uploads")).isPresent();

                uploads.loseConnection();
                assertThat(registry.consumer("uploads")).isEmpty();
            });
    }

    @Test
    void producerAndConsumerBeansJoinTheRegistryUnderTheirBeanNamesAndLeaveWithTheContext() {
        ProducerRegistry registry = new ProducerRegistry();
        this.contextRunner.withBean(ProducerRegistry.class, () -> registry)
            .withUserConfiguration(PipeBeans.class)
            .run(context -> {
                assertThat(registry.producer("feed")).isPresent();
                assertThat(registry.consumer("sink")).isPresent();
            });
        assertThat(registry.producers()).isEmpty();
        assertThat(registry.consumers()).isEmpty();
    }

    @Test
    void pipesWireTheProducerBeanIntoTheConsumerBeanOnStart() {
        this.contextRunner.withUserConfiguration(PipeBeans.class)
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=sink")
            .run(context -> {
                BufferedConsumer<?> sink = context.getBean("sink", BufferedConsumer.class);
                assertThat(sink.producer()).isSameAs(context.getBean("feed"));
                assertThat(context.getBean(ProducerRegistry.class).producer("feed").orElseThrow().consumer())
                    .isEqualTo("sink");
            });
    }

    @Test
    void gracefulShutdownDeliversWhatIsBufferedWithinTheTimeout() {
        RecordingSink<ByteBuffer> delivered = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> sink = BufferedConsumer.builder(delivered).name("sink").weigher(Weigher.bytes())
            .build();
        // the sink takes nothing until shutdown has held the producer, then drains from another thread
        StrictPushProducer feed = new StrictPushProducer() {
            @Override
            protected void onTransition(String event) {
                if (event.equals("pause")) {
                    new Thread(() -> {
                        delivered.grant(Long.MAX_VALUE / 2);
                        sink.drain();
                    }).start();
                }
            }
        };
        this.contextRunner.withBean("feed", StrictPushProducer.class, () -> feed)
            .withBean("sink", BufferedConsumer.class, () -> sink)
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=sink",
                    "sluice.shutdown.timeout=10s")
            .run(context -> {
                for (int i = 0; i < 10; i++) {
                    sink.write(ByteBuffer.wrap(("chunk" + i + ";").getBytes()));
                }
                assertThat(delivered.bytes()).isEmpty();
            });
        assertThat(delivered.text()).isEqualTo("chunk0;chunk1;chunk2;chunk3;chunk4;chunk5;chunk6;chunk7;chunk8;chunk9;");
        assertThat(delivered.isClosed()).isTrue();
        assertThat(sink.droppedUnits()).isZero();
        assertThat(feed.events()).containsExactly("pause", "stop");
    }

    @Test
    void gracefulShutdownDropsAndCountsWhatCannotDrainInTime() {
        RecordingSink<ByteBuffer> stuck = RecordingSink.limited();
        StrictPushProducer feed = new StrictPushProducer();
        BufferedConsumer<ByteBuffer> sink = BufferedConsumer.builder(stuck).name("sink").weigher(Weigher.bytes())
            .build();
        this.contextRunner.withBean("feed", StrictPushProducer.class, () -> feed)
            .withBean("sink", BufferedConsumer.class, () -> sink)
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=sink",
                    "sluice.shutdown.timeout=50ms")
            .run(context -> sink.write(ByteBuffer.allocate(100)));
        assertThat(sink.droppedUnits()).isEqualTo(100);
        assertThat(stuck.isAborted()).isTrue();
        assertThat(feed.events()).containsExactly("pause", "stop");
    }

    /** Declares the names of consumers that tests make at run time, as an application would. */
    @Configuration(proxyBeanMethods = false)
    static class RunTimeConsumerNames {

        @Bean
        String runTimeConsumerNames(BufferedConsumerFactory consumers) {
            return consumers.declare("slow") + "," + consumers.declare("uploads");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PipeBeans {

        @Bean
        StrictPushProducer feed() {
            return new StrictPushProducer();
        }

        @Bean
        BufferedConsumer<ByteBuffer> sink() {
            return BufferedConsumer.builder(RecordingSink.<ByteBuffer>accepting()).name("sink")
                .weigher(Weigher.bytes()).build();
        }
    }
}
