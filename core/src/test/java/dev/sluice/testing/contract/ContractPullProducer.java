package dev.sluice.testing.contract;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;

/**
 * A pull producer that writes one chunk each time it is asked, and unregisters itself from inside the call that writes
 * its last chunk (as {@code FileSender} does). It records what it wrote and what the writes returned, and checks its
 * callbacks: none after a stop, none after it unregistered, none overlapping another on a different thread.
 *
 * <p>Thread-safe.
 */
public final class ContractPullProducer extends CheckedProducer implements PullProducer {

    private final Consumer<ByteBuffer> consumer;

    private final int writer;

    private final int chunks;

    private final int chunkBytes;

    private final int firstChunkBytes;

    // guarded by monitor
    private int asks;
    private int reserved;
    private int written;
    private int falses;
    private boolean lastWritable = true;
    private boolean done;
    private boolean stopped;

    /**
     * A producer of {@code chunks} chunks of {@code chunkBytes}, the first of {@code firstChunkBytes}.
     *
     * @param consumer where it writes, and unregisters from
     * @param writer its number in the chunks' headers
     * @param chunks how many chunks it writes before it unregisters
     * @param chunkBytes the size of each chunk
     * @param firstChunkBytes the size of the first (a chunk larger than a high mark gets {@code false} at once)
     */
    public ContractPullProducer(Consumer<ByteBuffer> consumer, int writer, int chunks, int chunkBytes,
            int firstChunkBytes) {
        this.consumer = consumer;
        this.writer = writer;
        this.chunks = chunks;
        this.chunkBytes = chunkBytes;
        this.firstChunkBytes = firstChunkBytes;
    }

    /** A producer of {@code chunks} chunks of {@code chunkBytes}. */
    public ContractPullProducer(Consumer<ByteBuffer> consumer, int writer, int chunks, int chunkBytes) {
        this(consumer, writer, chunks, chunkBytes, chunkBytes);
    }

    @Override
    public void resumeProducing() {
        Thread me = enter();
        try {
            int seq;
            synchronized (this.monitor) {
                this.asks++;
                this.monitor.notifyAll();
                if (this.stopped || this.done) {
                    violation("resumeProducing after " + (this.stopped ? "stopProducing" : "it unregistered")
                            + " (ask #" + this.asks + ")");
                    return;
                }
                if (this.reserved == this.chunks) {
                    return; // asked again from inside its last write, before it unregisters: nothing left to write
                }
                seq = this.reserved++;
            }
            boolean writable = this.consumer.write(Records.chunk(this.writer, seq,
                    (seq == 0) ? this.firstChunkBytes : this.chunkBytes));
            boolean last;
            synchronized (this.monitor) {
                this.written++;
                this.lastWritable = writable;
                if (!writable) {
                    this.falses++;
                }
                last = seq == this.chunks - 1;
            }
            if (last) {
                this.consumer.unregisterProducer();
                synchronized (this.monitor) {
                    this.done = true;
                    this.monitor.notifyAll();
                }
            }
        }
        finally {
            exit(me);
        }
    }

    @Override
    public void stopProducing() {
        synchronized (this.monitor) {
            if (this.stopped) {
                violation("a second stopProducing");
            }
            this.stopped = true;
            this.monitor.notifyAll();
        }
    }

    /**
     * Waits until the producer was asked {@code atLeast} times, has finished or was stopped; gives up ({@code false})
     * once {@code patience} passes without an ask.
     */
    public boolean awaitAsks(int atLeast, Duration patience) {
        return waitFor(() -> this.asks >= atLeast || this.done || this.stopped, patience, true);
    }

    /**
     * Waits until the producer has written all its chunks and unregistered, or was stopped; gives up ({@code false})
     * once {@code patience} passes without an ask.
     */
    public boolean awaitEnd(Duration patience) {
        return waitFor(() -> this.done || this.stopped, patience, true);
    }

    /** Waits until the producer was stopped, at most {@code timeout}. */
    public boolean awaitStop(Duration timeout) {
        return waitFor(() -> this.stopped, timeout, false);
    }

    private boolean waitFor(BooleanSupplier condition, Duration patience, boolean askResets) {
        synchronized (this.monitor) {
            for (;;) {
                int seen = this.asks;
                boolean met = waitUntil(() -> condition.getAsBoolean() || (askResets && this.asks != seen),
                        System.nanoTime() + patience.toNanos());
                if (!met || condition.getAsBoolean()) {
                    return met;
                }
            }
        }
    }

    /** How many times the producer was asked for a chunk. */
    public int asks() {
        synchronized (this.monitor) {
            return this.asks;
        }
    }

    public int written() {
        synchronized (this.monitor) {
            return this.written;
        }
    }

    public boolean isDone() {
        synchronized (this.monitor) {
            return this.done;
        }
    }

    public boolean isStopped() {
        synchronized (this.monitor) {
            return this.stopped;
        }
    }

    @Override
    public String toString() {
        synchronized (this.monitor) {
            return "ContractPullProducer[asked " + this.asks + " times, wrote " + this.written + " of " + this.chunks
                    + " (" + this.falses + " returned false, the last " + this.lastWritable + ")"
                    + (this.done ? ", unregistered" : "") + (this.stopped ? ", stopped" : "") + "]";
        }
    }
}
