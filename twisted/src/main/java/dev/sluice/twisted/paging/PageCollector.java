package dev.sluice.twisted.paging;

/**
 * Receives pages from a {@link Pager}: Twisted's remote collector ({@code remote_gotPage},
 * {@code remote_endedPaging}), here a local object.
 *
 * @param <P> the page type
 */
public interface PageCollector<P> {

    /** Receives the next page, in order. */
    void gotPage(P page);

    /** Paging has ended: no more pages follow. Called once. */
    void endedPaging();
}
