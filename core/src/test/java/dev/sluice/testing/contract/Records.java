package dev.sluice.testing.contract;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The chunks a contract test writes: {@code size} bytes each, the writer's number and the chunk's sequence number first,
 * then a pattern derived from both, so that what arrives can be checked chunk by chunk however the consumer merges or
 * splits the bytes on the way.
 */
public final class Records {

    /** The header: writer and sequence, an {@code int} each. */
    public static final int HEADER = 8;

    private Records() {
    }

    /** One chunk of writer {@code writer}, number {@code seq}, {@code size} bytes (at least {@link #HEADER}). */
    public static ByteBuffer chunk(int writer, int seq, int size) {
        if (size < HEADER) {
            throw new IllegalArgumentException("a chunk needs at least " + HEADER + " bytes, not " + size);
        }
        ByteBuffer chunk = ByteBuffer.allocate(size);
        chunk.putInt(writer).putInt(seq);
        for (int i = HEADER; i < size; i++) {
            chunk.put(filler(writer, seq, i));
        }
        return chunk.flip();
    }

    /** A chunk as it arrived: who wrote it and its number. */
    public record Record(int writer, int seq) {
    }

    /**
     * Cuts {@code bytes} into chunks of {@code size} and reads them back.
     *
     * @throws AssertionError if the bytes are not whole chunks, or a chunk's pattern is damaged
     */
    public static List<Record> decode(byte[] bytes, int size) {
        if (bytes.length % size != 0) {
            throw new AssertionError(bytes.length + " bytes arrived: not a whole number of " + size + "-byte chunks");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        List<Record> records = new ArrayList<>(bytes.length / size);
        for (int at = 0; at < bytes.length; at += size) {
            int writer = in.getInt(at);
            int seq = in.getInt(at + 4);
            for (int i = HEADER; i < size; i++) {
                if (bytes[at + i] != filler(writer, seq, i)) {
                    throw new AssertionError("chunk at byte " + at + " (writer " + writer + ", #" + seq
                            + ") is damaged at its byte " + i);
                }
            }
            records.add(new Record(writer, seq));
        }
        return records;
    }

    private static byte filler(int writer, int seq, int index) {
        return (byte) (writer * 31 + seq * 7 + index);
    }
}
