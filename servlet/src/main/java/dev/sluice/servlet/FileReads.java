package dev.sluice.servlet;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that read files for every file transfer of an application: at most {@link #threads()} reads run at once,
 * whatever the number of transfers, and each transfer has at most one read task queued or running, so the queue never
 * holds more tasks than there are transfers. A transfer reads a few chunks per task, then gives the thread to the
 * next, so a fast client does not starve slow ones. Reading is blocking I/O (usually served from the page cache), which
 * is why it runs here and not on a container or cooperator thread.
 *
 * <p>Threads are daemons named {@code sluice-file-read-N}, started when needed and ended after 30 s idle.
 * {@link #close()} lets queued reads finish and refuses new ones.
 */
public final class FileReads implements Executor, AutoCloseable {

    /** The default number of threads: 8. */
    public static final int DEFAULT_THREADS = 8;

    private final ThreadPoolExecutor executor;

    /** Reads on {@value #DEFAULT_THREADS} threads at most. */
    public FileReads() {
        this(DEFAULT_THREADS);
    }

    /**
     * Reads on {@code threads} threads at most.
     *
     * @param threads how many reads may run at once
     * @throws IllegalArgumentException if {@code threads} is not positive
     */
    public FileReads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("File read threads must be positive, was " + threads);
        }
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new Named());
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs a read task.
     *
     * @throws RejectedExecutionException once closed
     */
    @Override
    public void execute(Runnable task) {
        this.executor.execute(task);
    }

    /** The most reads that run at once. */
    public int threads() {
        return this.executor.getMaximumPoolSize();
    }

    /** The threads alive now. */
    public int liveThreads() {
        return this.executor.getPoolSize();
    }

    /** Refuses new reads; queued ones still run. */
    @Override
    public void close() {
        this.executor.shutdown();
    }

    @Override
    public String toString() {
        return "FileReads[" + threads() + " threads]";
    }

    private static final class Named implements ThreadFactory {

        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "sluice-file-read-" + this.count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
