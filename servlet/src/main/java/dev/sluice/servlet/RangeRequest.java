package dev.sluice.servlet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * What a {@code Range} header asks of a representation of known length: {@code bytes=first-last},
 * {@code bytes=first-} or {@code bytes=-suffixLength} give a {@link ByteRange}, several of them separated by commas
 * {@link Several}; see {@link #parse}.
 */
sealed interface RangeRequest permits ByteRange, RangeRequest.Several, RangeRequest.Ignore, RangeRequest.Unsatisfiable {

    /** The most ranges served as {@code multipart/byteranges}; a header asking for more is ignored. */
    int MAX_RANGES = 64;

    /**
     * The header is to be ignored and the whole representation sent: it is malformed, uses another unit, or asks for
     * more than {@value #MAX_RANGES} ranges or more bytes than the whole representation has (RFC 9110 §14.2 lets a
     * server ignore {@code Range}; this also refuses the many-small-ranges amplification).
     */
    record Ignore() implements RangeRequest {
    }

    /**
     * Two or more satisfiable ranges, in the order asked: a {@code 206 multipart/byteranges}.
     *
     * @param ranges the ranges
     */
    record Several(List<ByteRange> ranges) implements RangeRequest {
    }

    /** The range starts past the end: 416, with {@code Content-Range: bytes *}{@code /length}. */
    record Unsatisfiable() implements RangeRequest {
    }

    /**
     * Reads a {@code Range} header for a representation of {@code size} bytes. Ranges that start past the end are
     * left out; if none is left, the answer is {@link Unsatisfiable}.
     *
     * @param header the header's value
     * @param size the representation's length
     * @return the range or ranges to send, or what to do instead
     */
    static RangeRequest parse(String header, long size) {
        String value = header.trim();
        int equals = value.indexOf('=');
        if (equals < 0 || !value.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return new Ignore();
        }
        List<ByteRange> satisfiable = new ArrayList<>();
        long total = 0;
        int specs = 0;
        for (String element : value.substring(equals + 1).split(",", -1)) {
            String spec = element.trim();
            if (spec.isEmpty()) {
                continue; // an empty list element (RFC 9110 §5.6.1)
            }
            if (++specs > MAX_RANGES) {
                return new Ignore();
            }
            RangeRequest one = one(spec, size);
            if (one instanceof Ignore) {
                return one; // an invalid range-spec makes the whole header invalid (RFC 9110 §14.1.1)
            }
            if (one instanceof ByteRange range) {
                satisfiable.add(range);
                total += range.length();
            }
        }
        if (specs == 0) {
            return new Ignore();
        }
        if (satisfiable.isEmpty()) {
            return new Unsatisfiable();
        }
        if (satisfiable.size() == 1) {
            return satisfiable.get(0);
        }
        return (total > size) ? new Ignore() : new Several(List.copyOf(satisfiable));
    }

    private static RangeRequest one(String spec, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Ignore();
        }
        Long first = number(spec.substring(0, dash));
        Long last = number(spec.substring(dash + 1));
        if (dash == 0) { // a suffix: the last N bytes
            if (last == null) {
                return new Ignore();
            }
            if (last == 0 || size == 0) {
                return new Unsatisfiable();
            }
            return new ByteRange(Math.max(0, size - last), size - 1);
        }
        if (first == null || (last == null && dash < spec.length() - 1)) {
            return new Ignore();
        }
        if (last != null && last < first) {
            return new Ignore();
        }
        if (first >= size) {
            return new Unsatisfiable();
        }
        long end = (last == null) ? size - 1 : Math.min(last, size - 1);
        return new ByteRange(first, end);
    }

    private static @Nullable Long number(String text) {
        String digits = text.trim();
        if (digits.isEmpty() || digits.length() > 18) {
            return null;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return null;
            }
        }
        return Long.parseLong(digits);
    }
}
