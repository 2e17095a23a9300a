package dev.sluice.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extra threads of a test: daemon threads named after the test, shut down and waited for (10 s at most) by
 * {@link #close()}, which a test calls from its {@code @AfterEach}.
 */
public final class TestThreads implements AutoCloseable {

    private final ExecutorService pool;

    /** A cached pool whose threads are called {@code name-1}, {@code name-2}, ... */
    public TestThreads(String name) {
        this.pool = Executors.newCachedThreadPool(daemon(name));
    }

    /** A factory of daemon threads called {@code name-1}, {@code name-2}, ... */
    public static ThreadFactory daemon(String name) {
        AtomicLong count = new AtomicLong();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Runs {@code task} on a thread of its own. */
    public Future<?> submit(Runnable task) {
        return this.pool.submit(task);
    }

    /** Runs {@code task} on a thread of its own. */
    public <T> Future<T> submit(Callable<T> task) {
        return this.pool.submit(task);
    }

    /** Interrupts the threads and checks that they end within 10 s. */
    @Override
    public void close() {
        this.pool.shutdownNow();
        try {
            assertThat(this.pool.awaitTermination(10, TimeUnit.SECONDS)).as("test threads ended").isTrue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the test threads to end", ex);
        }
    }
}
