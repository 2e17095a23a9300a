package dev.sluice.servlet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The body of a {@code 206 multipart/byteranges} answer (RFC 9110 §14.6): for each range, a boundary line, its
 * {@code Content-Type} and {@code Content-Range}, an empty line and the range's bytes; then the closing boundary.
 */
final class Multipart {

    private Multipart() {
    }

    /** A boundary of 16 random hex digits, so that it is not in the file's bytes but by extreme chance. */
    static String boundary() {
        return "SLUICE_" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    /**
     * The body as segments: the head of each part, its file region, and the closing boundary.
     *
     * @param ranges the ranges, in the order asked
     * @param contentType the file's content type, in each part's head
     * @param size the file's size, in each part's {@code Content-Range}
     * @param boundary the boundary of the {@code Content-Type} header
     */
    static List<FileRegionProducer.Segment> segments(List<ByteRange> ranges, String contentType, long size,
            String boundary) {
        List<FileRegionProducer.Segment> segments = new ArrayList<>(2 * ranges.size() + 1);
        for (int i = 0; i < ranges.size(); i++) {
            ByteRange range = ranges.get(i);
            String head = ((i == 0) ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + contentType
                    + "\r\nContent-Range: " + range.contentRange(size) + "\r\n\r\n";
            segments.add(FileRegionProducer.Segment.literal(head.getBytes(StandardCharsets.ISO_8859_1)));
            segments.add(FileRegionProducer.Segment.region(range.first(), range.last() + 1));
        }
        segments.add(FileRegionProducer.Segment.literal(("\r\n--" + boundary + "--\r\n")
            .getBytes(StandardCharsets.ISO_8859_1)));
        return segments;
    }
}
