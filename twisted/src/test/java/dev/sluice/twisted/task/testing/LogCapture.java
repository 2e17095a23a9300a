package dev.sluice.twisted.task.testing;

import java.util.List;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Captures what one class logs through logback, the test binding of {@code dev.sluice.internal.Log}. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Class<?> type) {
        this.logger = (Logger) LoggerFactory.getLogger(type);
        this.appender.start();
        this.logger.addAppender(this.appender);
    }

    /** Starts capturing what {@code type} logs. */
    public static LogCapture of(Class<?> type) {
        return new LogCapture(type);
    }

    /** The captured events. */
    public List<ILoggingEvent> events() {
        return List.copyOf(this.appender.list);
    }

    /** The formatted messages of the error events, in order. */
    public List<String> errors() {
        return this.appender.list.stream().filter(event -> event.getLevel().levelStr.equals("ERROR"))
                .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    /** The class names of the throwables of the error events, in order. */
    public List<String> errorCauses() {
        return this.appender.list.stream().filter(event -> event.getLevel().levelStr.equals("ERROR"))
                .map(event -> event.getThrowableProxy() == null ? "none" : event.getThrowableProxy().getClassName())
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        this.logger.detachAppender(this.appender);
        this.appender.stop();
    }
}
