package dev.sluice.twisted.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An in-memory collector that keeps every page and completes {@link #pages()} with the list when paging ends: Twisted's
 * {@code CallbackPageCollector} (PG-7). Thread-safe.
 *
 * @param <P> the page type
 */
public final class ListPageCollector<P> implements PageCollector<P> {

    private final List<P> pages = new ArrayList<>();

    private final CompletableFuture<List<P>> done = new CompletableFuture<>();

    @Override
    public synchronized void gotPage(P page) {
        this.pages.add(page);
    }

    @Override
    public void endedPaging() {
        List<P> all;
        synchronized (this) {
            all = List.copyOf(this.pages);
        }
        this.done.complete(all);
    }

    /** Completes with all pages, in order, when paging ends. */
    public CompletableFuture<List<P>> pages() {
        return this.done.copy();
    }
}
