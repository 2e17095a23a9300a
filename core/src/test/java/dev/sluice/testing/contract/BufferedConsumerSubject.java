package dev.sluice.testing.contract;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.Weigher;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BufferedConsumer} of bytes over a {@link Gate}, as a {@link ContractSubject}: granting drains it, finishing
 * is {@code loseConnection()}, aborting {@code abortConnection()}, holds are its keyed holds, and its sink can be
 * stalled. Modules whose consumers write into a {@code BufferedConsumer} (a proxy, a decorator) use one as the far end
 * of theirs; those that build a {@code BufferedConsumer} their own way (over a servlet response, an asynchronous API)
 * extend this class and override what differs.
 */
public class BufferedConsumerSubject implements ContractSubject {

    private final ContractSettings settings;

    private final Gate gate;

    private final BufferedConsumer<ByteBuffer> consumer;

    private final Optional<ExecutorService> executor;

    /**
     * A subject for {@code consumer}, whose sink delivers into {@code gate}.
     *
     * @param settings the water marks it was built with
     * @param gate the far end
     * @param consumer the consumer
     * @param ownExecutor an executor to shut down on {@link #close()}, if the subject owns one
     */
    protected BufferedConsumerSubject(ContractSettings settings, Gate gate, BufferedConsumer<ByteBuffer> consumer,
            Optional<ExecutorService> ownExecutor) {
        this.settings = settings;
        this.gate = gate;
        this.consumer = consumer;
        this.executor = ownExecutor;
    }

    /** A consumer of bytes over {@code sink} with the settings' water marks, drained on {@code drainOn} or inline. */
    public static BufferedConsumer<ByteBuffer> build(ContractSettings settings, Sink<ByteBuffer> sink,
            @Nullable Executor drainOn) {
        BufferedConsumer.Builder<ByteBuffer> builder = BufferedConsumer.builder(sink).name("contract")
            .weigher(Weigher.bytes()).waterMarks(settings.marks());
        if (drainOn != null) {
            builder.drainOn(drainOn);
        }
        return builder.build();
    }

    /** A consumer with the inline drain. */
    public static BufferedConsumerSubject inline(ContractSettings settings) {
        Gate gate = new Gate();
        return new BufferedConsumerSubject(settings, gate, build(settings, new GateSink(gate), null),
                Optional.empty());
    }

    /** A consumer drained on {@code executor}, which the subject shuts down when closed. */
    public static BufferedConsumerSubject drainedOn(ContractSettings settings, ExecutorService executor) {
        Gate gate = new Gate();
        return new BufferedConsumerSubject(settings, gate, build(settings, new GateSink(gate), executor),
                Optional.of(executor));
    }

    /** A consumer drained on {@code executor}, which stays the caller's. */
    public static BufferedConsumerSubject drainedOn(ContractSettings settings, Executor executor) {
        Gate gate = new Gate();
        return new BufferedConsumerSubject(settings, gate, build(settings, new GateSink(gate), executor),
                Optional.empty());
    }

    /** The consumer, with its own type. */
    public BufferedConsumer<ByteBuffer> bufferedConsumer() {
        return this.consumer;
    }

    /** The far end. */
    public Gate gate() {
        return this.gate;
    }

    @Override
    public BufferedConsumer<ByteBuffer> consumer() {
        return this.consumer;
    }

    @Override
    public void grant(long bytes) {
        this.gate.grant(bytes);
        this.consumer.drain();
    }

    @Override
    public byte[] delivered() {
        return this.gate.taken();
    }

    @Override
    public long deliveredBytes() {
        return this.gate.takenBytes();
    }

    @Override
    public void finish() {
        this.consumer.loseConnection();
    }

    @Override
    public void abort() {
        this.consumer.abortConnection();
    }

    @Override
    public OptionalLong highWaterMark() {
        return OptionalLong.of(this.settings.marks().high());
    }

    @Override
    public long bufferedUnits() {
        return this.consumer.bufferedUnits();
    }

    @Override
    public Optional<Holds> holds() {
        return Optional.of(new Holds() {
            @Override
            public void hold(String key) {
                BufferedConsumerSubject.this.consumer.hold(key);
            }

            @Override
            public void release(String key) {
                BufferedConsumerSubject.this.consumer.release(key);
            }
        });
    }

    @Override
    public Optional<Stall> stall() {
        return Optional.of(this.gate);
    }

    @Override
    public void close() {
        this.gate.unstall();
        this.consumer.abortConnection();
        this.executor.ifPresent(ExecutorService::shutdownNow);
    }

    @Override
    public String toString() {
        return "BufferedConsumerSubject[" + this.consumer + "]";
    }
}
