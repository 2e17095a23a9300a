package dev.sluice.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.io.AsyncSink;
import dev.sluice.kafka.KafkaTestSupport.Events;
import dev.sluice.kafka.KafkaTestSupport.PacedApi;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.event.NonResponsiveConsumerEvent;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer group of up to three members in this JVM, each its own pipe (listener container, buffered consumer, slow
 * asynchronous sink, so containers are paused most of the time), while members join, leave cleanly and are killed, and
 * partitions move between paused containers. Checked: every record reaches a sink (0 lost); the group's committed
 * offset of each partition, sampled throughout through an {@link Admin}, never decreases; duplicates stay within one
 * buffer, one poll batch and the sink's in-flight calls per revocation or kill; no container is left paused with an
 * empty buffer; no partition is lost to a missed poll (pauses keep polling). {@code -Dsluice.chaos.records} sizes it
 * ({@code -Pchaos}: ten times the {@code verify} run).
 */
class KafkaChaosTest {

    private static final Logger log = LoggerFactory.getLogger(KafkaChaosTest.class);

    private static final String TOPIC = "chaos";

    private static final String GROUP = "chaos-group";

    private static final int PARTITIONS = 6;

    private static final int HIGH = 200;

    private static final int POLL_BATCH = 100;

    private static final int IN_FLIGHT = 8;

    /** Each member's sink answers at most this many calls a second. */
    private static final int SINK_RATE = 2_000;

    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

    private final AtomicLong deliveries = new AtomicLong();

    private final List<Member> everyMember = new CopyOnWriteArrayList<>();

    /** One instance of the application: its own container, consumer and sink, in the one group. */
    private final class Member {

        final String id;

        final Events events = new Events();

        final ConcurrentMessageListenerContainer<String, String> container;

        final BufferedConsumer<KafkaRecord<String, String>> consumer;

        final KafkaSource<String, String> source;

        final PacedApi api = new PacedApi(SINK_RATE);

        /** Set when the member is killed: its sink's answers acknowledge nothing from then on. */
        final AtomicBoolean dead = new AtomicBoolean();

        Member(String id) {
            this.id = id;
            this.container = KafkaTestSupport.container(id, TOPIC, GROUP, POLL_BATCH, this.events);
            // a pause that stopped the polls would show as lost partitions within 10 s
            this.container.getContainerProperties()
                .getKafkaConsumerProperties()
                .put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "10000");
            AsyncSink<KafkaRecord<String, String>> sink = AsyncSink.<KafkaRecord<String, String>>builder(record -> {
                KafkaChaosTest.this.received.computeIfAbsent(record.key(), key -> new AtomicInteger()).incrementAndGet();
                KafkaChaosTest.this.deliveries.incrementAndGet();
                return this.api.call();
            }).maxInFlight(IN_FLIGHT).onSuccess(record -> {
                if (!this.dead.get()) {
                    record.acknowledge();
                }
            }).build();
            this.consumer = sink.bind(BufferedConsumer.builder(sink)
                .name(id)
                .waterMarks(new WaterMarks(HIGH, HIGH / 2))
                .build());
            // a slow rebalance listener: the sink goes on answering (and acknowledging) after the revocation commit
            this.events.afterCommit = partitions -> {
                long answered = this.api.answered.get();
                try {
                    await().atMost(Duration.ofMillis(300)).until(() -> this.api.answered.get() >= answered + IN_FLIGHT);
                }
                catch (ConditionTimeoutException ex) {
                    // nothing in flight: no acknowledgement in the window this time
                }
            };
            this.source = KafkaSource.attach(this.container, this.consumer);
            this.consumer.registerProducer(this.source, true);
            this.container.start();
            KafkaChaosTest.this.everyMember.add(this);
        }

        /** As the starter stops a pipe: pause, drain, wait for the acknowledgements, then stop the container. */
        void leave() {
            this.consumer.holdProducer();
            this.source.whenPaused(Duration.ofSeconds(30)).join();
            this.consumer.stopConsuming();
            this.consumer.whenClosed().orTimeout(30, TimeUnit.SECONDS).join();
            this.source.whenAcknowledged().orTimeout(30, TimeUnit.SECONDS).join();
            this.source.stopProducing();
            this.source.whenStopped().orTimeout(30, TimeUnit.SECONDS).join();
            this.api.close();
        }

        /** A crash: nothing more is acknowledged, the buffer is thrown away, the container goes. */
        void kill() {
            this.dead.set(true);
            this.consumer.abortConnection();
            this.container.stop();
            this.api.close();
        }

