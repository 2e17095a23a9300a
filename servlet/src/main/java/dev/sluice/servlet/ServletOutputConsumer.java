package dev.sluice.servlet;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.Weigher;
import dev.sluice.internal.Log;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BufferedConsumer} of bytes whose sink is a servlet response in non-blocking mode (Servlet 3.1
 * {@link WriteListener} and {@link ServletOutputStream#isReady()}): a slow client fills the consumer's buffer, which
 * pauses the producer, instead of the heap or a blocked thread. In a controller:
 *
 * <pre>{@code
 * response.setContentLengthLong(Files.size(file));
 * ServletOutputConsumer out = ServletOutputConsumer.on(request, response)
 *         .start(sink -> consumers.create("downloads", sink));   // a BufferedConsumerFactory, or any builder
 * new FileSender().beginFileTransfer(file, out.consumer())
 *         .whenComplete((last, failure) -> out.finish(failure));
 * }</pre>
 *
 * <h2>How it works</h2>
 * {@link Builder#start} builds the consumer around this sink, puts the request in asynchronous mode and sets this
 * object as the output's {@link WriteListener}. The consumer's drain loop calls {@link #offer}, which writes while
 * {@code isReady()} is true, at most {@linkplain Builder#maxWrite(int) one write size} at a time, and returns
 * {@code false} as soon as it is not; the container then calls {@link WriteListener#onWritePossible()}, which calls
 * {@link BufferedConsumer#drain()}. Nothing is written before the container's first {@code onWritePossible}. A clean
 * end ({@link BufferedConsumer#loseConnection()}, or {@link #finish(Throwable)} with {@code null}) lets the buffer
 * drain, waits until the container has flushed what it holds ({@code isReady()} is true again) and completes the
 * {@link AsyncContext}.
 *
 * <h2>Failures</h2>
 * A write that fails, {@link WriteListener#onError}, an {@link AsyncListener} error or timeout, or the container
 * completing the request on its own (the client went away) all call {@link BufferedConsumer#connectionLost}: the
 * registered producer is stopped (a {@code FileSender} closes its file) and what is buffered is dropped and counted.
 * Whenever the consumer ends other than cleanly (lost, or {@linkplain BufferedConsumer#abortConnection() aborted}),
 * the {@code AsyncContext} is completed, so the response ends short of its {@code Content-Length} and the client sees
 * a truncated transfer, never a complete-looking one.
 *
 * <h2>Threads</h2>
 * The servlet specification allows one thread at a time to touch a non-blocking output stream. Here the only writer
 * is the consumer's drain loop, which runs on one thread at a time (whichever thread writes or calls
 * {@code drain()}: a producer's thread, or a container thread inside {@code onWritePossible}), and every
 * {@code isReady()}, {@code write()} and {@code flush()} happens on it, or, once the drain loop has closed the sink, under
 * this object's monitor. {@code onWritePossible} itself only calls {@code drain()}, which never blocks.
 *
 * <h2>Timeouts</h2>
 * The {@code AsyncContext} timeout is {@linkplain Builder#timeout(Duration) zero (none)} by default, since a long
 * download to a slow client is normal. A client that stops reading altogether is still dropped by the container
 * when a pending write exceeds its socket write timeout, which reaches {@code onError}.
 */
public final class ServletOutputConsumer implements Sink<ByteBuffer> {

    /** The largest single write by default: 16 KiB, a {@code FileSender} chunk. */
    public static final int DEFAULT_MAX_WRITE = 16 * 1024;

    private static final Log log = Log.of(ServletOutputConsumer.class);

    private final HttpServletRequest request;

    private final HttpServletResponse response;

    private final int maxWrite;

    private final Duration timeout;

    private final AtomicBoolean completed = new AtomicBoolean();

    private final Listener listener = new Listener();

    private volatile @Nullable BufferedConsumer<ByteBuffer> consumer;

    private volatile @Nullable AsyncContext async;

    private volatile @Nullable ServletOutputStream out;

    /** Set by the container's first onWritePossible; nothing is written before. */
    private volatile boolean writable;

    /** Set when the drain loop has closed the sink: from then on only finishing touches the stream. */
    private volatile boolean closing;

    /** Drain loop only: for buffers without an accessible array. */
    private byte @Nullable [] scratch;

    private ServletOutputConsumer(Builder builder) {
        this.request = builder.request;
        this.response = builder.response;
        this.maxWrite = builder.maxWrite;
        this.timeout = builder.timeout;
    }

    /**
     * Starts configuring a consumer on {@code response}.
     *
     * @param request the request, which will be put in asynchronous mode
     * @param response the response, whose status and headers must be set before {@link Builder#start}
     * @return a builder
     */
    public static Builder on(HttpServletRequest request, HttpServletResponse response) {
        return new Builder(request, response);
    }

    /** The consumer to register a producer with and to write to. */
    public BufferedConsumer<ByteBuffer> consumer() {
        return Objects.requireNonNull(this.consumer, "not started");
    }

    /**
     * Ends the response after the producer has finished: cleanly, letting the buffer drain, when {@code failure} is
     * {@code null}; at once, dropping the buffer and truncating the response, otherwise. Suits a
     * {@code whenComplete} on a producer's future.
     *
     * @param failure why the producer failed, or {@code null}
     */
    public void finish(@Nullable Throwable failure) {
        BufferedConsumer<ByteBuffer> target = consumer();
        if (failure == null) {
            target.loseConnection();
        }
        else {
            log.debug("Response of consumer '{}' ends early: {}", target.name(), failure.toString());
            target.abortConnection();
        }
    }

    /** Whether the asynchronous request has been completed, by this object or by the container. */
    public boolean isCompleted() {
        return this.completed.get();
    }

    /**
     * Writes {@code item} while the output is ready; returns {@code false}, with the buffer's position at what is left,
     * when it is not (the container then calls {@code onWritePossible}, which drains again).
     */
    @Override
    public boolean offer(ByteBuffer item) throws IOException {
        if (!this.writable) {
            return false; // onWritePossible has not come yet: it will, and it drains
        }
        ServletOutputStream stream = Objects.requireNonNull(this.out);
        while (item.hasRemaining()) {
            if (!stream.isReady()) {
                return false;
            }
            int length = Math.min(item.remaining(), this.maxWrite);
            if (item.hasArray()) {
                stream.write(item.array(), item.arrayOffset() + item.position(), length);
                item.position(item.position() + length);
            }
            else {
                byte[] copy = scratch(length);
                item.get(copy, 0, length);
                stream.write(copy, 0, length);
            }
        }
        return true;
    }

    /** The clean end: completes the request once the container has flushed what it holds. */
    @Override
    public void close() throws IOException {
        this.closing = true;
        completeWhenFlushed();
    }

    /** The consumer was aborted: the whenClosed hook completes the request. */
    @Override
    public void abort() {
    }

    private byte[] scratch(int length) {
        byte[] copy = this.scratch;
        if (copy == null || copy.length < length) {
            copy = new byte[Math.max(length, Math.min(this.maxWrite, DEFAULT_MAX_WRITE))];
            this.scratch = copy;
        }
        return copy;
    }

    private synchronized void completeWhenFlushed() throws IOException {
        if (this.completed.get()) {
            return;
        }
        ServletOutputStream stream = Objects.requireNonNull(this.out);
        if (!this.writable || !stream.isReady()) {
            return; // onWritePossible comes back here
        }
        stream.flush();
        if (stream.isReady()) {
            complete();
        }
    }

    private void complete() {
        if (this.completed.compareAndSet(false, true)) {
            try {
                Objects.requireNonNull(this.async).complete();
            }
            catch (IllegalStateException alreadyOver) {
                log.debug("Async request was already over: {}", alreadyOver.toString());
            }
        }
    }

    private void lost(Throwable reason) {
        BufferedConsumer<ByteBuffer> target = this.consumer;
        if (target != null) {
            target.connectionLost(reason);
        }
    }

    private void begin(Function<? super Sink<ByteBuffer>, BufferedConsumer<ByteBuffer>> factory) throws IOException {
        BufferedConsumer<ByteBuffer> built = Objects.requireNonNull(factory.apply(this), "factory returned null");
        this.consumer = built;
        ServletOutputStream stream;
        AsyncContext context;
        try {
            stream = this.response.getOutputStream();
            context = this.request.isAsyncStarted() ? this.request.getAsyncContext()
                    : this.request.startAsync(this.request, this.response);
        }
        catch (IOException | RuntimeException ex) {
            this.completed.set(true);
            built.abortConnection(); // nothing started: leave no consumer behind
            throw ex;
        }
        this.out = stream;
        this.async = context;
        context.setTimeout(this.timeout.toMillis());
        context.addListener(this.listener);
        built.whenClosed().whenComplete((closed, failure) -> {
            if (failure != null) {
                complete(); // lost or aborted: end the response short
            }
        });
        stream.setWriteListener(this.listener);
    }

    @Override
    public String toString() {
        BufferedConsumer<ByteBuffer> target = this.consumer;
        return "ServletOutputConsumer[" + ((target != null) ? target.name() : "not started") + "]";
    }

    /** The container's callbacks, kept off the public surface. */
    private final class Listener implements WriteListener, AsyncListener {

        @Override
        public void onWritePossible() throws IOException {
            ServletOutputConsumer.this.writable = true;
            if (ServletOutputConsumer.this.closing) {
                completeWhenFlushed();
            }
            else {
                consumer().drain();
            }
        }

        @Override
        public void onError(Throwable failure) {
            log.debug("Write to the client of consumer '{}' failed: {}", consumer().name(), failure.toString());
            lost(failure);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (ServletOutputConsumer.this.completed.compareAndSet(false, true)) {
                lost(new EOFException("The container completed the response before the data was sent"));
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            lost(new TimeoutException("The asynchronous request timed out after " + ServletOutputConsumer.this.timeout));
            complete();
        }

        @Override
        public void onError(AsyncEvent event) {
            Throwable failure = event.getThrowable();
            lost((failure != null) ? failure : new IOException("The asynchronous request failed"));
            complete();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }

    /** Configures and starts a {@link ServletOutputConsumer}. */
    public static final class Builder {

        private final HttpServletRequest request;

        private final HttpServletResponse response;

        private int maxWrite = DEFAULT_MAX_WRITE;

        private Duration timeout = Duration.ZERO;

        private Builder(HttpServletRequest request, HttpServletResponse response) {
            this.request = Objects.requireNonNull(request, "request");
            this.response = Objects.requireNonNull(response, "response");
        }

        /**
         * The largest single write to the container, which buffers at most that much beyond {@code isReady()}.
         * Default {@value #DEFAULT_MAX_WRITE} bytes.
         */
        public Builder maxWrite(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxWrite must be positive, was " + bytes);
            }
            this.maxWrite = bytes;
            return this;
        }

        /** The {@link AsyncContext} timeout; zero (the default) for none. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Starts: builds the consumer with {@code factory}, which is given this object as the sink (build it with
         * {@link Weigher#bytes()} or the standard weigher, so that water marks are in bytes), then puts the request
         * in asynchronous mode and listens to the output. If the factory throws, nothing has started.
         *
         * @param factory makes the consumer around a sink, such as {@code sink -> factory.create(name, sink)}
         * @return the started consumer
         * @throws IOException if the response's output stream cannot be had
         */
        public ServletOutputConsumer start(
                Function<? super Sink<ByteBuffer>, BufferedConsumer<ByteBuffer>> factory) throws IOException {
            Objects.requireNonNull(factory, "factory");
            ServletOutputConsumer started = new ServletOutputConsumer(this);
            started.begin(factory);
            return started;
        }

        /**
         * Starts with a plain consumer: {@code BufferedConsumer.builder(sink).name(name).weigher(Weigher.bytes())}
         * with default water marks.
         *
         * @param name the consumer's name
         * @return the started consumer
         * @throws IOException if the response's output stream cannot be had
         */
        public ServletOutputConsumer start(String name) throws IOException {
            return start(sink -> BufferedConsumer.builder(sink).name(name).weigher(Weigher.bytes()).build());
        }
    }
}
