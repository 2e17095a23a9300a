package dev.sluice.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import dev.sluice.file.FileTransferStoppedException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Review of d74b178, which ran the read that the drain inside {@code onWritePossible} asked for on the container thread
 * (an executor that ran it at once there): the read task recursed into the next one on the container thread's stack
 * for as long as the client kept up (a {@code StackOverflowError} on a long body), an operator's stop queued behind an
 * inline read was delivered only at the end of the body, and a read that waited on the storage blocked the container
 * thread. Since the review the reads run on the read pool only, as before d74b178; these tests keep HttpTransfers' own
 * wiring of a {@link FileRegionProducer} (the read pool, the hint {@code out::readSizeHint}, the default water marks
 * for file bodies {@link HttpTransfers#fileWaterMarks(int)}: pause above one chunk, resume at half a chunk), a
 * container that is always ready (a client that keeps up), and the read pool as a manual queue run by the test thread.
 * The test of an {@code Error} from the read found an older defect (the file stayed open and the transfer never
 * ended), fixed in {@link FileChannelProducer}.
 */
class InlineReadReviewTest {

    private static final int CHUNK = 1024;

    @TempDir
    Path dir;

    /**
     * DESIGN §4.8: "an executor that runs tasks on the caller neither recurses nor livelocks". Inside
     * {@code onWritePossible} the read executor is such an executor: each read task, after its 16 chunks, finds the
     * consumer writable and schedules the next one, which runs at once inside the previous one. The stack of the
     * container thread grows by one level per turn for as long as the client keeps up: here the depth at the last
     * write is hundreds of frames deeper than at the first.
     */
    @Test
    void aClientThatKeepsUpDoesNotDeepenTheContainerThreadsStack() throws Exception {
        Scene scene = new Scene(file("deep.bin", 4096 * CHUNK));
        scene.startAndFill();

        scene.stream.recordDepth = true;
        scene.stream.listener.onWritePossible(); // the container's first callback, on this (container) thread
        scene.runHandedOffReads();

        scene.transfer.get(10, TimeUnit.SECONDS);
        assertThat(scene.stream.bytes()).isEqualTo(Files.readAllBytes(scene.file));
        assertThat(scene.stream.maxDepth - scene.stream.firstDepth)
            .as("stack frames added between the first and the deepest write on the container thread")
            .isLessThan(64);
    }

    /**
     * The same recursion, as a container thread meets it: on a thread with a 256 KiB stack, one
     * {@code onWritePossible} of a client that keeps up through a 64 MiB file overflows the stack; the transfer
     * never completes and the client does not get the file. DESIGN §4.8 (no unbounded recursion), §4.9 (a user fault
     * ... completes whenClosed() exceptionally), FileChannelProducer's javadoc ("the file is closed in every case").
     */
    @Test
    void aLongBodyForAClientThatKeepsUpIsSentWholeFromOneOnWritePossible() throws Exception {
        Scene scene = new Scene(file("long.bin", 64 * 1024 * CHUNK));
        scene.startAndFill();

        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread container = new Thread(null, () -> {
            try {
                scene.stream.listener.onWritePossible();
            }
            catch (Throwable ex) {
                thrown.set(ex);
            }
        }, "http-nio-exec-1", 256 * 1024);
        container.start();
        container.join(TimeUnit.SECONDS.toMillis(30));
        scene.runHandedOffReads();

        assertThat(thrown.get()).as("what onWritePossible threw").isNull();
        assertThat(scene.transfer).succeedsWithin(10, TimeUnit.SECONDS);
        assertThat(scene.stream.written.size()).isEqualTo(64 * 1024 * CHUNK);
    }

    /**
     * An operator's stop ({@code stopProducer}, what the registry calls) made while the inline read runs is not
     * delivered until the read task returns to the consumer's loop, which for a client that keeps up is at the end of
     * the body: the stopped producer goes on writing the whole file, its transfer succeeds and the response is
     * completed as if nothing had been asked. With the read on the read pool, the stop ends the transfer within a
     * chunk (FileChannelProducer: the future fails with stopped() when the consumer stops the producer;
     * ServletOutputConsumer: an operator's stop must not look complete to the client; DESIGN §4.2: stops from the
     * registry are operations queued to that loop).
     */
    @Test
    void anOperatorsStopDuringAnInlineReadStopsTheTransfer() throws Exception {
        Scene scene = new Scene(file("stopped.bin", 1024 * CHUNK));
        scene.startAndFill();
        long[] writtenAtStop = {-1};
        int[] writes = {0};
        scene.stream.onWrite = total -> {
            if (++writes[0] == 20) { // an operator on another thread stops the transfer
                Thread operator = new Thread(() -> scene.out.consumer().stopProducer(scene.producer), "operator");
                operator.start();
                try {
                    operator.join();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                writtenAtStop[0] = total;
            }
        };

        scene.stream.listener.onWritePossible();
        scene.runHandedOffReads();

        assertThat(writtenAtStop[0]).isPositive();
        assertThat(scene.stream.written.size() - writtenAtStop[0])
            .as("bytes the stopped producer wrote to the client after the stop had returned")
            .isLessThanOrEqualTo(16L * FileRegionProducer.GROWTH * CHUNK);
        assertThat(catchThrowable(() -> scene.transfer.get(10, TimeUnit.SECONDS)))
            .as("how the transfer's future ended")
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(FileTransferStoppedException.class);
    }

    /**
     * An {@code Error} thrown by a read (here a NoClassDefFoundError) escaped {@code writeSome}, which caught only
     * IOException and RuntimeException, and left SCHEDULED set, so a stop then closed nothing: the file stayed open and
     * the transfer's future never completed. FileChannelProducer: "The file is closed in every case"; DESIGN §4.9:
     * every call into user code catches Throwable. Now the transfer fails with the Error (HttpTransfers then aborts the
     * response) and the file is closed.
     */
    @Test
    void anErrorFromAReadClosesTheFileAndEndsTheTransfer() throws Exception {
        Path file = file("error.bin", 256 * CHUNK);
        AtomicBoolean failed = new AtomicBoolean();
        HookedChannel channel = new HookedChannel(FileChannel.open(file, StandardOpenOption.READ), read -> {
            if (read == 20) {
                failed.set(true);
                throw new NoClassDefFoundError("review/Missing (a class the read needs failed to load)");
            }
        });
        Scene scene = new Scene(file, channel);
        scene.startAndFill();

        try {
            scene.stream.listener.onWritePossible();
        }
        catch (NoClassDefFoundError thrown) {
            // not expected from onWritePossible, but not what this test is about
        }
        try {
            scene.runHandedOffReads();
        }
        catch (NoClassDefFoundError thrown) {
            // a read on the read pool: the pool's worker dies of it
        }

        assertThat(failed).as("the read threw").isTrue();
        assertThat(catchThrowable(() -> scene.transfer.get(5, TimeUnit.SECONDS)))
            .as("how the transfer's future ended (a TimeoutException: it never did)")
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(NoClassDefFoundError.class);
        assertThat(channel.isOpen()).as("the file is closed").isFalse();
    }

    /**
     * A read that blocks on the storage (a cold disk, a network file system: here a latch) blocks the container thread
     * inside {@code onWritePossible} when it runs there. ServletOutputConsumer ("Threads"): "{@code onWritePossible}
     * itself only calls {@code drain()}, which never blocks"; DESIGN §4.2: no thread ever waits for another; §7: file
     * reads do not all share one thread (they have their own pool, {@link FileReads}, so that a slow disk holds read
     * threads, not the container's).
     */
    @Test
    void aReadThatBlocksOnTheStorageDoesNotRunOnTheContainerThread() throws Exception {
        Path file = file("slow-disk.bin", 64 * CHUNK);
        CountDownLatch diskAnswers = new CountDownLatch(1);
        AtomicBoolean slowDisk = new AtomicBoolean();
        AtomicReference<Thread> blockedReader = new AtomicReference<>();
        HookedChannel channel = new HookedChannel(FileChannel.open(file, StandardOpenOption.READ), read -> {
            if (slowDisk.get() && blockedReader.compareAndSet(null, Thread.currentThread())) {
                try {
                    diskAnswers.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        ExecutorService readPool = Executors.newSingleThreadExecutor(task -> new Thread(task, "sluice-file-read"));
        try {
            Scene scene = new Scene(file, channel, readPool);
            scene.transfer = scene.producer.start();
            await().atMost(10, TimeUnit.SECONDS).until(() -> scene.out.consumer().isProducerPaused());
            slowDisk.set(true); // from now on the disk takes its time

            Thread container = new Thread(() -> {
                try {
                    scene.stream.listener.onWritePossible();
                }
                catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }, "http-nio-exec-1");
            container.start();
            await().atMost(10, TimeUnit.SECONDS).until(() -> blockedReader.get() != null);

            assertThat(blockedReader.get()).as("the thread that waits for the disk").isNotSameAs(container);
            diskAnswers.countDown();
            container.join(TimeUnit.SECONDS.toMillis(10));
            scene.transfer.get(10, TimeUnit.SECONDS);
        }
        finally {
            diskAnswers.countDown();
            readPool.shutdownNow();
        }
    }

    private Path file(String name, int length) throws IOException {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 10));
        }
        return Files.write(this.dir.resolve(name), bytes);
    }

    /** HttpTransfers' wiring of a chunked file transfer, with the read pool as a manual queue. */
    private static final class Scene {

        final Path file;

        final FileChannel channel;

        final ReadyStream stream = new ReadyStream();

        final Deque<Runnable> handedOff = new ArrayDeque<>();

        final ServletOutputConsumer out;

        final FileRegionProducer producer;

        CompletableFuture<Void> transfer;

        Scene(Path file) throws IOException {
            this(file, FileChannel.open(file, StandardOpenOption.READ));
        }

        Scene(Path file, FileChannel channel) throws IOException {
            this(file, channel, null);
        }

        /** With {@code readPool} as the read pool instead of the manual queue. */
        Scene(Path file, FileChannel channel, Executor readPool) throws IOException {
            this.file = file;
            this.channel = channel;
            MockHttpServletRequest request = new MockHttpServletRequest("GET", "/" + file.getFileName());
            request.setAsyncSupported(true);
            MockHttpServletResponse response = new MockHttpServletResponse() {
                @Override
                public ServletOutputStream getOutputStream() {
                    return Scene.this.stream;
                }
            };
            ChunkPool pool = new ChunkPool(16, CHUNK, 4, CHUNK * FileRegionProducer.GROWTH);
            this.out = ServletOutputConsumer.on(request, response)
                .maxWrite(CHUNK)
                .recycleTo(pool)
                .start(sink -> BufferedConsumer.builder(sink)
                    .name("inline-review")
                    .weigher(Weigher.bytes())
                    .waterMarks(HttpTransfers.fileWaterMarks(CHUNK)) // HttpTransfers' default for file bodies
                    .build());
            Executor pooled = (readPool != null) ? readPool : this.handedOff::add;
            Executor reads = pooled; // HttpTransfers' wiring since the review: reads only on the read pool
            long size = Files.size(file);
            this.producer = new FileRegionProducer(file, channel, size,
                    List.of(FileRegionProducer.Segment.region(0, size)), CHUNK, pool, reads, this.out.consumer(),
                    this.out::readSizeHint);
        }

        /** Starts the transfer; the first read, on the read pool, fills the consumer before the container is ready. */
        void startAndFill() {
            this.transfer = this.producer.start();
            runHandedOffReads();
            assertThat(this.out.consumer().bufferedUnits()).isPositive();
        }

        void runHandedOffReads() {
            Runnable next;
            while ((next = this.handedOff.poll()) != null) {
                next.run();
            }
        }
    }

    /** A non-blocking output that is always ready and copies what it is given, as Tomcat does for a fast client. */
    private static final class ReadyStream extends ServletOutputStream {

        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        volatile WriteListener listener;

        IntConsumer onWrite = total -> {
        };

        boolean recordDepth;

        int firstDepth = -1;

        int maxDepth;

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
            this.listener = writeListener;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            this.written.write(bytes, offset, length);
            if (this.recordDepth) {
                int depth = StackWalker.getInstance().walk(frames -> (int) frames.count());
                if (this.firstDepth < 0) {
                    this.firstDepth = depth;
                }
                this.maxDepth = Math.max(this.maxDepth, depth);
            }
            this.onWrite.accept(this.written.size());
        }

        synchronized byte[] bytes() {
            return this.written.toByteArray();
        }
    }

    /** A file channel that calls a hook before each positional read (with the read's number, from 1). */
    private static class HookedChannel extends FileChannel {

        private final FileChannel delegate;

        private final IntConsumer beforeRead;

        private int reads;

        HookedChannel(FileChannel delegate, IntConsumer beforeRead) {
            this.delegate = delegate;
            this.beforeRead = beforeRead;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            this.beforeRead.accept(++this.reads);
            return this.delegate.read(dst, position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return this.delegate.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return this.delegate.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return this.delegate.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return this.delegate.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return this.delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            this.delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return this.delegate.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            this.delegate.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            this.delegate.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return this.delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return this.delegate.transferFrom(src, position, count);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return this.delegate.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return this.delegate.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return this.delegate.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return this.delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            this.delegate.close();
        }
    }
}
