package dev.sluice;

import java.nio.ByteBuffer;

/** The built-in {@link Weigher}s, as named singletons with readable {@code toString}s. */
enum Weighers implements Weigher<Object> {

    BYTE_BUFFERS("bytes") {
        @Override
        public long weigh(Object item) {
            return ((ByteBuffer) item).remaining();
        }
    },

    BYTE_ARRAYS("bytes") {
        @Override
        public long weigh(Object item) {
            return ((byte[]) item).length;
        }
    },

    ITEMS("items") {
        @Override
        public long weigh(Object item) {
            return 1;
        }
    },

    STANDARD("bytes") {
        @Override
        public long weigh(Object item) {
            if (item instanceof ByteBuffer buffer) {
                return buffer.remaining();
            }
            if (item instanceof byte[] bytes) {
                return bytes.length;
            }
            return 1;
        }
    };

    private final String unit;

    Weighers(String unit) {
        this.unit = unit;
    }

    @Override
    public String unit() {
        return this.unit;
    }
}
