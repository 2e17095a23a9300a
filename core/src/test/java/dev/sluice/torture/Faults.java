package dev.sluice.torture;

import java.io.IOError;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * The failures a torture round injects into the consumer through user code (sink, weigher, listener, producer
 * callback, executor, {@code AsyncSink} hook), remembered by identity: so that a throwable that comes out of a call
 * into the consumer, completes its {@code whenClosed()} or reaches the log can be told apart from a bug of the
 * library, and so that each can be traced back to where it was thrown.
 */
final class Faults {

    /** What user code throws. Each kind is a separate thing the v3 contract says about {@code Throwable}. */
    enum Kind {
        /** A checked exception, where the interface allows one (the sink's {@code offer}). */
        IO_EXCEPTION,
        /** An unchecked exception. */
        RUNTIME,
        /** {@link IOError}: an {@code Error} that is not a {@code LinkageError} or {@code AssertionError}. */
        IO_ERROR,
        /** {@code new Error()}: the plainest {@code Error}. */
        ERROR
    }

    /** Where an injected failure was thrown. */
    enum Site {
        SINK, SINK_CLOSE, SINK_ABORT, WEIGHER, LISTENER, REGISTRY_LISTENER, PRODUCER, EXECUTOR,
        /** An {@code AsyncSink} call that failed: the item is skipped, unless the skip hook says otherwise. */
        ASYNC_CALL,
        /** An {@code AsyncSink} call whose failure the skip hook did not classify as the item's: it stops. */
        ASYNC_GAVE_UP,
        ASYNC_HOOK
    }

    /** Whether the v3 contract says a failure at this site fails the consumer (a listener's is logged and ignored). */
    static boolean failsConsumer(Site site) {
        return switch (site) {
            case SINK, WEIGHER, PRODUCER, EXECUTOR, ASYNC_GAVE_UP, ASYNC_HOOK -> true;
            case SINK_CLOSE, SINK_ABORT, LISTENER, REGISTRY_LISTENER, ASYNC_CALL -> false;
        };
    }

    private final Map<Throwable, Site> thrown = new ConcurrentHashMap<>();

    /** The failures thrown while the consumer was still open: those must fail it. */
    private final Map<Throwable, Site> thrownWhileOpen = new ConcurrentHashMap<>();

    /** Whether the consumer has completed {@code whenClosed()}; set by the round. */
    volatile java.util.function.BooleanSupplier closed = () -> false;

    private final Map<Throwable, AtomicInteger> logged = new ConcurrentHashMap<>();

    private final AtomicInteger count = new AtomicInteger();

    private final String round;

    Faults(String round) {
        this.round = round;
    }

    /**
     * A new failure of {@code kind}, recorded as thrown at {@code site}; the caller throws it (with
     * {@link #sneaky(Throwable)} where the signature has no room for a checked exception).
     */
    Throwable make(Kind kind, Site site) {
        String message = "torture " + this.round + ": injected " + kind + " #" + this.count.incrementAndGet() + " from "
                + site;
        Throwable failure = switch (kind) {
            case IO_EXCEPTION -> new IOException(message);
            case RUNTIME -> new IllegalStateException(message);
            case IO_ERROR -> new IOError(new IOException(message));
            case ERROR -> new Error(message);
        };
        this.thrown.put(failure, site);
        if (!this.closed.getAsBoolean()) {
            this.thrownWhileOpen.put(failure, site);
        }
        return failure;
    }

    /** {@code failure}, thrown at {@code ASYNC_CALL}, turned out to stop the consumer. */
    void gaveUp(Throwable failure) {
        this.thrown.put(failure, Site.ASYNC_GAVE_UP);
        if (this.thrownWhileOpen.containsKey(failure)) {
            this.thrownWhileOpen.put(failure, Site.ASYNC_GAVE_UP);
        }
    }

    /** Throws {@code failure}, checked or not, from a method that declares nothing. */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable failure) throws E {
        throw (E) failure;
    }

    /** The site of the injected failure {@code failure} is or is caused by (first in its cause chain), or null. */
    @Nullable Site siteOf(@Nullable Throwable failure) {
        Throwable at = failure;
        for (int depth = 0; at != null && depth < 8; depth++) {
            Site site = this.thrown.get(at);
            if (site != null) {
                return site;
            }
            at = at.getCause();
        }
        return null;
    }

    /** The injected failure {@code failure} is or is caused by, or null. */
    @Nullable Throwable injectedIn(@Nullable Throwable failure) {
        Throwable at = failure;
        for (int depth = 0; at != null && depth < 8; depth++) {
            if (this.thrown.containsKey(at)) {
                return at;
            }
            at = at.getCause();
        }
        return null;
    }

    boolean any() {
        return !this.thrown.isEmpty();
    }

    /** Whether a failure that the contract says fails the consumer has been thrown while it was open. */
    boolean anyFailingTheConsumer() {
        return this.thrownWhileOpen.values().stream().anyMatch(Faults::failsConsumer);
    }

    /** Called by {@link LogCapture} for every log event that carries {@code failure}. */
    void logged(Throwable failure) {
        Throwable injected = injectedIn(failure);
        if (injected != null) {
            this.logged.computeIfAbsent(injected, key -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** How many log events carried {@code failure}. */
    int timesLogged(Throwable failure) {
        AtomicInteger times = this.logged.get(failure);
        return (times != null) ? times.get() : 0;
    }

    /** Every failure thrown, for a report. */
    String describeAll() {
        StringBuilder text = new StringBuilder();
        this.thrown.forEach((failure, site) -> text.append(text.length() == 0 ? "" : ", ").append(failure)
            .append(" at ").append(site));
        return text.toString();
    }

    /** A failure that escaped to a caller of the consumer, or ended it, described for a report. */
    String describe(Throwable failure) {
        Site site = siteOf(failure);
        return failure + ((site != null) ? " (injected at " + site + ")" : "");
    }
}
