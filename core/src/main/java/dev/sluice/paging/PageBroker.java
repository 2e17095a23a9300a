package dev.sluice.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;

/**
 * Sends pages when its transport is ready: the paging part of Twisted's Perspective Broker (PG-2, PG-3). The broker is
 * a {@link PullProducer}: it registers with its transport when its first pager arrives, and each time the transport
 * asks for more ({@link #resumeProducing()}), every pager sends one page, newest pager first; pagers that have finished
 * are dropped, and when none is left the broker unregisters from the transport.
 *
 * <p>The transport only paces the pages: they go to each pager's collector directly. A transport that asks a pull
 * producer again only after something was written to it (such as {@link dev.sluice.BufferedConsumer}) needs
 * collectors that write what they receive into it, as Twisted's remote collectors do through the connection.
 *
 * <p>Not thread-safe: confine a broker, its pagers and its transport's calls to one thread, as in Twisted.
 */
public final class PageBroker implements PullProducer {

    private final Consumer<?> transport;

    private final List<Pager<?>> pagers = new ArrayList<>();

    /**
     * Creates a broker that paces its pages by {@code transport}.
     *
     * @param transport the consumer whose readiness paces the pages
     */
    public PageBroker(Consumer<?> transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /**
     * Adds a pager; the first one registers the broker with the transport as a pull producer, which may ask for the
     * first pages at once.
     *
     * @param pager the pager
     */
    public void registerPageProducer(Pager<?> pager) {
        this.pagers.add(Objects.requireNonNull(pager, "pager"));
        if (this.pagers.size() == 1) {
            this.transport.registerProducer(this, false);
        }
    }

    /** Sends one page from each pager, newest first, and drops finished pagers; unregisters when none is left. */
    @Override
    public void resumeProducing() {
        List<Pager<?>> snapshot = List.copyOf(this.pagers);
        for (int i = snapshot.size() - 1; i >= 0; i--) {
            Pager<?> pager = snapshot.get(i);
            pager.sendNextPage();
            if (!pager.stillPaging()) {
                this.pagers.remove(pager);
            }
        }
        if (this.pagers.isEmpty()) {
            this.transport.unregisterProducer();
        }
    }

    /** The transport has gone: every pager is stopped and dropped without ending its paging. */
    @Override
    public void stopProducing() {
        List<Pager<?>> gone = List.copyOf(this.pagers);
        this.pagers.clear();
        gone.forEach(Pager::stopped);
    }

    /** The number of pagers still paging. */
    public int pagerCount() {
        return this.pagers.size();
    }
}
