package dev.sluice.micrometer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerStoppedException;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Meters follow the registry's membership exactly while many threads register and remove group instances and
 * singletons, pause them by name and scrape: once the threads are quiet every group that exists has its meters and no
 * other meter is left; while they run, a group's counters never go down.
 */
class ProducerRegistryMetricsConcurrencyTest {

    private static final int THREADS = 6;

    private static final int ROUNDS = 300;

    @Test
    void metersFollowMembershipUnderChurnFromManyThreads() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        new ProducerRegistryMetrics(registry).bindTo(meters);
        BufferedConsumer<ByteBuffer> steady = consumer(RecordingSink.accepting());
        ProducerRegistry.Registration steadyRegistration = registry.register("steady", steady);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS + 1);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int thread = 0; thread < THREADS; thread++) {
                int id = thread;
                workers.add(threads.submit(() -> churn(registry, id, steady)));
            }
            Future<?> scraper = threads.submit(() -> {
                double lastWritten = 0;
                while (running.get()) {
                    for (Meter meter : meters.getMeters()) {
                        meter.measure().forEach(measurement -> measurement.getValue());
                    }
                    double written = meters.get("sluice.consumer.written").tag("consumer", "steady").functionCounter()
                        .count();
                    if (written < lastWritten) {
                        problems.add("steady's written counter went down from " + lastWritten + " to " + written);
                    }
                    lastWritten = written;
                    for (String name : registry.producers().stream().map(p -> p.name()).toList()) {
                        try {
                            registry.pause(name);
                            registry.resume(name);
                        }
                        catch (ProducerStoppedException ex) {
                            // stopped meanwhile: refused, as documented
                        }
                    }
                }
                return null;
            });
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            running.set(false);
            scraper.get(10, TimeUnit.SECONDS);
        }
        finally {
            running.set(false);
            threads.shutdownNow();
        }

        assertThat(problems).isEmpty();
        assertThat(registry.groupNames()).containsExactly("steady");
        assertThat(meters.getMeters()).extracting(meter -> meter.getId().getTag("consumer"))
            .containsOnly("steady").hasSize(5);
        assertThat(meters.get("sluice.consumer.written").tag("consumer", "steady").functionCounter().count())
            .isEqualTo(steady.acceptedUnits() + THREADS * ROUNDS * 3L);
        steadyRegistration.close();
        assertThat(meters.getMeters()).isEmpty();
    }

    @SuppressWarnings("try") // the registrations are only closed, by try-with-resources
    private static void churn(ProducerRegistry registry, int thread, BufferedConsumer<ByteBuffer> steady) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int round = 0; round < ROUNDS; round++) {
            steady.write(ByteBuffer.allocate(1));
            // an instance of the long-lived group comes and goes: its figures stay in the group's counters
            BufferedConsumer<ByteBuffer> passing = consumer(RecordingSink.accepting());
            try (ProducerRegistry.Registration registration = registry.register("steady", passing)) {
                passing.write(ByteBuffer.allocate(3));
            }
            // a short-lived group of instances, with producers brought in by their consumers
            BufferedConsumer<ByteBuffer> download = consumer(RecordingSink.limited());
            try (ProducerRegistry.Registration registration = registry.register("group-" + random.nextInt(3),
                    download)) {
                download.registerProducer(new StrictPushProducer(), true);
                download.write(ByteBuffer.allocate(5));
                if (random.nextBoolean()) {
                    download.connectionLost(null);
                }
            }
            // a singleton whose name other threads use too
            String name = "single-" + random.nextInt(4);
            try (ProducerRegistry.Registration registration = registry.registerProducer(name,
                    new StrictPushProducer())) {
                registration.name();
            }
            catch (IllegalStateException ex) {
                // another thread holds the name now: a clear refusal, as documented
                assertThat(ex).hasMessageContaining("'" + name + "'");
            }
        }
    }

    private static BufferedConsumer<ByteBuffer> consumer(RecordingSink<ByteBuffer> sink) {
        return BufferedConsumer.builder(sink).name("c").weigher(Weigher.bytes()).waterMarks(new WaterMarks(4, 0))
            .build();
    }
}
