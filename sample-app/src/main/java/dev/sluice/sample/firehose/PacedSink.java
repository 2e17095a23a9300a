package dev.sluice.sample.firehose;

import java.nio.ByteBuffer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;

/**
 * A deliberately slow sink: it takes {@code bytesPerSecond}, in ten grants a second, and drops what it takes (think
 * of a rate-limited API). When its grant is spent it returns {@code false}, and the next grant calls
 * {@link BufferedConsumer#drain()}, as a socket's "writable again" would.
 */
public final class PacedSink implements Sink<ByteBuffer>, AutoCloseable {

    private static final int TICKS_PER_SECOND = 10;

    private final long perTick;

    private final AtomicLong credit = new AtomicLong();

    private final AtomicLong taken = new AtomicLong();

    private final ScheduledExecutorService clock;

    /**
     * A sink that takes {@code bytesPerSecond}.
     *
     * @param bytesPerSecond the rate, positive
     */
    public PacedSink(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("The firehose rate must be positive, was " + bytesPerSecond);
        }
        this.perTick = Math.max(1, bytesPerSecond / TICKS_PER_SECOND);
        this.clock = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "firehose-sink");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts granting: each tick tops the grant up to one tick's worth and drains {@code consumer}. */
    public void drive(BufferedConsumer<ByteBuffer> consumer) {
        long period = 1000 / TICKS_PER_SECOND;
        this.clock.scheduleAtFixedRate(() -> {
            this.credit.set(this.perTick);
            consumer.drain();
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** Takes what the grant allows; the drain loop is the only caller. */
    @Override
    public boolean offer(ByteBuffer item) {
        long allowed = Math.min(this.credit.get(), item.remaining());
        if (allowed > 0) {
            item.position(item.position() + (int) allowed);
            this.credit.addAndGet(-allowed);
            this.taken.addAndGet(allowed);
        }
        return !item.hasRemaining();
    }

    /** Bytes taken so far. */
    public long taken() {
        return this.taken.get();
    }

    @Override
    public void close() {
        this.clock.shutdownNow();
    }
}
