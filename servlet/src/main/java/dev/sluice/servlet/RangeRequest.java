package dev.sluice.servlet;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * What a {@code Range} header asks of a representation of known length: {@code bytes=first-last},
 * {@code bytes=first-} or {@code bytes=-suffixLength} give a {@link ByteRange}; see {@link #parse}.
 */
sealed interface RangeRequest permits ByteRange, RangeRequest.Ignore, RangeRequest.Unsatisfiable {

    /**
     * The header is to be ignored and the whole representation sent: it is malformed, uses another unit, or asks for
     * several ranges (multipart/byteranges is not produced; RFC 9110 §14.2 lets a server ignore {@code Range}).
     */
    record Ignore() implements RangeRequest {
    }

    /** The range starts past the end: 416, with {@code Content-Range: bytes *}{@code /length}. */
    record Unsatisfiable() implements RangeRequest {
    }

    /**
     * Reads a {@code Range} header for a representation of {@code size} bytes.
     *
     * @param header the header's value
     * @param size the representation's length
     * @return the range to send, or what to do instead
     */
    static RangeRequest parse(String header, long size) {
        String value = header.trim();
        int equals = value.indexOf('=');
        if (equals < 0 || !value.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return new Ignore();
        }
        String spec = value.substring(equals + 1).trim();
        if (spec.indexOf(',') >= 0) {
            return new Ignore();
        }
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
            return new Ignore(); // an invalid range-spec makes the whole header invalid (RFC 9110 §14.1.1)
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
