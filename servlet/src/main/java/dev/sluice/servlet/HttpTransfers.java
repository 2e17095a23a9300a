package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import dev.sluice.BufferedConsumer;
import dev.sluice.WaterMarks;
import dev.sluice.Weigher;
import dev.sluice.file.FileTransferStoppedException;
import dev.sluice.internal.Log;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.twisted.web2.ByteStream;
import dev.sluice.twisted.web2.StreamToConsumer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

/**
 * Sends {@link SluiceBody} responses: the HTTP semantics described there, then the body through a
 * {@link ServletOutputConsumer}, so that a slow client pauses its producer instead of filling the heap or holding a
 * thread. Needs no Spring: in a plain servlet, {@code transfers.send(SluiceBody.file(path), request, response)};
 * Spring MVC controllers return the body and the starter's return-value handler calls this.
 *
 * <h2>One transfer</h2>
 * Statuses and headers are decided on the calling thread from the file's attributes, once the file has been opened
 * (an unreadable file is a 403 for every method and condition; the file is read only when a body is to be sent,
 * never for HEAD, 304, 412, 416). Then the request goes asynchronous and the method returns: a
 * file is read on the shared {@link FileReads} by a push producer that the consumer pauses above its high-water mark
 * ({@code fileWaterMarks} of the transfer's group) and resumes at the low one, in chunk buffers that are reused once
 * the container has copied them; a stream or producer body runs as it
 * writes. Each transfer is in the registry while it runs (see {@link SluiceBody}).
 *
 * <h2>Zero-copy</h2>
 * Where the request carries a {@link KernelFileSender} that is {@linkplain KernelFileSender#available() available}
 * (on Tomcat's NIO connector over plain HTTP/1.1, put there by {@link dev.sluice.servlet.tomcat.SendfileValve}), a
 * file body of one region (the whole file or a single range) of at least {@value #KERNEL_MIN_BYTES} bytes is handed to
 * the container's sendfile once the headers are set: no chunk is read into the heap, no thread waits, the request
 * does not go asynchronous. It is still an instance of its registry group while it runs: its consumer's sent count
 * follows the kernel's progress (read every {@value KernelFileTransfer#POLL_MILLIS} ms), it leaves the registry when
 * the kernel has sent the last byte or the connection closed, and an operator's stop closes the connection. The
 * registry cannot show a buffer (there is none: the socket is the consumer) or a pause (the kernel sends as fast as the
 * client reads; a hold does not slow it). A file that shrinks makes the container close the connection early: one WARN
 * line, as below.
 *
 * <p>Where instead the request carries a {@link MappedFileOutput} that names a {@linkplain MappedFileOutput#target
 * target} response (on Jetty 12 over plain HTTP/1.x with no compression, put there by
 * {@link dev.sluice.servlet.jetty.MappedOutputFilter}), such a body goes the non-blocking way below but from
 * memory-mapped slices of the file ({@value MappedRegionProducer#SLICE_BYTES} bytes each), each written whole with
 * {@code ServletOutputStream.write(ByteBuffer)}, which Jetty hands to the socket by reference: no file byte is read
 * into the heap, no chunk is taken per client, and the kernel copies from the page cache. The size of the file is
 * checked before each slice is mapped. The transfer is the same registry instance as a non-blocking one: its consumer
 * counts the bytes handed to Jetty (up to a slice ahead of the client) and holds at most one mapped slice (address
 * space, not heap), a pause stops the mapping, an operator's stop or hold acts as on the non-blocking path; a write
 * that fails because the file shrank under the slice being written is a WARN naming the file, as below, not a client
 * going away.
 *
 * <p>Under TLS, for several ranges, smaller bodies, or {@code SluiceBody.zeroCopy(false)}, the file takes the
 * non-blocking path.
 *
 * <h2>Endings</h2>
 * <ul>
 *   <li>Complete: the response completes once the container has flushed the last byte.</li>
 *   <li>The client goes away: the producer is stopped and the file closed; one DEBUG line.</li>
 *   <li>The transfer fails (a read fails, the file shrinks, a producer fails, or writes another length than
 *       announced; a file that grows is sent at the length announced): one WARN line naming the cause, and the response is aborted (see {@link ServletOutputConsumer}),
 *       never completed short. A stop through the registry aborts too, with a DEBUG line.</li>
 * </ul>
 */