        boolean pausedWithEmptyBuffer() {
            return this.container.isRunning() && this.container.isPauseRequested()
                    && this.consumer.bufferedUnits() == 0 && this.consumer.isWritable();
        }
    }

    /** Samples the group's committed offsets and counts every partition whose offset went back. */
    private static final class OffsetWatch implements AutoCloseable {

        private final Admin admin = KafkaTestSupport.admin();

        private final Map<TopicPartition, Long> highest = new ConcurrentHashMap<>();

        final List<String> regressions = new CopyOnWriteArrayList<>();

        final AtomicLong samples = new AtomicLong();

        private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();

        OffsetWatch() {
            this.clock.scheduleWithFixedDelay(this::sample, 0, 50, TimeUnit.MILLISECONDS);
        }

        private void sample() {
            Map<TopicPartition, OffsetAndMetadata> offsets;
            try {
                offsets = this.admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            }
            catch (Exception ex) {
                return; // a sample missed, not a regression
            }
            this.samples.incrementAndGet();
            offsets.forEach((partition, offset) -> {
                if (offset == null) {
                    return;
                }
                Long before = this.highest.put(partition, Math.max(offset.offset(),
                        this.highest.getOrDefault(partition, -1L)));
                if (before != null && offset.offset() < before) {
                    this.regressions.add(partition + ": " + before + " -> " + offset.offset());
                }
            });
        }

        long total() {
            return this.highest.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public void close() {
            this.clock.shutdownNow();
            this.admin.close();
        }
    }

    @Test
    void aGroupOfPausedMembersThatJoinLeaveAndDieLosesNothingAndNeverCommitsBackwards() throws Exception {
        int records = Integer.getInteger("sluice.chaos.records", 24_000);
        KafkaTestSupport.fill(TOPIC, PARTITIONS, records);
        Random random = new Random(Long.getLong("sluice.chaos.seed", System.nanoTime()));
        List<Member> live = new ArrayList<>();
        int joined = 0;
        int left = 0;
        int killed = 0;
        int pausedEmptySeen = 0;
        long start = System.nanoTime();
        try (OffsetWatch watch = new OffsetWatch()) {
            for (int i = 0; i < 3; i++) {
                live.add(new Member("chaos-" + joined++));
            }
            int step = records / 24;
            while (this.received.size() < records) {
                // partitions move while the containers are paused: act after every 1/24th of the records, give or take
                int mark = Math.min(records, this.received.size() + step / 2 + random.nextInt(step));
                await().atMost(Duration.ofSeconds(120)).until(() -> this.received.size() >= mark);
                for (Member member : live) {
                    if (member.pausedWithEmptyBuffer()) {
                        pausedEmptySeen++;
                    }
                }
                if (this.received.size() >= records) {
                    break;
                }
                int action = random.nextInt(3);
                if (live.size() < 3 && (action == 0 || live.size() == 1)) {
                    live.add(new Member("chaos-" + joined++));
                }
                else if (action == 1) {
                    live.remove(random.nextInt(live.size())).leave();
                    left++;
                }
                else {
                    live.remove(random.nextInt(live.size())).kill();
                    killed++;
                }
                if (live.isEmpty()) {
                    live.add(new Member("chaos-" + joined++));
                }
            }
            // the survivors finish: every partition committed to its end
            await().atMost(Duration.ofSeconds(120)).until(() -> watch.total() == records);
            await().atMost(Duration.ofSeconds(10)).until(() -> live.stream().noneMatch(Member::pausedWithEmptyBuffer));
            double seconds = (System.nanoTime() - start) / 1e9;
            for (Member member : live) {
                member.leave();
            }

            long distinct = this.received.size();
            long duplicates = this.deliveries.get() - distinct;
            long revocations = this.everyMember.stream().mapToLong(member -> member.events.revocations.get()).sum();
            long rebalances = this.everyMember.stream().flatMap(member -> member.events.generations.stream())
                .distinct().count() - 1;
            long droppedAcks = this.everyMember.stream().mapToLong(member -> member.source.droppedAcknowledgements())
                .sum();
            long lost = this.everyMember.stream().mapToLong(member -> member.events.lost.get()).sum();
            long nonResponsive = this.everyMember.stream()
                .mapToLong(member -> member.events.count(NonResponsiveConsumerEvent.class))
                .sum();
            long perRevocation = HIGH + POLL_BATCH + IN_FLIGHT;
            long bound = (revocations + killed) * perRevocation;
            log.info("Chaos: {} records on {} partitions in {} s; members joined {}, left cleanly {}, killed {}; "
                    + "rebalances {}, revocations {}; lost {}; duplicates {} (bound {} = (revocations + kills) x {}); late acks "
                    + "dropped {}; committed-offset samples {}, regressions {}; partitions lost to missed polls {} "
                    + "(non-responsive-consumer events {}: a poll slower than 3 x 200 ms, in a rebalance); "
                    + "containers seen paused with an empty buffer {} (transient), at the end 0",
                    records, PARTITIONS, String.format("%.1f", seconds), joined, left, killed, rebalances, revocations,
                    records - distinct, duplicates, bound, perRevocation, droppedAcks, watch.samples.get(),
                    watch.regressions.size(), lost, nonResponsive, pausedEmptySeen);

            assertThat(distinct).as("records that reached a sink").isEqualTo(records);
            assertThat(watch.regressions).as("committed offsets that went back").isEmpty();
            assertThat(watch.samples.get()).isPositive();
            assertThat(duplicates).as("duplicates").isLessThanOrEqualTo(bound);
            assertThat(lost).as("partitions lost: a member missed max.poll.interval.ms").isZero();
            assertThat(left + killed).as("membership changes").isPositive();
        }
        finally {
            for (Member member : this.everyMember) {
                if (member.container.isRunning()) {
                    member.container.stop();
                }
                member.api.close();
            }
        }
    }
}
