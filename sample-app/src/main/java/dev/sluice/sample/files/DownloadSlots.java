package dev.sluice.sample.files;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Small numbers for the downloads of each file, lowest free first, reused when a download ends: the {@code #n} of a
 * download's registry name {@code download:<file>#n}.
 *
 * <p>Why slots and not a counter or the client's address: every registry name becomes a tag value of the
 * {@code sluice.*} meters, and Prometheus keeps a series per tag value. A counter would make a new series per request
 * and a client tag one per client, without end; slots make at most {@code files × maxPerFile} names, however many
 * requests come, and a name seen on the live page or in Prometheus means "the n-th concurrent download of that file".
 */
final class DownloadSlots {

    private final int maxPerFile;

    private final Map<String, BitSet> taken = new HashMap<>();

    DownloadSlots(int maxPerFile) {
        this.maxPerFile = maxPerFile;
    }

    /** The lowest free slot (from 1) for {@code file}, or empty when {@code maxPerFile} downloads run. */
    synchronized OptionalInt acquire(String file) {
        BitSet slots = this.taken.computeIfAbsent(file, name -> new BitSet());
        int slot = slots.nextClearBit(1);
        if (slot > this.maxPerFile) {
            return OptionalInt.empty();
        }
        slots.set(slot);
        return OptionalInt.of(slot);
    }

    /** Frees {@code slot} of {@code file}. */
    synchronized void release(String file, int slot) {
        BitSet slots = this.taken.get(file);
        if (slots != null) {
            slots.clear(slot);
            if (slots.isEmpty()) {
                this.taken.remove(file);
            }
        }
    }

    /** How many downloads hold a slot now. */
    synchronized int inUse() {
        return this.taken.values().stream().mapToInt(BitSet::cardinality).sum();
    }
}