public final class HttpTransfers {

    /** The registry group of a transfer that names none and gets no default from its caller. */
    public static final String DEFAULT_GROUP = "http";

    private static final Log log = Log.of(HttpTransfers.class);

    /**
     * The smallest body sent by the container's sendfile: below it, the non-blocking path costs less than a poller
     * registration (Tomcat's {@code DefaultServlet} uses the same 48 KiB).
     */
    public static final int KERNEL_MIN_BYTES = 48 * 1024;

    /** The spare chunk buffers kept for all file transfers: 4 MiB with 16 KiB chunks. */
    private static final int SPARE_CHUNKS = 256;

    /** The spare grown buffers kept, for the reads of clients that keep up: 2 MiB with 16 KiB chunks. */
    private static final int SPARE_GROWN = 32;

    private final TransferRegistrations registrations;

    private final Function<String, WaterMarks> waterMarks;

    private final Function<String, WaterMarks> fileWaterMarks;

    private final Executor fileReads;

    private final int chunkSize;

    private final ChunkPool chunks;

    private volatile @Nullable ScheduledExecutorService kernelWatch;

    /**
     * Creates the sender, with the same water marks for file and stream bodies.
     *
     * @param registry where transfers are registered while they run
     * @param waterMarks the water marks of a group's consumers
     * @param fileReads where files are read (shared by all transfers; a {@link FileReads})
     * @param chunkSize the bytes of each file read
     */
    public HttpTransfers(ProducerRegistry registry, Function<String, WaterMarks> waterMarks, Executor fileReads,
            int chunkSize) {
        this(registry, waterMarks, waterMarks, fileReads, chunkSize);
    }

    /**
     * Creates the sender.
     *
     * @param registry where transfers are registered while they run
     * @param waterMarks the water marks of a group's consumers of stream and producer bodies
     * @param fileWaterMarks the water marks of a group's consumers of file bodies; {@link #fileWaterMarks(int)} suits a
     *        group that sets none, since the file itself is the buffer
     * @param fileReads where files are read (shared by all transfers; a {@link FileReads})
     * @param chunkSize the bytes of each file read
     */
    public HttpTransfers(ProducerRegistry registry, Function<String, WaterMarks> waterMarks,
            Function<String, WaterMarks> fileWaterMarks, Executor fileReads, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        this.registrations = new TransferRegistrations(Objects.requireNonNull(registry, "registry"));
        this.waterMarks = Objects.requireNonNull(waterMarks, "waterMarks");
        this.fileWaterMarks = Objects.requireNonNull(fileWaterMarks, "fileWaterMarks");
        this.fileReads = Objects.requireNonNull(fileReads, "fileReads");
        this.chunkSize = chunkSize;
        this.chunks = new ChunkPool(SPARE_CHUNKS, chunkSize, SPARE_GROWN, chunkSize * FileRegionProducer.GROWTH);
    }

    /**
     * Answers {@code request} with {@code body}, in group {@link #DEFAULT_GROUP} unless the body names one.
     *
     * @throws IOException if the file cannot be opened, or the response cannot be had; nothing was sent then
     */
    public void send(SluiceBody body, HttpServletRequest request, HttpServletResponse response) throws IOException {
        send(body, request, response, DEFAULT_GROUP);
    }

    /**
     * Answers {@code request} with {@code body}, in {@code defaultGroup} unless the body names a group. Returns once
     * the headers are decided; the body goes on asynchronously.
     *
     * @throws IOException if the file cannot be opened, or the response cannot be had; nothing was sent then
     */
    public void send(SluiceBody body, HttpServletRequest request, HttpServletResponse response, String defaultGroup)
            throws IOException {
        String group = (body.group() != null) ? body.group() : defaultGroup;
        Path file = body.file();
        if (file != null) {
            sendFile(body, file, group, request, response);
        }
        else {
            sendStream(body, group, request, response);
        }
    }

    /**
     * Water marks for file transfers: pause above one chunk, resume at half a chunk. A file can be read again at any
     * time, so buffering more ahead of a slow client only costs heap (64 KiB marks cost 80 MiB for 1 000 slow
     * downloads); the socket's own buffer keeps a fast client busy while the next chunk is read.
     *
     * @param chunkSize the bytes of each file read
     * @return the marks
     */
    public static WaterMarks fileWaterMarks(int chunkSize) {
        return new WaterMarks(chunkSize, chunkSize / 2);
    }

