package dev.sluice.servlet;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;
import dev.sluice.Weigher;
import dev.sluice.internal.Log;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
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
 * completing the request on its own all mean the client has gone: the consumer {@linkplain
 * BufferedConsumer#connectionLost loses its connection}, which stops the registered producer (a file producer closes
 * its file), and the whole event costs one DEBUG line, since a client that hangs up is routine for a download. A
 * transfer cut by a timeout (the container's write or idle timeout, or the {@code AsyncContext}'s) is one INFO line
 * instead, naming the setting: the client may have been reading, only slower than the timeout allows. What
 * was still buffered for that client is discarded by this sink and counted in {@link #undeliveredBytes()} (so the
 * consumer does not log it as lost data: nothing went wrong on the server).
 *
 * <p>A transfer that fails on the server side ({@link #finish(Throwable)} with a failure, or an operator's stop, which
 * aborts the consumer) must not look complete to the client. If nothing was committed yet, the answer becomes an empty
 * 500. Otherwise the response is aborted: if the request carries a
 * {@link ConnectionCloser} under {@link ConnectionCloser#ATTRIBUTE} (on Tomcat, installed by
 * {@link dev.sluice.servlet.tomcat.ConnectionCloserValve}, which the Spring Boot starter registers), the connection is
 * closed at once, so the client sees a reset connection or an unterminated chunked body. Without one, the request is
 * completed short: with a {@code Content-Length}, the client sees fewer bytes than announced; a chunked response,
 * however, would look complete, so install a closer where responses of unknown length can fail.
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

    /**
     * The request attribute (an {@link Integer}) that names the largest write the container takes without copying what
     * the socket does not: on Tomcat, its socket write buffer ({@code socket.appWriteBufSize}), put there by
     * {@link dev.sluice.servlet.tomcat.ConnectionCloserValve}. A consumer whose {@link Builder#maxWrite(int)} was not set
     * writes at most that much at a time instead of {@link #DEFAULT_MAX_WRITE}: a larger non-blocking write that finds
     * the socket full makes Tomcat copy the rest into a new 64 KiB heap buffer.
     */
    public static final String WRITE_SIZE_ATTRIBUTE = ServletOutputConsumer.class.getName() + ".writeSize";

    private static final Log log = Log.of(ServletOutputConsumer.class);

    private static final String TOMCAT_CONNECTOR = "org.apache.catalina.connector.";

    /**
     * How soon after a write the container must call {@code onWritePossible} for the client to count as keeping up:
     * 10 ms, a write size of 32 KiB at 3.2 MB/s. A slow client takes seconds.
     */
    static final long QUICK_CYCLE_NANOS = 10_000_000;

    /** The container's {@code onWritePossible} calls to all instances, for measurements (the load driver's). */
    static final LongAdder writePossibleCalls = new LongAdder();

    private final HttpServletRequest request;

    private final HttpServletResponse response;

    /** Set before the listener is: only the drain loop reads it afterwards. */
    private int maxWrite;

    private final boolean maxWriteSet;

    private final Duration timeout;

    /** Where a buffer goes once the container has copied all of it, or null to leave it to its producer. */
    private final @Nullable ChunkPool recycle;

    /**
     * Whether a direct buffer is written whole with {@code write(ByteBuffer)}, which the container sends by reference
     * (a {@link MappedFileOutput}), instead of through an array.
     */
    private final boolean writesDirect;

    private final AtomicBoolean completed = new AtomicBoolean();

    private final Listener listener = new Listener();

    private volatile @Nullable BufferedConsumer<ByteBuffer> consumer;

    private volatile @Nullable AsyncContext async;

    private volatile @Nullable ServletOutputStream out;

    /** Set by the container's first onWritePossible; nothing is written before. */
    private volatile boolean writable;

    /** Set when the drain loop has closed the sink: from then on only finishing touches the stream. */
    private volatile boolean closing;

    /**
     * Set when the client has gone or the response is being abandoned: from then on the sink takes whatever it is
     * offered without writing it, and counts it as undelivered.
     */
    private final AtomicReference<@Nullable Throwable> discarding = new AtomicReference<>();

    private volatile boolean clientGone;

    private final LongSupplier clock;

    /** When the drain loop last wrote to the container ({@link #clock} time), or 0 before the first write. */
    private volatile long lastWrite;

    /** Whether the container got the last write out within {@link #QUICK_CYCLE_NANOS}. */
    private volatile boolean quickCycle;

    private final LongAdder undelivered = new LongAdder();

    /** Drain loop only: for buffers without an accessible array. */
    private byte @Nullable [] scratch;

    /**
     * Whether the container copies the bytes of a non-blocking write that it cannot send at once (Tomcat does), so a
     * buffer may be reused as soon as {@code write} returns. Other containers (Jetty) may keep the array until
     * {@code isReady()} is true again, so the buffer is held until then.
     */
    private volatile boolean copiesWrites;

    /** Drain loop only: the buffer of the last write, which the container may still be reading. */
    private @Nullable ByteBuffer held;

    private ServletOutputConsumer(Builder builder) {
        this.request = builder.request;
        this.response = builder.response;
        this.maxWrite = builder.maxWrite;
        this.maxWriteSet = builder.maxWriteSet;
        this.timeout = builder.timeout;
        this.recycle = builder.recycle;
        this.writesDirect = builder.writesDirect;
        this.clock = builder.clock;
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
     * {@code null}; otherwise at once, discarding what is buffered and aborting the response (see the class
     * description), unless the client has gone already, in which case there is nothing left to do. Suits a
     * {@code whenComplete} on a producer's future. Logs nothing: the caller knows whether the failure deserves a
     * line.
     *
     * @param failure why the producer failed, or {@code null}
     */
    public void finish(@Nullable Throwable failure) {
        BufferedConsumer<ByteBuffer> target = consumer();
        if (failure == null) {
            target.loseConnection();
        }
        else if (startDiscarding(failure)) {
            target.stopProducer(); // first: a pull producer is not asked for the rest of its body by the discard
            target.drain(); // the drain loop takes what is buffered into the discard
            target.abortConnection();
        }
    }

    /** Whether the client went away before the response was complete. */
    public boolean isClientGone() {
        return this.clientGone;
    }

    /**
     * The bytes the consumer passed to this sink that never reached the client, because the client had gone or the
     * response was aborted.
     */
    public long undeliveredBytes() {
        return this.undelivered.sum();
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
    public boolean offer(ByteBuffer item) {
        if (this.discarding.get() != null) {
            return discard(item);
        }
        if (!this.writable) {
            return false; // onWritePossible has not come yet: it will, and it drains
        }
        ServletOutputStream stream = Objects.requireNonNull(this.out);
        try {
            while (item.hasRemaining()) {
                if (!stream.isReady()) {
                    return false;
                }
                releaseHeld(); // ready: the container has finished every write before
                if (this.writesDirect && item.isDirect()) {
                    // whole and by reference: the container reads the duplicate until isReady() is true again
                    ByteBuffer whole = item.duplicate();
                    item.position(item.limit());
                    stream.write(whole);
                    break;
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
                this.lastWrite = this.clock.getAsLong();
            }
        }
        catch (IOException | RuntimeException failure) {
            clientGone(failure);
            return discard(item);
        }
        if (this.recycle != null) {
            if (this.copiesWrites) {
                this.recycle.give(item); // the container copied what it could not send at once
            }
            else {
                this.held = item; // the container may still read the array: given back at the next isReady()
            }
        }
        return true;
    }

    /**
     * How many bytes the producer should read next for this sink, or 0 for no advice: the write size while the client
     * keeps up, i.e. while the container calls {@code onWritePossible} within {@link #QUICK_CYCLE_NANOS} of a write.
     * On Tomcat every non-blocking write ends with a call of {@code onWritePossible} through its poller, so a write as
     * large as the container takes without copying (its socket write buffer) halves that cost per byte against a
     * chunk of half that size. A slow client gets no advice: it holds one configured chunk, not a write size.
     */
    int readSizeHint() {
        return this.quickCycle ? this.maxWrite : 0;
    }

    /** Gives the buffer of the last write back to the pool: the container has said it is ready again. */
    private void releaseHeld() {
        ByteBuffer last = this.held;
        if (last != null) {
            this.held = null;
            Objects.requireNonNull(this.recycle).give(last);
        }
    }

    private boolean discard(ByteBuffer item) {
        this.undelivered.add(item.remaining());
        item.position(item.limit());
        return true;
    }

    /** The clean end: completes the request once the container has flushed what it holds. */
    @Override
    public void close() {
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

    private synchronized void completeWhenFlushed() {
        if (this.completed.get()) {
            return;
        }
        ServletOutputStream stream = Objects.requireNonNull(this.out);
        try {
            if (!this.writable || !stream.isReady()) {
                return; // onWritePossible comes back here
            }
            stream.flush();
            if (!stream.isReady()) {
                return;
            }
        }
        catch (IOException | RuntimeException failure) {
            // the consumer has closed already: only the last flush failed to reach the client
            if (startDiscarding(failure)) {
                this.clientGone = true;
                log.debug("Client of '{}' went away before the last bytes were flushed ({})", consumer().name(),
                        failure.toString());
            }
        }
        complete();
    }

    private void complete() {
        if (this.completed.compareAndSet(false, true)) {
            try {
                Objects.requireNonNull(this.async).complete();
            }
            catch (IllegalStateException alreadyOver) {
                // the container ended the request first (the client went away, or a timeout): nothing left to end
            }
        }
    }

    private boolean startDiscarding(Throwable reason) {
        return this.discarding.compareAndSet(null, reason);
    }

    /**
     * The client has gone. The consumer is drained into the discard before it loses its connection, so that it has
     * nothing left to drop and log; the one line for the event is written when the consumer has closed.
     */
    private void clientGone(Throwable reason) {
        if (startDiscarding(reason)) {
            this.clientGone = true;
            BufferedConsumer<ByteBuffer> target = this.consumer;
            if (target != null) {
                target.stopProducer(); // first: a pull producer is not asked for the rest of its body by the discard
                target.drain();
                target.connectionLost(reason);
            }
        }
    }

    private void closed(Throwable failure) {
        BufferedConsumer<ByteBuffer> target = consumer();
        if (this.clientGone) {
            Throwable why = this.discarding.get();
            if (timedOut(why)) {
                log.info("Transfer of '{}' was cut by a timeout after {} bytes: the client took no bytes for as long "
                        + "as the container waits for a write (Tomcat: server.tomcat.connection-timeout, Jetty: "
                        + "server.jetty.connection-idle-timeout; a large socket send buffer can hold a slow reader "
                        + "that long); {} buffered bytes were not delivered ({})", target.name(),
                        target.sentUnits() - undeliveredBytes(), undeliveredBytes(), String.valueOf(why));
            }
            else {
                log.debug("Client of '{}' went away after {} bytes; {} buffered bytes were not delivered ({})",
                        target.name(), target.sentUnits() - undeliveredBytes(), undeliveredBytes(),
                        String.valueOf(why));
            }
        }
        else if (!failInstead()) {
            Throwable reason = this.discarding.get();
            closeConnection((reason != null) ? reason : failure);
        }
        complete();
    }

    /** Whether the client went away because the container (or the async context) timed out a write. */
    static boolean timedOut(@Nullable Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.SocketTimeoutException || cause instanceof TimeoutException
                    || cause instanceof java.nio.channels.InterruptedByTimeoutException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * Turns a response that has not been committed yet into an empty 500, which tells the client as much as a broken
     * connection and more plainly; false if it was committed.
     */
    private boolean failInstead() {
        if (this.response.isCommitted()) {
            return false;
        }
        try {
            this.response.reset();
            this.response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            this.response.setContentLength(0);
            return true;
        }
        catch (IllegalStateException committedMeanwhile) {
            return false;
        }
    }

    /** Closes the connection at once, if a {@link ConnectionCloser} is there and the request is not over yet. */
    private void closeConnection(Throwable failure) {
        if (this.completed.get()) {
            return;
        }
        if (this.request.getAttribute(ConnectionCloser.ATTRIBUTE) instanceof ConnectionCloser closer) {
            try {
                closer.closeNow(failure);
            }
            catch (RuntimeException ex) {
                log.debug("Could not close the connection of '{}' at once: {}", consumer().name(), ex.toString());
            }
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
        this.copiesWrites = copiesWrites(this.response, stream);
        if (!this.maxWriteSet && this.request.getAttribute(WRITE_SIZE_ATTRIBUTE) instanceof Integer size && size > 0) {
            this.maxWrite = size;
        }
        this.async = context;
        context.setTimeout(this.timeout.toMillis());
        context.addListener(this.listener);
        built.whenClosed().whenComplete((done, failure) -> {
            if (failure != null) {
                closed(failure); // lost or aborted: end the response short
            }
        });
        stream.setWriteListener(this.listener);
    }

    /**
     * Whether the container is Tomcat, which copies what a non-blocking write leaves: its output stream, or the
     * response under any wrappers (Spring MVC wraps the response and its stream of every asynchronous request).
     */
    private static boolean copiesWrites(ServletResponse response, ServletOutputStream stream) {
        ServletResponse inner = response;
        while (inner instanceof ServletResponseWrapper wrapper) {
            inner = wrapper.getResponse();
        }
        return stream.getClass().getName().startsWith(TOMCAT_CONNECTOR)
                || inner.getClass().getName().startsWith(TOMCAT_CONNECTOR);
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
            writePossibleCalls.increment();
            ServletOutputConsumer.this.writable = true;
            if (ServletOutputConsumer.this.closing) {
                completeWhenFlushed();
                return;
            }
            long wrote = ServletOutputConsumer.this.lastWrite;
            ServletOutputConsumer.this.quickCycle = wrote != 0
                    && ServletOutputConsumer.this.clock.getAsLong() - wrote < QUICK_CYCLE_NANOS;
            consumer().drain();
        }

        @Override
        public void onError(Throwable failure) {
            clientGone(failure);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (ServletOutputConsumer.this.completed.compareAndSet(false, true)) {
                clientGone(new EOFException("The container completed the response before the data was sent"));
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            clientGone(new TimeoutException("The asynchronous request timed out after "
                    + ServletOutputConsumer.this.timeout));
            completeFromListener(event);
        }

        @Override
        public void onError(AsyncEvent event) {
            Throwable failure = event.getThrowable();
            clientGone((failure != null) ? failure : new IOException("The asynchronous request failed"));
            completeFromListener(event);
        }

        /**
         * Completes the request from inside the container's error or timeout callback, even if it was completed
         * before: a listener that does not complete there makes the container dispatch to its error page, which would
         * write an error body into the committed response.
         */
        private void completeFromListener(AsyncEvent event) {
            ServletOutputConsumer.this.completed.set(true);
            try {
                event.getAsyncContext().complete();
            }
            catch (IllegalStateException alreadyOver) {
                // nothing left to end
            }
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

        private boolean maxWriteSet;

        private Duration timeout = Duration.ZERO;

        private @Nullable ChunkPool recycle;

        private boolean writesDirect;

        private LongSupplier clock = System::nanoTime;

        private Builder(HttpServletRequest request, HttpServletResponse response) {
            this.request = Objects.requireNonNull(request, "request");
            this.response = Objects.requireNonNull(response, "response");
        }

        /**
         * The largest single write to the container, which buffers at most that much beyond {@code isReady()}.
         * Default: the request's {@link #WRITE_SIZE_ATTRIBUTE} where it has one, else {@value #DEFAULT_MAX_WRITE}
         * bytes.
         */
        public Builder maxWrite(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxWrite must be positive, was " + bytes);
            }
            this.maxWrite = bytes;
            this.maxWriteSet = true;
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
         * Hands each buffer to {@code pool}, for its producer to reuse, once the container is done with its bytes: at
         * once on a container that copies what it cannot send (Tomcat), else when {@code isReady()} is next true.
         */
        Builder recycleTo(ChunkPool pool) {
            this.recycle = Objects.requireNonNull(pool, "pool");
            return this;
        }

        /**
         * Writes each direct buffer whole with {@code ServletOutputStream.write(ByteBuffer)}, for a container that
         * sends it by reference and keeps it until {@code isReady()} is true again (a {@link MappedFileOutput}); the
         * producer must not touch a buffer it has written.
         */
        Builder writeDirectBuffersWhole() {
            this.writesDirect = true;
            return this;
        }

        /** The clock of {@link ServletOutputConsumer#readSizeHint()}, in nanoseconds (tests). */
        Builder clock(LongSupplier nanos) {
            this.clock = Objects.requireNonNull(nanos, "nanos");
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
