package dev.sluice.servlet;

import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletRequest;
/**
 * A file's validators, {@code ETag} and {@code Last-Modified}, and the conditional requests evaluated against them in
 * the order of RFC 9110 §13.2.2: {@code If-Match}, else {@code If-Unmodified-Since} (412 when false); then
 * {@code If-None-Match}, else {@code If-Modified-Since} for GET and HEAD (304 when false, 412 for other methods);
 * {@code If-Range} is asked separately, by the range step.
 *
 * <p>The entity tag is strong, made of the file's size and modification time (as many servers do): a file rewritten
 * with the same size within the file system's time resolution would keep its tag. Dates compare in whole seconds, the
 * resolution of HTTP dates.
 */
final class Validators {

    /** What the preconditions decide. */
    enum Outcome {
        PROCEED, NOT_MODIFIED, PRECONDITION_FAILED
    }

    private final String etag;

    private final long lastModified;

    private Validators(String etag, long lastModified) {
        this.etag = etag;
        this.lastModified = lastModified;
    }

    static Validators of(long size, FileTime modified) {
        String tag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(modified.to(TimeUnit.MICROSECONDS)) + "\"";
        return new Validators(tag, modified.toMillis() / 1000 * 1000);
    }

    /** The quoted, strong entity tag. */
    String etag() {
        return this.etag;
    }

    /** The modification time in milliseconds, whole seconds. */
    long lastModified() {
        return this.lastModified;
    }

    Outcome evaluate(HttpServletRequest request) {
        boolean getOrHead = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        String ifMatch = request.getHeader("If-Match");
        if (ifMatch != null) {
            if (!matches(ifMatch, false)) {
                return Outcome.PRECONDITION_FAILED;
            }
        }
        else {
            long unmodifiedSince = date(request, "If-Unmodified-Since");
            if (unmodifiedSince >= 0 && this.lastModified > unmodifiedSince) {
                return Outcome.PRECONDITION_FAILED;
            }
        }
        String ifNoneMatch = request.getHeader("If-None-Match");
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, true)) {
                return getOrHead ? Outcome.NOT_MODIFIED : Outcome.PRECONDITION_FAILED;
            }
        }
        else if (getOrHead) {
            long modifiedSince = date(request, "If-Modified-Since");
            if (modifiedSince >= 0 && modifiedSince <= System.currentTimeMillis()
                    && this.lastModified <= modifiedSince) {
                return Outcome.NOT_MODIFIED;
            }
        }
        return Outcome.PROCEED;
    }

    /**
     * Whether an {@code If-Range} value still designates this representation: a strong entity tag equal to ours, or a
     * date equal to our {@code Last-Modified}. A weak tag never does.
     */
    boolean ifRangeMatches(String ifRange, HttpServletRequest request) {
        String value = ifRange.trim();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return value.equals(this.etag);
        }
        long date = date(request, "If-Range");
        return date >= 0 && date == this.lastModified;
    }

    /** Whether a list of entity tags (or {@code *}) matches ours; weakly (ignoring {@code W/}) or strongly. */
    private boolean matches(String header, boolean weak) {
        String value = header.trim();
        if (value.equals("*")) {
            return true;
        }
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            boolean isWeak = value.startsWith("W/", i);
            int open = isWeak ? i + 2 : i;
            if (open >= value.length() || value.charAt(open) != '"') {
                return false; // not a list of entity tags: no match
            }
            int close = value.indexOf('"', open + 1);
            if (close < 0) {
                return false;
            }
            String tag = value.substring(open, close + 1);
            if (tag.equals(this.etag) && (weak || !isWeak)) {
                return true;
            }
            i = close + 1;
        }
        return false;
    }

    /** A date header in milliseconds, or -1 when absent or not a valid HTTP date (which RFC 9110 says to ignore). */
    private static long date(HttpServletRequest request, String name) {
        try {
            return request.getDateHeader(name);
        }
        catch (IllegalArgumentException invalid) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return "Validators[" + this.etag + ", " + this.lastModified + "]";
    }
}
