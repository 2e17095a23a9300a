package dev.sluice.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.PushProducer;
import dev.sluice.internal.Log;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.AcknowledgingMessageListener;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.Acknowledgment;

/**
 * A Spring Kafka listener container as a Sluice push producer: it writes every record it receives, as a
 * {@link KafkaRecord}, into one consumer, and the consumer's back-pressure pauses it.
 *
 * <pre>{@code
 * AsyncSink<KafkaRecord<String, String>> sink = KafkaSinks.<String, String>async(r -> api.send(r.value())).build();
 * BufferedConsumer<KafkaRecord<String, String>> consumer = sink.bind(BufferedConsumer.builder(sink).build());
 * KafkaSource<String, String> source = KafkaSource.attach(container, consumer);
 * consumer.registerProducer(source, true);
 * container.start();
 * }</pre>
 *
 * <h2>Back-pressure</h2>
 * {@link #pauseProducing()} is {@link MessageListenerContainer#pause()}, {@link #resumeProducing()} is
 * {@link MessageListenerContainer#resume()}. The container keeps polling while paused, so the group keeps its
 * partitions (no rebalance). {@link #attach} sets the container's {@code pauseImmediate}, so a pause takes effect after
 * the current record rather than after the rest of the poll's batch: the pause is delivered inside the write that
 * crossed the high-water mark, on the container's thread, and the records of the batch not yet delivered are held by
 * the container and delivered after the resume. The consumer's buffer therefore exceeds its high-water mark by at most
 * a few records (one poll batch at the very most). A resume waits until the container's consumers have really paused
 * (see {@link #resumeProducing()}), so the pause and resume never trigger the container's emergency stop; while
 * paused, the container keeps polling (without records), so {@code max.poll.interval.ms} is never exceeded by a
 * pause, however long.
 *
 * <h2>At-least-once</h2>
 * The container must use {@link AckMode#MANUAL} or {@link AckMode#MANUAL_IMMEDIATE} (without {@code asyncAcks}): a
 * record's offset is committed only when the record has been {@linkplain KafkaRecord#acknowledge() acknowledged}
 * and every earlier record of its partition too (see {@link KafkaRecord}). Records still buffered when the pipe stops
 * or crashes are never acknowledged, so the group's next consumer receives them again; the records a sink had taken
 * but not yet acknowledged are redelivered as well. Duplicates are possible, loss is not.
 *
 * <h2>Rebalances</h2>
 * {@link #attach} wraps the container's {@linkplain ContainerProperties#getConsumerRebalanceListener() rebalance
 * listener} (the application's own listener still gets every call, first): when partitions are revoked or lost, the
 * source retires them on the consumer thread <em>before</em> the container commits the acknowledgements it has
 * queued. Every acknowledgement handed to the container was therefore made while this member owned the partition;
 * one made later (records of a revoked partition still buffered or in flight go to the sink all the same) is dropped
 * and counted ({@link #droppedAcknowledgements()}), never committed. So a group's committed offsets never move back,
 * and the duplicates a rebalance causes are the revoked partition's records that were in this pipe (buffered or in
 * flight) but not yet acknowledged: the partition's next reader receives them again.
 *
 * <p>Why not the container's own {@code asyncAcks}: it pauses the consumer after every poll until the whole batch is
 * acknowledged, which caps the records in flight at one batch and empties the pipeline between batches, and its
 * per-batch bookkeeping is rebuilt when a {@code pauseImmediate} pause releases the rest of a batch.
 *
 * <h2>Stopping</h2>
 * {@link #stopProducing()} asks the container to stop ({@link MessageListenerContainer#stop(Runnable)}), without
 * waiting; {@link #whenStopped()} completes when it has. The container commits the acknowledgements it has received
 * as it stops; those made after it has stopped are not committed. A graceful stop therefore pauses the source, waits
 * for {@link #whenPaused}, lets the consumer drain, waits for {@link #whenAcknowledged()} (bounded), and only then stops
 * the container (the Spring Boot starter does this for pipes, before the containers' own lifecycle phase).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class KafkaSource<K, V> implements PushProducer {

    private static final Log log = Log.of(KafkaSource.class);

    private final MessageListenerContainer container;

    private final String name;

    private final RecordWriter writer;

    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /** Counts pause and resume calls, under {@link #turnLock}: a deferred resume runs only if still the last. */
    private long turn;

    private final Object turnLock = new Object();

    private KafkaSource(MessageListenerContainer container, Consumer<? super KafkaRecord<K, V>> consumer) {
        this.container = container;
        this.name = Objects.requireNonNullElse(container.getListenerId(), "kafka");
        this.writer = new RecordWriter(consumer);
    }

    /**
     * Makes {@code container} write into {@code consumer}: checks its acknowledgement mode, sets
     * {@code pauseImmediate}, and installs the listener. Register the source with the consumer, then start the
     * container.
     *
     * @param container a container that is not running, with no listener or one to be replaced, in a manual ack mode
     * @param consumer the consumer to write into
     * @param <K> the key type
     * @param <V> the value type
     * @return the source, a push producer for {@code consumer}
     * @throws IllegalArgumentException if the container is not in {@link AckMode#MANUAL} or
     *         {@link AckMode#MANUAL_IMMEDIATE}, or has {@code asyncAcks} set
     * @throws IllegalStateException if the container is running
     */
    public static <K, V> KafkaSource<K, V> attach(MessageListenerContainer container,
            Consumer<? super KafkaRecord<K, V>> consumer) {
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(consumer, "consumer");
        ContainerProperties properties = container.getContainerProperties();
        String id = container.getListenerId();
        AckMode mode = properties.getAckMode();
        if (mode != AckMode.MANUAL && mode != AckMode.MANUAL_IMMEDIATE) {
            throw new IllegalArgumentException("Listener container '" + id + "' acknowledges in mode " + mode
                    + "; a Sluice pipe commits offsets only after its sink is done with a record, which needs AckMode"
                    + " MANUAL (or MANUAL_IMMEDIATE): set spring.kafka.listener.ack-mode=manual, or"
                    + " ContainerProperties.setAckMode(AckMode.MANUAL) on its factory");
        }
        if (properties.isAsyncAcks()) {
            throw new IllegalArgumentException("Listener container '" + id + "' has asyncAcks set; a Sluice pipe"
                    + " orders its acknowledgements itself: unset spring.kafka.listener.async-acks");
        }
        if (container.isRunning()) {
            throw new IllegalStateException("Listener container '" + id + "' is running already; a Sluice pipe must"
                    + " install its listener before the container starts (set its autoStartup to false)");
        }
        properties.setPauseImmediate(true);
        KafkaSource<K, V> source = new KafkaSource<>(container, consumer);
        ConsumerRebalanceListener current = properties.getConsumerRebalanceListener();
        if (current instanceof RetiringRebalanceListener retiring) {
            current = retiring.delegate; // attached before: the previous source is replaced
        }
        properties.setConsumerRebalanceListener(new RetiringRebalanceListener(
                (current != null) ? current : new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    }
                }, source.writer::retire));
        container.setupMessageListener(source.writer);
        return source;
    }

    /** The container this source drives. */
    public MessageListenerContainer container() {
        return this.container;
    }

    /** Records written into the consumer so far. */
    public long delivered() {
        return this.writer.delivered.sum();
    }

    /** Records whose offsets have been handed to the container to commit (acknowledged, with all before them). */
    public long committed() {
        return this.writer.counts.committed.sum();
    }

    /**
     * Acknowledgements dropped because their record's partition had left this member (revoked or lost in a rebalance,
     * or the container stopped) or was being read again from an earlier offset when the sink acknowledged it. They are
     * never committed: the partition's next reader receives those records again.
     */
    public long droppedAcknowledgements() {
        return this.writer.counts.droppedAcks.sum();
    }

    /**
     * Records delivered whose fate is still open: neither acknowledged nor given up because their partition was
     * revoked or read again from an earlier offset.
     */
    public long unacknowledged() {
        return this.writer.counts.outstanding();
    }

    /**
     * Where this source's records stand that are delivered and not yet acknowledged, by partition, for the partitions it
     * owns: the first offset not acknowledged, and how many records delivered from there on the partition's next
     * reader receives again if this member stops now. A graceful stop that times out logs it.
     */
    public List<Unacknowledged> unacknowledgedByPartition() {
        List<Unacknowledged> open = new ArrayList<>();
        for (PartitionAcks acks : this.writer.partitions.values()) {
            Unacknowledged one = acks.unacknowledged();
            if (one != null) {
                open.add(one);
            }
        }
        open.sort(Comparator.comparing((Unacknowledged one) -> one.partition().topic())
            .thenComparingInt(one -> one.partition().partition()));
        return open;
    }

    /**
     * The records of a partition delivered and not yet committed.
     *
     * @param partition the partition
     * @param firstOffset the offset of the first record not acknowledged, where the next reader starts again
     * @param records records delivered from {@code firstOffset} on, acknowledged or not, which are delivered again
     */
    public record Unacknowledged(TopicPartition partition, long firstOffset, long records) {

        @Override
        public String toString() {
            return this.partition + " from offset " + this.firstOffset + " (" + this.records + " record(s))";
        }
    }

    /**
     * A future that completes the first time, from now on, that every record delivered has been acknowledged (or given
     * up with its partition). A graceful stop waits for it before it stops the container, whose last commit then
     * covers every record the sink finished. It never completes while a record stays unacknowledged, so bound the
     * wait.
     */
    public CompletableFuture<Void> whenAcknowledged() {
        return this.writer.counts.whenNoneOutstanding();
    }

    /**
     * A future that completes once the container's consumers have really paused after {@link #pauseProducing()} (or
     * own no partitions, or are not running): from then on no record is delivered until a resume. It fails with a
     * {@link TimeoutException} if that has not happened within {@code patience}.
     *
     * @param patience how long to wait at most
     * @return the future
     */
    public CompletableFuture<Void> whenPaused(Duration patience) {
        CompletableFuture<Void> paused = new CompletableFuture<>();
        checkPaused(paused, System.nanoTime() + patience.toNanos());
        return paused;
    }

    private void checkPaused(CompletableFuture<Void> paused, long deadline) {
        if (!this.container.isRunning() || (this.container.isPauseRequested() && consumersPausedOrIdle())) {
            paused.complete(null);
        }
        else if (System.nanoTime() - deadline > 0) {
            paused.completeExceptionally(new TimeoutException("Listener container '" + this.name
                    + "' did not pause its consumers in time"));
        }
        else {
            ResumeTimer.INSTANCE.schedule(() -> checkPaused(paused, deadline), 1, TimeUnit.MILLISECONDS);
        }
    }

    /** Completes when the container has stopped after {@link #stopProducing()}. */
    public CompletableFuture<Void> whenStopped() {
        return this.stopped;
    }

    private long currentTurn() {
        synchronized (this.turnLock) {
            return this.turn;
        }
    }

    /**
     * The consumer answered a write with {@code false}: pause the container now, on its own thread, so that the rest of
     * the poll's batch stays with it ({@code pauseImmediate}), rather than when the pause callback arrives from another
     * thread. A pause or resume callback that came since the write began has answered it already.
     */
    private void pauseAfterFalse(long turnBefore) {
        synchronized (this.turnLock) {
            if (this.turn == turnBefore) {
                this.turn++;
                this.container.pause();
            }
        }
    }

    @Override
    public void pauseProducing() {
        synchronized (this.turnLock) {
            this.turn++;
            this.container.pause();
        }
    }

    /**
     * Resumes the container, once it is safe. A pause taken "immediately" leaves the rest of the poll's batch with
     * the container, which pauses its Kafka consumer at the top of its next loop; a resume that came before that
     * would let the next poll return records while the held ones are still pending, which the container treats as
     * an error and answers with an emergency stop. So the resume waits until every consumer that owns partitions has
     * really paused (or owns none, or has stopped): normally for one commit's round trip, longer if the consumer thread
     * is held up (a slow commit, {@code idleBetweenPolls}); it is never forced. A pause that comes meanwhile voids it.
     * The wait is checked on one shared timer thread, every millisecond at first and every 10 ms after 100 checks.
     */
    @Override
    public void resumeProducing() {
        long myTurn;
        synchronized (this.turnLock) {
            myTurn = ++this.turn;
        }
        resumeWhenSafe(myTurn, 0);
    }

    private void resumeWhenSafe(long myTurn, int checks) {
        synchronized (this.turnLock) {
            if (this.turn != myTurn) {
                return; // paused again since: this resume is void
            }
            if (consumersPausedOrIdle()) {
                this.container.resume();
                return;
            }
        }
        ResumeTimer.INSTANCE.schedule(() -> resumeWhenSafe(myTurn, checks + 1), (checks < 100) ? 1 : 10,
                TimeUnit.MILLISECONDS);
    }

    private boolean consumersPausedOrIdle() {
        if (this.container instanceof ConcurrentMessageListenerContainer<?, ?> concurrent) {
            for (MessageListenerContainer child : concurrent.getContainers()) {
                if (!pausedOrIdle(child)) {
                    return false;
                }
            }
            return true;
        }
        return pausedOrIdle(this.container);
    }

    private static boolean pausedOrIdle(MessageListenerContainer container) {
        if (!container.isRunning() || !container.isPauseRequested() || container.isContainerPaused()) {
            return true;
        }
        Collection<TopicPartition> assigned = container.getAssignedPartitions();
        return assigned == null || assigned.isEmpty();
    }

    @Override
    public void stopProducing() {
        log.info("Kafka source '{}' stops its listener container; records not acknowledged are left uncommitted",
                this.name);
        this.container.stop(() -> this.stopped.complete(null));
    }

    @Override
    public String toString() {
        return "KafkaSource[" + this.name + (this.container.isPauseRequested() ? ", paused" : "") + "]";
    }

    /** The one daemon thread on which deferred resumes and pause checks wait, made when first needed. */
    private static final class ResumeTimer {

        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sluice-kafka-resume");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The container's listener: runs on the container's consumer threads. */
    private final class RecordWriter implements AcknowledgingMessageListener<K, V>, ConsumerSeekAware {

        private final Consumer<? super KafkaRecord<K, V>> consumer;

        private final Map<TopicPartition, PartitionAcks> partitions = new ConcurrentHashMap<>();

        final LongAdder delivered = new LongAdder();

        final AckCounts counts = new AckCounts();

        /** The consumer, if it is a {@link BufferedConsumer}, whose accounts show a record it ignored. */
        private final @Nullable BufferedConsumer<?> buffered;

        private final AtomicBoolean ignoredReported = new AtomicBoolean();

        RecordWriter(Consumer<? super KafkaRecord<K, V>> consumer) {
            this.consumer = consumer;
            this.buffered = (consumer instanceof BufferedConsumer<?> b) ? b : null;
        }

        /**
         * The consumer accepted nothing for {@code record}: its weigher gave it 0, so it never reaches the sink and its
         * partition's commits stop at it. Reported once per source (several consumer threads writing at once can hide
         * it; never reported wrongly).
         */
        private void ignored(KafkaRecord<K, V> record) {
            if (this.ignoredReported.compareAndSet(false, true)) {
                log.error("Kafka source '{}': consumer {} ignored {} (its weigher gave it 0 units), so the record never "
                        + "reaches the sink and offsets of {} are not committed past it; weigh Kafka records with "
                        + "KafkaRecord.weigher(...) or Weigher.items(), which give every record at least 1 unit",
                        KafkaSource.this.name, this.buffered, record, record.topicPartition());
            }
        }

        @Override
        public void onMessage(ConsumerRecord<K, V> data, @Nullable Acknowledgment acknowledgment) {
            if (acknowledgment == null) {
                throw new IllegalStateException("Listener container '" + KafkaSource.this.name
                        + "' gave no Acknowledgment: it is not in a manual ack mode");
            }
            TopicPartition partition = new TopicPartition(data.topic(), data.partition());
            // a partition is read by one consumer thread at a time: no other thread puts or removes this entry now
            PartitionAcks acks = this.partitions.get(partition);
            if (acks == null || !acks.continues(data.offset())) {
                PartitionAcks fresh = new PartitionAcks(partition, this.counts);
                PartitionAcks previous = this.partitions.put(partition, fresh);
                if (previous != null) {
                    previous.retire(); // the container went back (a seek): the new sequence commits from here
                }
                acks = fresh;
            }
            KafkaRecord<K, V> record = new KafkaRecord<>(data, acks, acknowledgment);
            acks.add(record);
            this.delivered.increment();
            long turnBefore = currentTurn();
            long acceptedBefore = (this.buffered != null) ? this.buffered.acceptedUnits() : 0;
            if (!this.consumer.write(record)) {
                pauseAfterFalse(turnBefore);
            }
            if (this.buffered != null && this.buffered.acceptedUnits() == acceptedBefore
                    && !this.buffered.whenClosed().isDone()) {
                ignored(record);
            }
        }

        /**
         * The container's own call after its revocation commit; the partitions were retired before that commit by the
         * {@link RetiringRebalanceListener}, so this finds nothing left unless the container was given another
         * rebalance listener after {@link #attach}.
         */
        @Override
        public void onPartitionsRevoked(@Nullable Collection<TopicPartition> revoked) {
            if (revoked != null) {
                retire(revoked);
            }
        }

        /**
         * Stops committing for {@code revoked}: from now on their acknowledgements are dropped and counted. Runs on the
         * consumer thread before the container commits the acknowledgements it has queued, so every acknowledgement
         * handed over for these partitions was handed over while this member still owned them.
         */
        void retire(Collection<TopicPartition> revoked) {
            for (TopicPartition partition : revoked) {
                PartitionAcks acks = this.partitions.remove(partition);
                long open = (acks != null) ? acks.retire() : 0;
                if (open > 0) {
                    log.info("Kafka source '{}': partition {} leaves this member with {} record(s) not yet "
                            + "acknowledged; their acknowledgements are dropped and the partition's next reader "
                            + "receives them again", KafkaSource.this.name, partition, open);
                }
            }
        }
    }

    /**
     * Wraps the container's rebalance listener so that the source retires revoked partitions before the container
     * commits on revocation. The container calls its rebalance listener's {@code onPartitionsRevokedBeforeCommit},
     * then commits the acknowledgements queued so far, and only then tells a {@link ConsumerSeekAware} listener; an
     * acknowledgement made by a sink thread in between would reach the container's queue (which does not check the
     * assignment) and be committed on its next loop, for a partition another member may own by then, moving the group's
     * committed offset back.
     */
    private static final class RetiringRebalanceListener implements ConsumerAwareRebalanceListener {

        private final ConsumerRebalanceListener delegate;

        private final java.util.function.Consumer<Collection<TopicPartition>> retire;

        RetiringRebalanceListener(ConsumerRebalanceListener delegate,
                java.util.function.Consumer<Collection<TopicPartition>> retire) {
            this.delegate = delegate;
            this.retire = retire;
        }

        @Override
        public void onPartitionsRevokedBeforeCommit(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                Collection<TopicPartition> partitions) {
            try {
                // the application's listener first: acknowledgements it makes are still this member's to commit
                if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
                    aware.onPartitionsRevokedBeforeCommit(consumer, partitions);
                }
                else {
                    this.delegate.onPartitionsRevoked(partitions);
                }
            }
            finally {
                this.retire.accept(partitions);
            }
        }

        @Override
        public void onPartitionsRevokedAfterCommit(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                Collection<TopicPartition> partitions) {
            if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
                aware.onPartitionsRevokedAfterCommit(consumer, partitions);
            }
        }

        @Override
        public void onPartitionsLost(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                Collection<TopicPartition> partitions) {
            this.retire.accept(partitions);
            if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
                aware.onPartitionsLost(consumer, partitions);
            }
            else {
                this.delegate.onPartitionsLost(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                Collection<TopicPartition> partitions) {
            if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
                aware.onPartitionsAssigned(consumer, partitions);
            }
            else {
                this.delegate.onPartitionsAssigned(partitions);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                this.delegate.onPartitionsRevoked(partitions);
            }
            finally {
                this.retire.accept(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            this.delegate.onPartitionsAssigned(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            this.retire.accept(partitions);
            this.delegate.onPartitionsLost(partitions);
        }
    }
}