    /** How many transfers run now. */
    public int running() {
        return this.registrations.running();
    }

    private void sendFile(SluiceBody body, Path file, String group, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        }
        catch (NoSuchFileException ex) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        catch (AccessDeniedException ex) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        if (!attributes.isRegularFile()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        FileChannel channel = open(file, response);
        if (channel == null) {
            return;
        }
        boolean handedOver = false;
        try {
            handedOver = answerFile(body, file, channel, attributes, group, request, response);
        }
        finally {
            if (!handedOver) {
                channel.close();
            }
        }
    }

    /**
     * Opens the file, for every answer: whether it can be read is known only by trying (permissions, ACLs, and for
     * root only the open itself tell), and an unreadable file is a 403 for HEAD and conditional requests too. Sends
     * 403 or 404 and returns null when it cannot be opened.
     */
    private static @Nullable FileChannel open(Path file, HttpServletResponse response) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (AccessDeniedException ex) {
            log.debug("{} cannot be read: 403 ({})", file, ex.toString());
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
        }
        catch (NoSuchFileException ex) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND); // deleted since its attributes were read
        }
        return null;
    }

    /** Decides the answer; returns whether a transfer took over {@code channel} (else the caller closes it). */
    private boolean answerFile(SluiceBody body, Path file, FileChannel channel, BasicFileAttributes attributes,
            String group, HttpServletRequest request, HttpServletResponse response) throws IOException {
        long size = attributes.size();
        Validators validators = Validators.of(size, attributes.lastModifiedTime());
        response.setHeader("ETag", validators.etag());
        response.setDateHeader("Last-Modified", validators.lastModified());
        response.setHeader("Accept-Ranges", "bytes");
        Validators.Outcome outcome = validators.evaluate(request);
        RangeRequest range = null;
        if (outcome == Validators.Outcome.PROCEED) {
            RangeRequest asked = rangeAsked(request, validators, size);
            if (asked instanceof RangeRequest.Unsatisfiable) {
                // a status, not sendError: Jetty's error handling drops the Content-Range the client needs
                response.setStatus(HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE);
                response.setHeader("Content-Range", "bytes */" + size);
                response.setContentLength(0);
                return false;
            }
            range = (asked instanceof ByteRange || asked instanceof RangeRequest.Several) ? asked : null;
        }
        body.headers().forEach(response::setHeader);
        if (outcome == Validators.Outcome.NOT_MODIFIED) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return false;
        }
        if (outcome == Validators.Outcome.PRECONDITION_FAILED) {
            response.setStatus(HttpServletResponse.SC_PRECONDITION_FAILED);
            response.setContentLength(0);
            return false;
        }
        String contentType = contentType(body, file, request);
        List<FileRegionProducer.Segment> segments;
        if (range instanceof RangeRequest.Several several) {
            String boundary = Multipart.boundary();
            response.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
            response.setContentType("multipart/byteranges; boundary=" + boundary);
            segments = Multipart.segments(several.ranges(), contentType, size, boundary);
        }
        else {
            response.setContentType(contentType);
            long from = 0;
            long to = size;
            if (range instanceof ByteRange byteRange) {
                response.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
                response.setHeader("Content-Range", byteRange.contentRange(size));
                from = byteRange.first();
                to = byteRange.last() + 1;
            }
            segments = (from == to) ? List.of() : List.of(FileRegionProducer.Segment.region(from, to));
        }
        long length = 0;
        for (FileRegionProducer.Segment segment : segments) {
            length += segment.length();
        }
        response.setContentLengthLong(length);
        if ("HEAD".equals(request.getMethod()) || segments.isEmpty()) {
            return false; // nothing to read: the container sends the headers
        }
        long opened = channel.size();
        if (opened < size) {
            throw new FileChangedException(file, size, opened); // shrunk since its attributes were read
        }
        if (segments.size() == 1 && body.zeroCopy() && length >= KERNEL_MIN_BYTES) {
            FileRegionProducer.Segment region = segments.get(0);
            if (request.getAttribute(KernelFileSender.ATTRIBUTE) instanceof KernelFileSender kernel
                    && kernel.available()) {
                sendByKernel(kernel, file, size, region, group);
                return false; // the container opens the file itself
            }
            HttpServletResponse direct = (request.getAttribute(MappedFileOutput.ATTRIBUTE) instanceof MappedFileOutput
                    mapped) ? mapped.target(response) : null;
            if (direct != null) {
                log.debug("Transfer of {} goes by memory-mapped writes: {} bytes", file, region.length());
                start(group, this.fileWaterMarks.apply(group), request, direct, file.toString(), -1, null, true,
                        out -> new MappedRegionProducer(file, channel, size, region.from(), region.to(),
                                this.fileReads, out.consumer()).start(), channel::close);
                return true;
            }
        }
        ChunkPool pool = this.chunks;
        start(group, this.fileWaterMarks.apply(group), request, response, file.toString(), -1, pool, false,
                out -> new FileRegionProducer(file, channel, size, segments, this.chunkSize, pool,
                        this.fileReads, out.consumer(), out::readSizeHint).start(),
                channel::close);
        return true;
    }

    private void sendByKernel(KernelFileSender kernel, Path file, long size, FileRegionProducer.Segment region,
            String group) {
        TransferRegistrations.Claim claim = this.registrations.claim(group);
        BufferedConsumer<ByteBuffer> consumer;
        try {
            consumer = BufferedConsumer.builder(KernelFileTransfer.countingSink())
                .name(claim.consumerName())
                .waterMarks(this.fileWaterMarks.apply(group))
                .weigher(Weigher.bytes())
                .build();
        }
        catch (RuntimeException ex) {
            claim.release();
            throw ex;
        }
        claim.follow(consumer);
        KernelFileTransfer transfer = new KernelFileTransfer(file, size, region.length(), consumer, kernelWatch());
        transfer.start().whenComplete((done, failure) -> kernelEnded(consumer, file, claim.producerName(), transfer,
                failure));
        log.debug("Transfer of {} ('{}') goes by the container's sendfile: {} bytes", file, claim.producerName(),
                region.length());
        try {
            kernel.send(file, region.from(), region.to(), transfer);
        }
        catch (RuntimeException ex) {
            transfer.notStarted(ex);
            throw ex;
        }
    }

    private static void kernelEnded(BufferedConsumer<ByteBuffer> consumer, Path file, String name,
            KernelFileTransfer transfer, @Nullable Throwable failure) {
        Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
                : failure;
        if (cause instanceof FileTransferStoppedException) {
            log.debug("Transfer of {} ('{}') was stopped after {} bytes; the connection is closed", file, name,
                    transfer.sent());
        }
        else if (cause instanceof FileChangedException || (cause != null && !(cause instanceof IOException))) {
            log.warn("Transfer of {} ('{}') failed after {} bytes; the connection is closed: {}", file, name,
                    transfer.sent(), cause.toString());
        }
        else if (cause != null) {
            log.debug("Client of '{}' went away after {} bytes ({})", name, transfer.sent(), cause.toString());
        }
        consumer.stopConsuming();
    }

    /** The thread that follows kernel transfers, started with the first. */
    private ScheduledExecutorService kernelWatch() {
        ScheduledExecutorService watch = this.kernelWatch;
        if (watch == null) {
            synchronized (this) {
                watch = this.kernelWatch;
                if (watch == null) {
                    watch = Executors.newSingleThreadScheduledExecutor(task -> {
                        Thread thread = new Thread(task, "sluice-sendfile-watch");
                        thread.setDaemon(true);
                        return thread;
                    });
                    this.kernelWatch = watch;
                }
            }
        }
        return watch;
    }

    private static @Nullable RangeRequest rangeAsked(HttpServletRequest request, Validators validators, long size) {
        String range = request.getHeader("Range");
        if (range == null || !"GET".equals(request.getMethod())) {
            return null; // RFC 9110 defines ranges for GET only; HEAD answers as a GET without Range
        }
        String ifRange = request.getHeader("If-Range");
        if (ifRange != null && !validators.ifRangeMatches(ifRange, request)) {
            return null; // the client's copy is stale: send the whole new one
        }
        return RangeRequest.parse(range, size);
    }

    private void sendStream(SluiceBody body, String group, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        response.setContentType((body.contentType() != null) ? body.contentType() : SluiceBody.OCTET_STREAM);
        body.headers().forEach(response::setHeader);
        long length = body.contentLength();
        if (length >= 0) {
            response.setContentLengthLong(length);
        }
        ByteStream stream = body.stream();
        if ("HEAD".equals(request.getMethod())) {
            if (stream != null) {
                stream.close();
            }
            return;
        }
        String what = (stream != null) ? "stream " + stream : "a producer body";
        if (stream != null) {
            start(group, this.waterMarks.apply(group), request, response, what, length, null, false,
                    out -> new StreamToConsumer(stream).beginProducing(out.consumer()), stream::close);
        }
        else {
            SluiceBody.BodyProducer producer = Objects.requireNonNull(body.producer());
            start(group, this.waterMarks.apply(group), request, response, what, length, null, false,
                    out -> producer.start(out.consumer()), () -> {
                    });
        }
    }

    private void start(String group, WaterMarks marks, HttpServletRequest request, HttpServletResponse response, String what,
            long expectedLength, @Nullable ChunkPool pool, boolean mapped, Starter starter, Cleanup notStarted)
            throws IOException {
        TransferRegistrations.Claim claim = this.registrations.claim(group);
        ServletOutputConsumer out;
        try {
            ServletOutputConsumer.Builder builder = ServletOutputConsumer.on(request, response);
            if (pool != null) {
                builder.recycleTo(pool);
            }
            if (mapped) {
                builder.writeDirectBuffersWhole();
            }
            out = builder.start(sink -> BufferedConsumer.builder(sink)
                    .name(claim.consumerName())
                    .waterMarks(marks)
                    .weigher(Weigher.bytes())
                    .build());
        }
        catch (IOException | RuntimeException ex) {
            claim.release();
            notStarted.run();
            throw ex;
        }
        BufferedConsumer<ByteBuffer> consumer = out.consumer();
        claim.follow(consumer);
        CompletionStage<?> transfer;
        try {
            transfer = starter.start(out);
        }
        catch (Exception ex) {
            log.warn("Transfer of {} ('{}') could not start: {}", what, claim.producerName(), ex.toString());
            notStarted.run();
            out.finish(ex);
            return;
        }
        transfer.whenComplete((result, failure) -> ended(out, what, claim.producerName(), expectedLength, failure));
    }

    private static void ended(ServletOutputConsumer out, String what, String name, long expectedLength,
            @Nullable Throwable failure) {
        Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
                : failure;
        long written = out.consumer().acceptedUnits();
        if (cause == null && expectedLength >= 0 && written != expectedLength) {
            cause = new IllegalStateException("The producer wrote " + written + " bytes; the response announced "
                    + expectedLength);
        }
        if (cause == null) {
            out.finish(null);
            return;
        }
        if (cause instanceof FileChangedException) {
            // also when the container saw it first: a socket write from the mapping of a shrunk file fails
            log.warn("Transfer of {} ('{}') failed after {} bytes; the response is aborted: {}", what, name,
                    written, cause.toString());
        }
        else if (!out.isClientGone()) {
            if (cause instanceof FileTransferStoppedException || cause instanceof CancellationException) {
                log.debug("Transfer of {} ('{}') was stopped after {} bytes; the response is aborted", what, name,
                        written);
            }
            else {
                log.warn("Transfer of {} ('{}') failed after {} bytes; the response is aborted: {}", what, name,
                        written, cause.toString());
            }
        }
        out.finish(cause);
    }

    private static String contentType(SluiceBody body, Path file, HttpServletRequest request) {
        if (body.contentType() != null) {
            return body.contentType();
        }
        Path name = file.getFileName();
        ServletContext context = request.getServletContext();
        String known = (name != null && context != null) ? context.getMimeType(name.toString()) : null;
        return (known != null) ? known : SluiceBody.OCTET_STREAM;
    }

    @Override
    public String toString() {
        return "HttpTransfers[" + running() + " running]";
    }

    @FunctionalInterface
    private interface Starter {

        CompletionStage<?> start(ServletOutputConsumer out) throws Exception;
    }

    @FunctionalInterface
    private interface Cleanup {

        void run() throws IOException;
    }
}
