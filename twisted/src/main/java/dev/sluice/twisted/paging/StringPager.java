package dev.sluice.twisted.paging;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Pages a string in pieces of {@code chunkSize} chars: Twisted's {@code StringPager} (PG-5). An empty string gives one
 * empty page; a length that is an exact multiple of the chunk size gives no trailing empty page.
 */
public final class StringPager extends Pager<String> {

    /** Twisted's default chunk size, 8192. */
    public static final int DEFAULT_CHUNK_SIZE = 8192;

    private final String text;

    private final int chunkSize;

    private int position;

    /**
     * Creates a pager; call {@link #start()} to begin.
     *
     * @param broker the broker
     * @param collector where the pages go
     * @param text what to page
     * @param chunkSize chars per page, positive
     * @param callback run when paging has ended, or null
     */
    public StringPager(PageBroker broker, PageCollector<? super String> collector, String text, int chunkSize,
            @Nullable Runnable callback) {
        super(broker, collector, callback);
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        this.text = Objects.requireNonNull(text, "text");
        this.chunkSize = chunkSize;
    }

    @Override
    protected String nextPage() {
        int end = (int) Math.min((long) this.position + this.chunkSize, this.text.length());
        String page = this.text.substring(Math.min(this.position, end), end);
        this.position = end;
        if (this.position >= this.text.length()) {
            stopPaging();
        }
        return page;
    }
}
