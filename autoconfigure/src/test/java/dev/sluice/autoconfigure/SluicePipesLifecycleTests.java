package dev.sluice.autoconfigure;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.Weigher;
import dev.sluice.boot.BufferedConsumerFactory;
import dev.sluice.boot.SluicePipes;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** When pipes start and stop, how their stop completes, and which beans join the registry. */
@ExtendWith(OutputCaptureExtension.class)
class SluicePipesLifecycleTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class));

    @Test
    void thePhaseLiesBetweenTheWebServersStartStopAndGracefulShutdownPhases() {
        assertThat(SluicePipes.PHASE).isGreaterThan(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE)
            .isLessThan(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE);
    }

    @Test
    void pipesStartAfterTheWebServerAndStopAfterGracefulShutdownButBeforeTheWebServer() {
        List<String> events = new CopyOnWriteArrayList<>();
        BufferedConsumer<ByteBuffer> sink = BufferedConsumer.builder(RecordingSink.<ByteBuffer>accepting())
            .name("sink").weigher(Weigher.bytes()).build();
        sink.addProducerListener(new ProducerListener() {
            @Override
            public void registered(Producer producer, boolean streaming) {
                events.add("pipe started");
            }

            @Override
            public void stopped(Producer producer) {
                events.add("pipe stopped");
            }
        });
        this.contextRunner.withBean("feed", StrictPushProducer.class, StrictPushProducer::new)
            .withBean("sink", BufferedConsumer.class, () -> sink)
            .withBean("webServer", Recording.class,
                    () -> new Recording("web server", WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE, events))
            .withBean("gracefulShutdown", Recording.class,
                    () -> new Recording("graceful shutdown", WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE,
                            events))
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=sink")
            .run(context -> events.add("running"));
        assertThat(events).containsExactly("start web server", "pipe started", "start graceful shutdown", "running",
                "stop graceful shutdown", "pipe stopped", "stop web server");
        assertThat(sink.whenClosed()).isDone();
    }

    @Test
    void stopReturnsAtOnceAndCallsBackWhenTheConsumerHasDrainedAndClosed() {
        RecordingSink<ByteBuffer> slow = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> sink = BufferedConsumer.builder(slow).name("sink").weigher(Weigher.bytes())
            .build();
        this.contextRunner.withBean("feed", StrictPushProducer.class, StrictPushProducer::new)
            .withBean("sink", BufferedConsumer.class, () -> sink)
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=sink",
                    "sluice.shutdown.timeout=30s")
            .run(context -> {
                SluicePipes pipes = context.getBean(SluicePipes.class);
                sink.write(ByteBuffer.wrap("buffered".getBytes()));
                CountDownLatch stopped = new CountDownLatch(1);

                pipes.stop(stopped::countDown);

                assertThat(pipes.isRunning()).isFalse();
                assertThat(stopped.getCount()).as("stop waits for the drain, on no thread of the caller").isOne();
                slow.grant(Long.MAX_VALUE / 2);
                sink.drain();
                assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(slow.text()).isEqualTo("buffered");
                assertThat(slow.isClosed()).isTrue();
                assertThat(sink.droppedUnits()).isZero();
            });
    }

    @Test
    void stopCallsBackAfterTheShutdownTimeoutAndDropsWhatIsLeft(CapturedOutput output) {
        RecordingSink<ByteBuffer> stuck = RecordingSink.limited();
        BufferedConsumer<ByteBuffer> sink = BufferedConsumer.builder(stuck).name("sink").weigher(Weigher.bytes())
            .build();
        this.contextRunner.withBean("feed", StrictPushProducer.class, StrictPushProducer::new)
            .withBean("sink", BufferedConsumer.class, () -> sink)
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=sink",
                    "sluice.shutdown.timeout=200ms")
            .run(context -> {
                sink.write(ByteBuffer.allocate(100));
                CountDownLatch stopped = new CountDownLatch(1);
                long started = System.nanoTime();

                context.getBean(SluicePipes.class).stop(stopped::countDown);

                assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
                assertThat(sink.droppedUnits()).isEqualTo(100);
                assertThat(stuck.isAborted()).isTrue();
            });
        assertThat(output).contains("Sluice pipe 'orders' did not drain within sluice.shutdown.timeout: consumer "
                + "'sink' drops the 100 bytes still buffered");
    }

    @Test
    void pipeLogsNameTheBeans(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(PipeBeans.class)
            .withPropertyValues("sluice.pipes.orders.producer=feed", "sluice.pipes.orders.consumer=sink")
            .run(context -> assertThat(output)
                .contains("Sluice pipe 'orders' started: producer 'feed' -> consumer 'sink'"));
        assertThat(output).contains("Sluice pipe 'orders' stopped: consumer 'sink' drained and closed")
            .doesNotContain("StrictPushProducer@");
    }

    @Test
    void prototypeProducerBeansAreNotRegisteredAndEachInstanceWorks() {
        this.contextRunner.withUserConfiguration(PrototypeProducer.class).run(context -> {
            assertThat(context).hasNotFailed();
            StrictPushProducer first = context.getBean("perUse", StrictPushProducer.class);
            StrictPushProducer second = context.getBean("perUse", StrictPushProducer.class);
            assertThat(first).isNotSameAs(second);
            ProducerRegistry registry = context.getBean(ProducerRegistry.class);
            assertThat(registry.contains(first)).isFalse();
            assertThat(registry.contains(second)).isFalse();
            assertThat(registry.producers()).isEmpty();

            BufferedConsumer<ByteBuffer> consumer = context.getBean(BufferedConsumerFactory.class)
                .create("perUse:1", RecordingSink.accepting());
            consumer.registerProducer(second, true);
            assertThat(registry.consumer("perUse:1").orElseThrow().producer()).isNull(); // not named in the registry
            assertThat(consumer.producer()).isSameAs(second);
        });
    }

    @Test
    void aNameTakenInTheRegistryFailsStartUpNamingTheBean() {
        ProducerRegistry registry = new ProducerRegistry();
        registry.registerProducer("feed", new StrictPushProducer());
        this.contextRunner.withBean(ProducerRegistry.class, () -> registry)
            .withBean("feed", StrictPushProducer.class, StrictPushProducer::new)
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(new SluiceFailureAnalyzer(new StandardEnvironment()).analyze(context.getStartupFailure()).getDescription())
                    .contains("Bean 'feed' cannot join the producer registry")
                    .contains("the name is already taken by producer");
            });
    }

    @Configuration(proxyBeanMethods = false)
    static class PipeBeans {

        @Bean
        StrictPushProducer feed() {
            return new StrictPushProducer();
        }

        @Bean
        BufferedConsumer<ByteBuffer> sink(BufferedConsumerFactory consumers) {
            return consumers.builder("sink", RecordingSink.<ByteBuffer>accepting(), Weigher.bytes()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PrototypeProducer {

        @Bean
        @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
        StrictPushProducer perUse() {
            return new StrictPushProducer();
        }
    }

    /** A lifecycle bean in a given phase that records when it starts and stops. */
    static final class Recording implements SmartLifecycle {

        private final String name;

        private final int phase;

        private final List<String> events;

        private volatile boolean running;

        Recording(String name, int phase, List<String> events) {
            this.name = name;
            this.phase = phase;
            this.events = events;
        }

        @Override
        public void start() {
            this.events.add("start " + this.name);
            this.running = true;
        }

        @Override
        public void stop() {
            this.events.add("stop " + this.name);
            this.running = false;
        }

        @Override
        public boolean isRunning() {
            return this.running;
        }

        @Override
        public int getPhase() {
            return this.phase;
        }
    }
}
