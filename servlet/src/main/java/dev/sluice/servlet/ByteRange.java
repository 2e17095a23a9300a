package dev.sluice.servlet;

/**
 * One satisfiable byte range of a representation of known length (RFC 9110 §14.1.2).
 *
 * @param first the first byte
 * @param last the last byte, inclusive
 */
record ByteRange(long first, long last) implements RangeRequest {

    /** The number of bytes. */
    long length() {
        return this.last - this.first + 1;
    }

    /** The {@code Content-Range} value for a representation of {@code size} bytes. */
    String contentRange(long size) {
        return "bytes " + this.first + "-" + this.last + "/" + size;
    }
}
