package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What each source of a round (a writer thread, a bursting push producer, a pull producer) has written: the next
 * sequence number, the items and the bytes. A source is written by one thread at a time (its writer, or the callbacks
 * of its producer, which never overlap); the counts are atomic so that the main thread reads them at quiet points.
 */
class Tally {

    /** For producers that never write (the Lincheck test's). */
    static final Tally NONE = new Tally(0);

    private final AtomicIntegerArray next;

    private final AtomicLongArray bytes;

    private final AtomicIntegerArray uncertain;

    Tally(int sources) {
        this.next = new AtomicIntegerArray(sources);
        this.bytes = new AtomicLongArray(sources);
        this.uncertain = new AtomicIntegerArray(sources);
    }

    int sources() {
        return this.next.length();
    }

    /** The next item of {@code source}, counted as written. */
    ByteBuffer next(int source, int size) {
        int sequence = this.next.get(source);
        this.next.lazySet(source, sequence + 1);
        ByteBuffer item = Tagged.item(source, sequence, size);
        this.bytes.addAndGet(source, item.remaining());
        return item;
    }

    /** The write of {@code item} threw: whether the consumer took it is unknown. */
    void failed(int source, ByteBuffer item) {
        this.uncertain.set(source, 1);
    }

    long items(int source) {
        return this.next.get(source);
    }

    long bytes(int source) {
        return this.bytes.get(source);
    }

    boolean uncertain(int source) {
        return this.uncertain.get(source) != 0;
    }

    long totalBytes() {
        long total = 0;
        for (int source = 0; source < this.bytes.length(); source++) {
            total += this.bytes.get(source);
        }
        return total;
    }
}
