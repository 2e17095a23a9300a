package dev.sluice.testing.contract;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The far end of a consumer under contract test: it takes bytes only as far as the test has {@linkplain #grant granted}
 * them, records what it took in order, and can be {@linkplain #stall stalled} so that the next call into it blocks (a
 * slow socket write, a slow call below a proxy) until {@link #unstall()}. A stalled call waits at most
 * {@link #STALL_LIMIT}, so a test that forgets to unstall cannot hang the build.
 *
 * <p>Thread-safe. The calls that take bytes are made by the consumer's drain, on whatever thread it runs.
 */
public final class Gate implements ContractSubject.Stall {

    /** The longest a stalled call blocks. */
    static final Duration STALL_LIMIT = Duration.ofSeconds(30);

    private final ByteArrayOutputStream taken = new ByteArrayOutputStream();

    private long credit;

    private CountDownLatch stalled = new CountDownLatch(0);

    private CountDownLatch entered = new CountDownLatch(1);

    /** Lets the far end take {@code bytes} more; saturates at {@link Long#MAX_VALUE}. */
    public synchronized void grant(long bytes) {
        this.credit = (this.credit > Long.MAX_VALUE - bytes) ? Long.MAX_VALUE : this.credit + bytes;
    }

    /** Whether any credit is left. */
    public synchronized boolean hasCredit() {
        return this.credit > 0;
    }

    /**
     * Takes as much of {@code source} as the credit allows, advancing its position; blocks first while stalled.
     *
     * @return whether all of {@code source} was taken
     */
    public boolean take(ByteBuffer source) {
        passStall();
        synchronized (this) {
            int n = (int) Math.min(this.credit, source.remaining());
            byte[] bytes = new byte[n];
            source.get(bytes);
            this.taken.write(bytes, 0, n);
            this.credit -= n;
            return !source.hasRemaining();
        }
    }

    /**
     * Takes all of {@code length} bytes whatever the credit (as a servlet container buffers the excess of one write),
     * counting them against it; blocks first while stalled.
     */
    public void takeAll(byte[] bytes, int offset, int length) {
        passStall();
        synchronized (this) {
            this.taken.write(bytes, offset, length);
            this.credit -= length;
        }
    }

    /** Everything taken, in order. */
    public synchronized byte[] taken() {
        return this.taken.toByteArray();
    }

    /** How many bytes were taken. */
    public synchronized int takenBytes() {
        return this.taken.size();
    }

    @Override
    public synchronized void stall() {
        this.stalled = new CountDownLatch(1);
        this.entered = new CountDownLatch(1);
    }

    @Override
    public boolean awaitStalled(Duration timeout) throws InterruptedException {
        CountDownLatch in;
        synchronized (this) {
            in = this.entered;
        }
        return in.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void unstall() {
        this.stalled.countDown();
    }

    private void passStall() {
        CountDownLatch gate;
        synchronized (this) {
            gate = this.stalled;
            this.entered.countDown();
        }
        try {
            gate.await(STALL_LIMIT.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
