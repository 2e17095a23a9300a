package dev.sluice.regression;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Captures what the library logs at WARN or above (every logger under {@code dev.sluice}, through logback, the test
 * binding), to count how often one failure was logged.
 */
final class LoggedFailures implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.sluice");

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LoggedFailures() {
        this.appender.start();
        this.logger.addAppender(this.appender);
    }

    /** The messages of the events at WARN or above whose throwable is {@code failure} or caused by it. */
    List<String> mentioning(Throwable failure) {
        return List.copyOf(this.appender.list).stream()
            .filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
            .filter(event -> carries(event.getThrowableProxy(), failure))
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    }

    private static boolean carries(IThrowableProxy proxy, Throwable failure) {
        for (IThrowableProxy at = proxy; at != null; at = at.getCause()) {
            if (at instanceof ThrowableProxy real && real.getThrowable() == failure) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        this.logger.detachAppender(this.appender);
        this.appender.stop();
    }
}
