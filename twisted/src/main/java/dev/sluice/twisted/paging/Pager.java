package dev.sluice.twisted.paging;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * Sends data to a {@link PageCollector} one page at a time, paced by a {@link PageBroker}: Twisted's
 * {@code spread.util.Pager} (PG-1, PG-4). A subclass says what the next page is ({@link #nextPage()}, or by
 * overriding {@link #sendNextPage()}) and calls
 * {@link #stopPaging()} once it has given the last one.
 *
 * <p>{@link #start()} registers the pager with its broker; Twisted does that at the end of the constructor, which a
 * Java constructor must not do (the broker may call back before a subclass is built).
 *
 * <p>Threads: {@link #start()} and {@link #stopPaging()} may be called from any thread. The broker calls
 * {@link #sendNextPage()}, {@link #stillPaging()} and {@link #stopped()} on the serial lane it shares with its pagers
 * (see {@link PageBroker}), so they never overlap and the collector's calls are serialized and in order.
 *
 * @param <P> the page type
 */
public abstract class Pager<P> {

    private final PageBroker broker;

    private final PageCollector<? super P> collector;

    private final @Nullable Runnable callback;

    private volatile boolean paging = true;

    private final AtomicBoolean started = new AtomicBoolean();

    /**
     * Creates a pager.
     *
     * @param broker the broker that paces the pages
     * @param collector where the pages go
     * @param callback run once when paging has ended, after the collector's {@code endedPaging}, or null; Twisted's
     *        extra arguments are whatever the callback captures
     */
    protected Pager(PageBroker broker, PageCollector<? super P> collector, @Nullable Runnable callback) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.collector = Objects.requireNonNull(collector, "collector");
        this.callback = callback;
    }

    /**
     * Registers with the broker, which may send the first page at once.
     *
     * @return this pager
     * @throws IllegalStateException if already started
     */
    public Pager<P> start() {
        if (!this.started.compareAndSet(false, true)) {
            throw new IllegalStateException("pager already started: " + this);
        }
        this.broker.registerPageProducer(this);
        return this;
    }

    /**
     * Returns the next page; called by {@link #sendNextPage()} once per page while {@link #stillPaging()} is true.
     * Subclasses override this, or {@link #sendNextPage()} itself when they may have no page to send yet.
     *
     * @throws UnsupportedOperationException unless overridden (Twisted's {@code NotImplementedError})
     */
    protected P nextPage() {
        throw new UnsupportedOperationException(getClass().getName() + " must override nextPage()");
    }

    /** Sends the next page to the collector; called by the broker. */
    public void sendNextPage() {
        this.collector.gotPage(nextPage());
    }

    /**
     * Whether paging goes on; called by the broker after each page. Once paging has stopped it tells the collector
     * that paging has ended and then runs the callback (PG-4).
     *
     * @return whether more pages follow
     */
    public boolean stillPaging() {
        if (!this.paging) {
            this.collector.endedPaging();
            if (this.callback != null) {
                this.callback.run();
            }
        }
        return this.paging;
    }

    /** Marks the last page as given: the next {@link #stillPaging()} ends paging. Any thread. */
    public void stopPaging() {
        this.paging = false;
    }

    /** Sends a page to the collector; for subclasses that page on their own schedule, from the broker's lane. */
    protected final void send(P page) {
        this.collector.gotPage(page);
    }

    /** The pacing broker, whose lane serializes this pager's work. */
    final PageBroker broker() {
        return this.broker;
    }

    /** The broker's transport has gone; release what the pager holds. The default does nothing. */
    protected void stopped() {
    }
}
