package dev.sluice.twisted.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

import dev.sluice.Consumer;
import dev.sluice.PullProducer;
import dev.sluice.internal.Log;
import dev.sluice.twisted.internal.SerialLane;
import org.jspecify.annotations.Nullable;

/**
 * Sends pages when its transport is ready: the paging part of Twisted's Perspective Broker (PG-2, PG-3). The broker is
 * a {@link PullProducer}: it registers with its transport when its first pager arrives, and each time the transport
 * asks for more ({@link #resumeProducing()}), every pager sends one page, newest pager first; pagers that have finished
 * are dropped, and when none is left the broker unregisters from the transport.
 *
 * <p>The transport only paces the pages: they go to each pager's collector directly. A transport that asks a pull
 * producer again only after its buffer has drained (such as {@link dev.sluice.BufferedConsumer}, FD-11a) needs
 * collectors that write what they receive into it, as Twisted's remote collectors do through the connection. The
 * broker writes nothing into its transport itself, so it is never given a {@code false} to honour.
 *
 * <h2>Failures</h2>
 * A pager whose page, {@code stillPaging} or collector throws (any {@link Throwable}) is logged once, told it has
 * {@linkplain Pager#stopped() stopped}, and dropped; the other pagers still send their pages, and the broker still
 * unregisters when none is left. A pager that throws from {@code stopped} is logged too. A {@link VirtualMachineError}
 * is rethrown once the round is over. A transport that refuses the registration gets its exception to the caller of
 * {@link #registerPageProducer}, and the pager is not kept.
 *
 * <h2>Threads</h2>
 * Any thread may call the broker, start its pagers and drive its transport. The broker and its pagers share one
 * lock-free serial lane ({@code dev.sluice.twisted.internal.SerialLane}): {@link #registerPageProducer},
 * {@link #resumeProducing()} and {@link #stopProducing()}, and a {@link FilePager}'s consumer calls, run one at a time.
 * A call made while the broker is idle runs at once on the caller's thread; a call from another thread while one runs
 * is queued and run right after it, by the thread running it, without blocking the caller; a call made from inside a
 * running one on the same thread (a transport that asks for pages from inside the broker's registration, a file read
 * that writes into its pager) runs at once, nested, as in Twisted. So one round of pages (each pager's page and its
 * {@link Pager#stillPaging()}) is never interleaved with another thread's calls, the last page of a pager always
 * precedes its {@code endedPaging}, and the calls the broker makes to its transport ({@code registerProducer},
 * {@code unregisterProducer}) and a pager makes to its collector and its file reader are serialized, in order, with no
 * lock held. The thread running the lane runs the calls others queue for as long as they keep coming; a broker that
 * several threads drive as fast as they can should be given a hand-off executor
 * ({@link #PageBroker(Consumer, Executor)}). No call ever runs on a pool the caller did not give.
 */
public final class PageBroker implements PullProducer {

    private static final Log LOG = Log.of(PageBroker.class);

    private final Consumer<?> transport;

    private final SerialLane lane;

    /** The pagers still paging, oldest first; confined to the lane. */
    private final List<Pager<?>> pagers = new ArrayList<>();

    /** The size of {@link #pagers} after the last call, for other threads. */
    private volatile int pagerCount;

    /**
     * Creates a broker that paces its pages by {@code transport}.
     *
     * @param transport the consumer whose readiness paces the pages
     */
    public PageBroker(Consumer<?> transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.lane = new SerialLane("PageBroker");
    }

    /**
     * Creates a broker that paces its pages by {@code transport} and whose lane hands long drains to {@code handOff}:
     * for a broker that several threads drive as fast as they can, where the thread that found the lane idle would
     * otherwise run their calls for as long as they keep coming.
     *
     * @param transport the consumer whose readiness paces the pages
     * @param handOff where a drain that has run past its budget goes on
     */
    public PageBroker(Consumer<?> transport, Executor handOff) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.lane = new SerialLane("PageBroker", handOff);
    }

    /**
     * Adds a pager; the first one registers the broker with the transport as a pull producer, which may ask for the
     * first pages at once.
     *
     * @param pager the pager
     */
    public void registerPageProducer(Pager<?> pager) {
        Objects.requireNonNull(pager, "pager");
        serially(() -> {
            this.pagers.add(pager);
            if (this.pagers.size() == 1) {
                try {
                    this.transport.registerProducer(this, false);
                }
                catch (Throwable refused) {
                    this.pagers.remove(pager); // not registered: the next pager tries again
                    throw refused;
                }
            }
        });
    }

    /** Sends one page from each pager, newest first, and drops finished pagers; unregisters when none is left. */
    @Override
    public void resumeProducing() {
        serially(this::sendPages);
    }

    private void sendPages() {
        List<Pager<?>> snapshot = List.copyOf(this.pagers);
        Throwable fatal = null;
        for (int i = snapshot.size() - 1; i >= 0; i--) {
            Pager<?> pager = snapshot.get(i);
            try {
                pager.sendNextPage();
                if (!pager.stillPaging()) {
                    this.pagers.remove(pager);
                }
            }
            catch (Throwable failure) {
                LOG.error("Pager {} threw while sending a page; it is stopped and dropped", pager, failure);
                this.pagers.remove(pager);
                fatal = firstFatal(fatal, failure);
                fatal = firstFatal(fatal, stop(pager));
            }
        }
        if (this.pagers.isEmpty()) {
            this.transport.unregisterProducer();
        }
        rethrow(fatal);
    }

    /** The transport has gone: every pager is stopped and dropped without ending its paging. */
    @Override
    public void stopProducing() {
        serially(() -> {
            List<Pager<?>> gone = List.copyOf(this.pagers);
            this.pagers.clear();
            Throwable fatal = null;
            for (Pager<?> pager : gone) {
                fatal = firstFatal(fatal, stop(pager));
            }
            rethrow(fatal);
        });
    }

    /** Tells {@code pager} it has stopped; logs what that throws and returns it, or null. */
    private static @Nullable Throwable stop(Pager<?> pager) {
        try {
            pager.stopped();
            return null;
        }
        catch (Throwable failure) {
            LOG.error("Pager {} threw from stopped()", pager, failure);
            return failure;
        }
    }

    private static @Nullable Throwable firstFatal(@Nullable Throwable fatal, @Nullable Throwable failure) {
        return (fatal == null && failure instanceof VirtualMachineError) ? failure : fatal;
    }

    private static void rethrow(@Nullable Throwable fatal) {
        if (fatal instanceof VirtualMachineError error) {
            throw error;
        }
    }

    /** The number of pagers still paging, after the last call that has run; any thread. */
    public int pagerCount() {
        return this.pagerCount;
    }

    /** Runs {@code call} on the lane the broker shares with its pagers: now, nested, or after the running call. */
    void serially(Runnable call) {
        this.lane.execute(() -> {
            try {
                call.run();
            }
            finally {
                this.pagerCount = this.pagers.size();
            }
        });
    }
}
