package dev.sluice.torture;

import java.nio.ByteBuffer;

/**
 * The items of a torture run: byte buffers that carry their source (a writer thread or a pull producer) and their
 * sequence number in their first eight bytes, read with absolute gets, so a sink that has taken part of an item can
 * still tell which item it is. An item weighs its remaining bytes ({@link dev.sluice.Weigher#bytes()}).
 */
final class Tagged {

    static final int MIN_SIZE = 8;

    static final int MAX_SIZE = 40;

    private Tagged() {
    }

    static ByteBuffer item(int source, int sequence, int size) {
        ByteBuffer item = ByteBuffer.allocate(Math.max(MIN_SIZE, size));
        item.putInt(0, source);
        item.putInt(4, sequence);
        return item;
    }

    static int source(ByteBuffer item) {
        return item.getInt(0);
    }

    static int sequence(ByteBuffer item) {
        return item.getInt(4);
    }

    static String describe(ByteBuffer item) {
        return "item " + source(item) + "/" + sequence(item) + " (" + item.remaining() + " of " + item.limit()
                + " bytes left)";
    }
}
