package dev.sluice.twisted.web2;

import java.util.OptionalLong;

/**
 * A source stream over a region {@code [start, start + length)} of something addressable, split by copying the
 * region bounds (Twisted's {@code SimpleStream}, W2-S1). Subclasses read the region and advance it.
 */
abstract sealed class SimpleStream implements ByteStream permits MemoryStream, FileStream {

    /** The position of the next byte to read. */
    long start;

    /** The number of bytes left to read; 0 once closed or at the end. */
    long length;

    SimpleStream(long start, long length) {
        if (start < 0 || length < 0) {
            throw new IllegalArgumentException("start (" + start + ") and length (" + length + ") must be >= 0");
        }
        this.start = start;
        this.length = length;
    }

    /**
     * A stream of the same kind over the region {@code [start, start + length)} of the same source, or an empty one
     * when this stream is closed.
     */
    abstract SimpleStream region(long start, long length);

    /** An empty stream, the {@link #region} of a closed stream. */
    static SimpleStream empty() {
        return new MemoryStream(new byte[0]);
    }

    @Override
    public final OptionalLong length() {
        return OptionalLong.of(this.length);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Splitting costs nothing: this stream keeps the first {@code point} bytes and is returned as
     * {@code before}; {@code after} is a new stream over the rest of the same source.
     */
    @Override
    public final Split split(long point) {
        StreamInternals.checkSplitPoint(point, this.length);
        SimpleStream after = region(this.start + point, this.length - point);
        this.length = point;
        return new Split(this, after);
    }

    /** {@inheritDoc} Releases the reference to the source; it does not close anything the caller owns. */
    @Override
    public void close() {
        this.length = 0;
    }
}
