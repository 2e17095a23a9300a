package dev.sluice.boot.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.ConsumerSupport;
import dev.sluice.boot.SluicePipes;
import dev.sluice.internal.Log;
import dev.sluice.kafka.KafkaSource;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Starts and stops the Kafka pipes' listener containers around their pipes, so that a graceful stop commits what it
 * drains.
 *
 * <p><b>Why a lifecycle of its own.</b> Listener containers stop in their own late phase
 * ({@link AbstractMessageListenerContainer#DEFAULT_PHASE}), long before {@link SluicePipes} (which stops after the web
 * server's graceful shutdown). A container commits the acknowledgements it has received as it stops and none after,
 * so a pipe drained after its container has stopped sends its records to the sink without committing them: each is
 * delivered again on restart. This lifecycle runs one phase above the highest phase of the pipes' containers, so it
 * stops first.
 *
 * <p><b>Stop</b>, for every Kafka pipe at once, within {@code sluice.shutdown.timeout}: the consumer holds its source
 * (the container pauses; the rest of a poll batch stays in the container and is never delivered); once the container's
 * consumers have really paused, the consumer stops consuming (the source is unregistered, not stopped) and closes
 * cleanly, so its buffer drains into the sink; when every record delivered has been acknowledged, the container is
 * stopped and commits them. What is still buffered or in flight at the timeout is left unacknowledged: the container
 * is stopped, the consumer aborted (its dropped records counted and logged by the consumer), and the group's next
 * consumer receives those records again. {@link SluicePipes} later finds these pipes closed.
 *
 * <p><b>Start</b>: the containers that Sluice built from {@code sluice.kafka.listeners.*} start here, after their pipes
 * have registered their sources (their topics are checked first); containers that are beans start in their own phase.
 */
public final class KafkaPipeLifecycle implements SmartLifecycle, DisposableBean {

    private static final Log log = Log.of(KafkaPipeLifecycle.class);

    private final Duration shutdownTimeout;

    private final List<KafkaPipe> pipes = new ArrayList<>();

    private volatile boolean running;

    public KafkaPipeLifecycle(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * Adds a Kafka pipe.
     *
     * @param name the pipe's name, for the log
     * @param source its source
     * @param consumer its consumer
     * @param ownStart how to start a container that is not a bean (check and start), or {@code null} for a bean
     */
    synchronized void add(String name, KafkaSource<?, ?> source, Consumer<?> consumer, @Nullable Runnable ownStart) {
        this.pipes.add(new KafkaPipe(name, source, consumer, ownStart));
    }

    private synchronized List<KafkaPipe> pipes() {
        return List.copyOf(this.pipes);
    }

    @Override
    public void start() {
        for (KafkaPipe pipe : pipes()) {
            if (pipe.ownStart != null) {
                pipe.ownStart.run();
                log.info("Kafka pipe '{}': listener container '{}' started", pipe.name,
                        pipe.source.container().getListenerId());
            }
        }
        this.running = true;
    }

    @Override
    public void stop() {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        stop(() -> stopped.complete(null));
        stopped.join();
    }

    @Override
    public void stop(Runnable callback) {
        this.running = false;
        long deadline = System.nanoTime() + this.shutdownTimeout.toNanos();
        CompletableFuture<?>[] stopping = pipes().stream()
            .map(pipe -> pipe.stop(deadline, this.shutdownTimeout))
            .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(stopping).whenComplete((done, failure) -> callback.run());
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    /** One above the highest phase of the pipes' containers, so that the pipes drain before any of them stops. */
    @Override
    public int getPhase() {
        int highest = pipes().stream()
            .mapToInt(pipe -> pipe.source.container().getPhase())
            .max()
            .orElse(AbstractMessageListenerContainer.DEFAULT_PHASE);
        return (highest == Integer.MAX_VALUE) ? highest : highest + 1;
    }

    /** Stops the containers this lifecycle started, if a failed start-up left them running. */
    @Override
    public void destroy() {
        for (KafkaPipe pipe : pipes()) {
            MessageListenerContainer container = pipe.source.container();
            if (pipe.ownStart != null && container.isRunning()) {
                container.stop();
            }
        }
    }

    private record KafkaPipe(String name, KafkaSource<?, ?> source, Consumer<?> consumer,
            @Nullable Runnable ownStart) {

        CompletableFuture<Void> stop(long deadline, Duration timeout) {
            if (!this.source.container().isRunning()) {
                return CompletableFuture.completedFuture(null);
            }
            BufferedConsumer<?> buffered = (this.consumer instanceof BufferedConsumer<?> b) ? b : null;
            log.info("Kafka pipe '{}' stopping: source paused, {} record(s) buffered drain into the sink within {} "
                    + "before listener container '{}' stops and commits", this.name,
                    (buffered != null) ? buffered.bufferedUnits() : 0, DurationStyle.SIMPLE.print(timeout),
                    this.source.container().getListenerId());
            if (this.consumer instanceof ConsumerSupport<?> support) {
                support.holdProducer(); // the lane pauses the source, and no drain can resume it
            }
            else {
                this.source.pauseProducing();
            }
            CompletableFuture<Void> drained = this.source.whenPaused(timeout).thenCompose(paused -> {
                if (buffered != null) {
                    buffered.stopConsuming();
                    return buffered.whenClosed();
                }
                this.consumer.unregisterProducer();
                return CompletableFuture.<Void>completedFuture(null);
            }).thenCompose(closed -> this.source.whenAcknowledged());
            long left = Math.max(0, deadline - System.nanoTime());
            return drained.orTimeout(left, TimeUnit.NANOSECONDS)
                .handle((done, failure) -> failure)
                .thenCompose(failure -> {
                    // taken before the container stops: its partitions are retired as it leaves the group
                    List<KafkaSource.Unacknowledged> open = (failure != null) ? this.source.unacknowledgedByPartition()
                            : List.of();
                    this.source.stopProducing();
                    return this.source.whenStopped().thenRun(() -> report(failure, open));
                });
        }

        private void report(@Nullable Throwable failure, List<KafkaSource.Unacknowledged> open) {
            if (failure == null) {
                log.info("Kafka pipe '{}' stopped: drained, every record delivered acknowledged and committed",
                        this.name);
                return;
            }
            long records = open.stream().mapToLong(KafkaSource.Unacknowledged::records).sum();
            Throwable cause = (failure.getCause() != null) ? failure.getCause() : failure;
            String why = (cause instanceof TimeoutException) ? "did not drain within sluice.shutdown.timeout"
                    : "stopped without draining (" + cause + ")";
            log.warn("Kafka pipe '{}' {}: {} record(s) not committed, which the group's next consumer receives again: "
                    + "{}", this.name, why, records, open.isEmpty() ? "none by partition" : open);
            if (this.consumer instanceof BufferedConsumer<?> buffered && !buffered.whenClosed().isDone()) {
                buffered.abortConnection();
            }
        }
    }
}
