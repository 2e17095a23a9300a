package dev.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.Sink;

/**
 * A sink that records what it takes. It takes everything ({@link #accepting()}) or only as much as the test grants
 * ({@link #limited()}, {@link #grant(long)}): a {@link ByteBuffer} is taken in part when the credit ends inside it,
 * anything else whole, one credit per item. It can be told to fail.
 *
 * @param <T> the type of item
 */
public class RecordingSink<T> implements Sink<T> {

    private final List<T> items = new ArrayList<>();

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private long credit;

    private int offers;

    private boolean closed;

    private boolean aborted;

    private Exception failure;

    private RecordingSink(long credit) {
        this.credit = credit;
    }

    /** A sink that takes everything at once. */
    public static <T> RecordingSink<T> accepting() {
        return new RecordingSink<>(Long.MAX_VALUE);
    }

    /** A sink that takes nothing until {@link #grant(long)} is called. */
    public static <T> RecordingSink<T> limited() {
        return new RecordingSink<>(0);
    }

    /** Lets the sink take {@code units} more: bytes of ByteBuffers, or items. */
    public synchronized RecordingSink<T> grant(long units) {
        this.credit = (this.credit > Long.MAX_VALUE - units) ? Long.MAX_VALUE : this.credit + units;
        return this;
    }

    /** Makes the next offer throw {@code failure}. */
    public synchronized void failNextOffer(Exception failure) {
        this.failure = failure;
    }

    @Override
    public synchronized boolean offer(T item) throws Exception {
        this.offers++;
        if (this.failure != null) {
            Exception thrown = this.failure;
            this.failure = null;
            throw thrown;
        }
        if (this.credit == 0) {
            return false;
        }
        if (item instanceof ByteBuffer buffer) {
            int take = (int) Math.min(this.credit, buffer.remaining());
            byte[] taken = new byte[take];
            buffer.get(taken);
            this.bytes.write(taken, 0, take);
            this.credit -= take;
            if (buffer.hasRemaining()) {
                return false;
            }
        }
        else {
            this.credit--;
        }
        this.items.add(item);
        return true;
    }

    @Override
    public synchronized void close() {
        this.closed = true;
    }

    @Override
    public synchronized void abort() {
        this.aborted = true;
    }

    /** Items taken whole, in order. */
    public synchronized List<T> items() {
        return List.copyOf(this.items);
    }

    /** Bytes taken from ByteBuffers, in order. */
    public synchronized byte[] bytes() {
        return this.bytes.toByteArray();
    }

    /** Bytes taken, as ASCII text. */
    public synchronized String text() {
        return this.bytes.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }

    public synchronized int offers() {
        return this.offers;
    }

    public synchronized boolean isClosed() {
        return this.closed;
    }

    public synchronized boolean isAborted() {
        return this.aborted;
    }
}
