package dev.sluice.twisted.paging;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import dev.sluice.file.FileSender;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * Pages a file chunk by chunk, reading one chunk ahead and no more: Twisted's {@code FilePager} (PG-6). It is the
 * consumer of a {@link FileSender}: registering the sender reads the first chunk; each page sent takes the buffered
 * chunk and asks the sender for the next one before the page goes out; the end of the file (or a failure to read it,
 * which is logged) stops paging. An empty file sends no page. Its chunks are the sender's (16 KiB by default).
 *
 * <p>Threads: as a {@link Consumer} it keeps the threading contract. {@code write}, {@code registerProducer} and
 * {@code unregisterProducer} may be called from any thread; they run, with {@link #sendNextPage()} and
 * {@link #stopped()}, on the serial lane of its {@link PageBroker}, so the calls it makes to its sender
 * ({@code resumeProducing}, {@code stopProducing}) are serialized, in order, never under a lock, and a read the sender
 * makes from inside {@code resumeProducing} writes into the pager at once, nested, as in Twisted.
 *
 * <p>Where {@link Consumer}'s contract asks more than Twisted's {@code FilePager} does:
 * <ul>
 *   <li>a second registration while a producer is registered throws {@link IllegalStateException} (the first stays),
 *       and a producer that is not a {@link PushProducer} registered as streaming throws
 *       {@link IllegalArgumentException}; Twisted stores whatever it is given;</li>
 *   <li>only a pull producer is asked for the next chunk: a push producer writes on its own, and, as {@code write}
 *       never answers {@code false}, is never paused, so it is never resumed either;</li>
 *   <li>when the broker's transport goes away ({@link #stopped()}) the registered producer is stopped, not only the
 *       pager's own {@link FileSender}; writes after that are dropped;</li>
 *   <li>paging ends once {@link #stopPaging()} has been called <em>and</em> every chunk written has been sent, so a
 *       chunk read before the end is never lost.</li>
 * </ul>
 */
public final class FilePager extends Pager<ByteBuffer> implements Consumer<ByteBuffer> {

    private static final Log LOG = Log.of(FilePager.class);

    private final Path file;

    private final FileSender sender;

    /** Chunks read and not yet sent; written on the lane, read by {@link #bufferedChunks()} from any thread. */
    private final Queue<ByteBuffer> chunks = new ConcurrentLinkedQueue<>();

    /** The sender while it is registered; confined to the lane. */
    private @Nullable Producer producer;

    /** Whether {@link #producer} was registered as a pull producer; confined to the lane. */
    private boolean pull;

    /** Whether the transport went away ({@link #stopped()}); written on the lane. */
    private volatile boolean gone;

    /** The producer registered as its callers see it, for refusing a second one at the call; any thread. */
    private final AtomicReference<@Nullable Producer> registered = new AtomicReference<>();

    /**
     * Creates a pager over {@code file}; call {@link #start()} to begin.
     *
     * @param broker the broker
     * @param collector where the pages go
     * @param file the file, opened and closed by the pager's {@link FileSender}
     * @param sender the sender that reads the file (its chunk size is the page size); it makes this one transfer
     * @param callback run when paging has ended, or null
     */
    public FilePager(PageBroker broker, PageCollector<? super ByteBuffer> collector, Path file, FileSender sender,
            @Nullable Runnable callback) {
        super(broker, collector, callback);
        this.file = Objects.requireNonNull(file, "file");
        this.sender = Objects.requireNonNull(sender, "sender");
    }

    /** Registers with the broker, then starts reading the file (Twisted's {@code startProducing}). */
    @Override
    public FilePager start() {
        super.start();
        this.sender.beginFileTransfer(this.file, this).whenComplete((last, failure) -> {
            if (failure != null) {
                LOG.warn("FilePager could not read {}; paging ends", this.file, failure);
            }
            stopPaging();
        });
        return this;
    }

    /**
     * Stores the producer and asks a pull producer for the first chunk; a producer registered after the transport went
     * away is stopped.
     *
     * @throws IllegalStateException if a producer is registered already; the first one stays
     * @throws IllegalArgumentException if {@code streaming} is {@code true} and the producer is not a
     *         {@link PushProducer}
     */
    @Override
    public void registerProducer(Producer producer, boolean streaming) {
        Objects.requireNonNull(producer, "producer");
        if (streaming && !(producer instanceof PushProducer)) {
            throw new IllegalArgumentException("a producer registered as streaming must be a PushProducer: " + producer);
        }
        if (!this.registered.compareAndSet(null, producer)) {
            throw new IllegalStateException("a producer is registered already: " + this.registered.get());
        }
        broker().serially(() -> {
            if (this.gone) {
                producer.stopProducing();
                return;
            }
            this.producer = producer;
            this.pull = !streaming;
            if (this.pull) {
                producer.resumeProducing();
            }
        });
    }

    @Override
    public void unregisterProducer() {
        this.registered.set(null);
        broker().serially(() -> this.producer = null);
    }

    /**
     * Buffers a chunk read from the file; the pager asks the file for one chunk per page, so the buffer holds at most
     * one.
     *
     * @return always {@code true}: the pager asks for chunks, it does not need to pause the file
     */
    @Override
    public boolean write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        broker().serially(() -> {
            if (!this.gone) {
                this.chunks.add(data);
            }
        });
        return true;
    }

    /** Sends the buffered chunk after asking for the next one; sends nothing when no chunk is buffered. */
    @Override
    public void sendNextPage() {
        broker().serially(() -> {
            ByteBuffer chunk = this.chunks.poll();
            if (chunk == null) {
                return;
            }
            Producer reader = this.producer;
            if (reader != null && this.pull) {
                reader.resumeProducing(); // read one ahead; at the end this unregisters and stops paging
            }
            send(chunk);
        });
    }

    /** The number of chunks read and not yet sent: never more than one. */
    public int bufferedChunks() {
        return this.chunks.size();
    }

    /** Whether paging goes on: until {@link #stopPaging()} has been called and no chunk is left to send. */
    @Override
    public boolean stillPaging() {
        if (!this.chunks.isEmpty() && !this.gone) {
            return true;
        }
        return super.stillPaging();
    }

    /** Stops the registered producer and the file transfer, which closes the file; later writes are dropped. */
    @Override
    protected void stopped() {
        broker().serially(() -> {
            this.gone = true;
            Producer registeredProducer = this.producer;
            this.producer = null;
            this.chunks.clear();
            if (registeredProducer != null && registeredProducer != this.sender) {
                registeredProducer.stopProducing();
            }
            this.sender.stopProducing();
        });
    }
}
