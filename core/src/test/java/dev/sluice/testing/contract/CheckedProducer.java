package dev.sluice.testing.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * What the contract's producers share: a monitor guarding their state, the illegal callbacks they received, and a
 * count of callbacks that began while another thread was inside one (a nested callback on the same thread is no
 * overlap).
 */
abstract class CheckedProducer {

    /** Guards the subclass's state and {@link #violation}; waited on by {@link #waitUntil}. */
    protected final Object monitor = new Object();

    private final AtomicReference<Thread> inCallback = new AtomicReference<>();

    private final AtomicInteger overlaps = new AtomicInteger();

    // guarded by monitor
    private final List<String> violations = new ArrayList<>();

    /** Marks the start of a callback on this thread, counting an overlap; pass the result to {@link #exit}. */
    protected final Thread enter() {
        Thread me = Thread.currentThread();
        if (!this.inCallback.compareAndSet(null, me) && this.inCallback.get() != me) {
            this.overlaps.incrementAndGet();
        }
        return me;
    }

    /** Marks the end of the callback {@link #enter} began. */
    protected final void exit(Thread me) {
        this.inCallback.compareAndSet(me, null);
    }

    /** Records an illegal callback; the caller holds {@link #monitor}. */
    protected final void violation(String what) {
        this.violations.add(what);
    }

    /**
     * Waits on {@link #monitor}, which the caller holds, until {@code condition} holds or {@code deadline}
     * ({@link System#nanoTime()}) passes.
     *
     * @return whether the condition holds
     */
    protected final boolean waitUntil(BooleanSupplier condition, long deadline) {
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                this.monitor.wait(Math.max(1, left / 1_000_000));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The illegal callbacks received, described. */
    public final List<String> violations() {
        synchronized (this.monitor) {
            return List.copyOf(this.violations);
        }
    }

    /** Callbacks that began while another thread was inside one. */
    public final int overlaps() {
        return this.overlaps.get();
    }
}
