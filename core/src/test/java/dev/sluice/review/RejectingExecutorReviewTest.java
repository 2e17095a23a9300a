package dev.sluice.review;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/threading.md, executors: "rejects, or throws anything from execute | logged at ERROR once, the consumer fails
 * with that exception". A producer that keeps writing after the failure (writes are accepted and dropped) makes the
 * consumer hand its loop to the rejecting executor again on every write, and log an ERROR with a stack trace each time.
 */
class RejectingExecutorReviewTest {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void attach() {
        this.appender.start();
        this.root.addAppender(this.appender);
    }

    @AfterEach
    void detach() {
        this.root.detachAppender(this.appender);
    }

    @Test
    void aRejectingExecutorIsLoggedAtErrorOnce() {
        AtomicInteger executions = new AtomicInteger();
        Executor rejecting = task -> {
            executions.incrementAndGet();
            throw new RejectedExecutionException("pool shut down");
        };
        BufferedConsumer<String> consumer = BufferedConsumer.<String>builder(item -> true).name("rejected")
                .waterMarks(new WaterMarks(4, 2)).drainOn(rejecting).build();
        for (int i = 0; i < 1000; i++) {
            consumer.write("x");
        }
        assertThat(consumer.whenClosed()).isCompletedExceptionally();
        List<ILoggingEvent> errors = this.appender.list.stream().filter(event -> event.getLevel() == Level.ERROR)
                .toList();
        assertThat(errors).as("ERROR lines logged for one rejecting executor (it was asked %s times)", executions.get())
                .hasSizeLessThanOrEqualTo(1);
    }
}
