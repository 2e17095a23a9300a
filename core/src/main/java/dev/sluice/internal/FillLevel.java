package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.WaterMarks;

/**
 * How full a buffer is, and whether it wants its producer paused: the one water-mark policy every Sluice consumer
 * uses. The buffer is <em>full</em> from the moment an addition takes the depth strictly above the high-water mark
 * until a removal brings it to the low-water mark or below (hysteresis, edge-triggered as Netty's writability).
 *
 * <p>The depth and the full flag are two words. Adders and removers race on them, so each side re-reads the other
 * word after its own change (the Dekker pattern): whichever thread changes the flag last has seen the latest depth,
 * and once the threads are quiet the flag is right — never full at or below the low mark, always full above the high
 * one. A method that returns {@code true} changed the flag; its caller tells the owner loop, which reads
 * {@link #isFull()} when it runs, so a flag that flips twice in a race costs at most one extra look.
 *
 * <p>Lock-free; no allocation.
 */
public final class FillLevel {

    private static final VarHandle FULL;

    static {
        try {
            FULL = MethodHandles.lookup().findVarHandle(FillLevel.class, "full", boolean.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long high;

    private final long low;

    private final AtomicLong depth = new AtomicLong();

    @SuppressWarnings("unused") // through FULL
    private volatile boolean full;

    /**
     * A level for {@code marks}, empty.
     *
     * @param marks the water marks
     */
    public FillLevel(WaterMarks marks) {
        this.high = marks.high();
        this.low = marks.low();
    }

    /** The high-water mark. */
    public long high() {
        return this.high;
    }

    /** The low-water mark. */
    public long low() {
        return this.low;
    }

    /** Units held now; never negative as long as callers remove only what they added. */
    public long depth() {
        return this.depth.get();
    }

    /** Whether the buffer wants its producer paused. */
    public boolean isFull() {
        return this.full;
    }

    /**
     * Adds {@code units}.
     *
     * @param units a non-negative amount
     * @return whether this call changed the full flag
     */
    public boolean add(long units) {
        long after = this.depth.addAndGet(units);
        return after > this.high && !this.full && settle();
    }

    /**
     * Removes {@code units} that an earlier {@link #add} put in.
     *
     * @param units a non-negative amount, at most what was added and not yet removed
     * @return whether this call changed the full flag
     */
    public boolean remove(long units) {
        long after = this.depth.addAndGet(-units);
        return after <= this.low && this.full && settle();
    }

    /**
     * Makes the flag agree with the depth, re-reading the depth after each change so that a racing thread on the other
     * side cannot leave it wrong.
     */
    private boolean settle() {
        boolean changed = false;
        for (;;) {
            long now = this.depth.get();
            boolean isFull = this.full;
            boolean wanted = isFull ? now > this.low : now > this.high;
            if (wanted == isFull) {
                return changed;
            }
            if (FULL.compareAndSet(this, isFull, wanted)) {
                changed = true;
            }
        }
    }
}
