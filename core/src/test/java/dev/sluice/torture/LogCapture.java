package dev.sluice.torture;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Counts, while a torture run lasts, the log events of the library at WARN or ERROR that carry an injected failure ("a
 * failed consumer logs it once"), and keeps the library's log quiet meanwhile: a run injects thousands of failures, and their stack
 * traces would cost more time than the run itself. Installed as a Logback turbo filter, which sees each call with its
 * arguments before any formatting.
 */
final class LogCapture extends TurboFilter implements AutoCloseable {

    private static final String LIBRARY = "dev.sluice.";

    private final @Nullable LoggerContext context;

    private volatile @Nullable Faults faults;

    private LogCapture(@Nullable LoggerContext context) {
        this.context = context;
    }

    /** Installs the filter; without Logback (another SLF4J binding) it counts nothing and the log stays as it is. */
    static LogCapture install() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return new LogCapture(null);
        }
        LogCapture capture = new LogCapture(context);
        capture.setName("sluice-torture");
        capture.start();
        context.addTurboFilter(capture);
        return capture;
    }

    /** Whether log events can be counted: the "logged once" oracle is skipped when they cannot. */
    boolean counts() {
        return this.context != null;
    }

    /** The round whose faults are counted from now on. */
    void round(@Nullable Faults faults) {
        this.faults = faults;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable t) {
        if (logger == null || !logger.getName().startsWith(LIBRARY)) {
            return FilterReply.NEUTRAL;
        }
        Faults current = this.faults;
        // format is null when Logback asks isXxxEnabled(); "logged" means at WARN or ERROR
        if (current != null && format != null && level != null && level.isGreaterOrEqual(Level.WARN)) {
            if (t != null) {
                current.logged(t);
            }
            if (params != null) {
                for (Object param : params) {
                    if (param instanceof Throwable failure) {
                        current.logged(failure);
                    }
                }
            }
        }
        return FilterReply.DENY;
    }

    @Override
    public void close() {
        if (this.context != null) {
            this.context.getTurboFilterList().remove(this);
        }
        stop();
    }
}
