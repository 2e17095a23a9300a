package dev.sluice.registry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership, groups and snapshots while many threads register and unregister group instances, the instances' own
 * producers come and go on their consumers' lanes, other threads pause them by name and read the registry: nothing is
 * lost and nothing is left behind.
 */
class ProducerRegistryConcurrencyTest {

    private static final int THREADS = 6;

    private static final int INSTANCES_PER_THREAD = 300;

    @Test
    void groupInstancesComeAndGoFromManyThreadsAndLeaveNothingBehind() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<StrictPushProducer> producers = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS + 2);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int thread = 0; thread < THREADS; thread++) {
                String group = "group-" + (thread % 2);
                workers.add(threads.submit(() -> {
                    started.countDown();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < INSTANCES_PER_THREAD; i++) {
                        RecordingSink<ByteBuffer> sink = RecordingSink.limited();
                        BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(sink).name(group)
                            .weigher(Weigher.bytes()).waterMarks(new WaterMarks(4, 0)).build();
                        StrictPushProducer producer = new StrictPushProducer();
                        producers.add(producer);
                        String followed;
                        try (ProducerRegistry.Registration registration = registry.register(group, consumer)) {
                            consumer.registerProducer(producer, true);
                            consumer.write(ByteBuffer.allocate(5));
                            followed = registration.name() + ".producer";
                            if (random.nextBoolean()) {
                                registry.pause(followed);
                            }
                            ProducerSnapshot seen = registry.producer(followed).orElse(null);
                            if (seen == null || seen.state() != ProducerState.PAUSED
                                    || !registration.name().equals(seen.consumer())) {
                                problems.add("instance " + registration.name() + " showed " + seen);
                            }
                            sink.grant(5);
                            consumer.drain();
                            if (random.nextBoolean()) {
                                consumer.unregisterProducer();
                            }
                            else {
                                consumer.connectionLost(null);
                            }
                        }
                        // its consumer's lane may still be telling of the unregistration, on another thread: closing
                        // the consumer's registration takes the producer it brought in along all the same
                        if (registry.producer(followed).isPresent()) {
                            problems.add("instance " + followed + " outlived its consumer's registration");
                        }
                    }
                }));
            }
            // readers and name-pausers on the side, for the whole run
            Future<?> reader = threads.submit(() -> {
                started.await();
                while (running.get()) {
                    for (ProducerSnapshot producer : registry.producers()) {
                        if (producer.state() == ProducerState.PAUSED && producer.consumer() == null) {
                            problems.add("paused with no consumer: " + producer);
                        }
                        try {
                            registry.resume(producer.name());
                        }
                        catch (ProducerStoppedException ex) {
                            // stopped between the listing and the order: refused, as documented
                        }
                    }
                    for (GroupSnapshot group : registry.groups()) {
                        if (group.producersPaused() > group.producers()) {
                            problems.add("more paused than members: " + group);
                        }
                    }
                }
                return null;
            });
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            running.set(false);
            reader.get(10, TimeUnit.SECONDS);
        }
        finally {
            running.set(false);
            threads.shutdownNow();
        }

        assertThat(problems).isEmpty();
        assertThat(registry.producers()).isEmpty();
        assertThat(registry.consumers()).isEmpty();
        assertThat(registry.groups()).isEmpty();
        assertThat(producers).hasSize(THREADS * INSTANCES_PER_THREAD)
            .allSatisfy(producer -> {
                assertThat(producer.violations()).isZero();
                assertThat(producer.overlaps()).isZero();
            });
    }
}
