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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

import dev.sluice.BufferedConsumer;
import dev.sluice.Weigher;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Review of 8db485d: {@code FileChannelProducer.writeSome} now catches Throwable from {@code next()} only. The
 * {@code consumer.write(next)} that follows runs the sink on the read task's thread (HttpTransfers' consumer has no
 * drain executor: an idle loop takes the write through to the container's stream). A {@link VirtualMachineError} from
 * the stream (here a StackOverflowError) is rethrown by the consumer's loop once it has let go, out of {@code write},
 * out of {@code writeSome}, past every {@code end}: SCHEDULED stays set, so the consumer's stop (the sink failed)
 * closes nothing; the file stays open and the transfer's future never completes. FileChannelProducer: "The file is
 * closed in every case". Same wiring as InlineReadReviewTest (copied helpers).
 */
class StopRerouteReviewFatalWriteTest {

    private static final int CHUNK = 1024;

    @TempDir
    Path dir;

    @Test
    void aFatalErrorFromTheStreamDuringTheReadTasksWriteClosesTheFileAndEndsTheTransfer() throws Exception {
        Path file = this.dir.resolve("fatal-write.bin");
        byte[] body = new byte[256 * CHUNK];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        Files.write(file, body);
        HookedChannel channel = new HookedChannel(FileChannel.open(file, StandardOpenOption.READ), read -> {
        });
        Scene scene = new Scene(file, channel);
        scene.startAndFill();
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean threw = new AtomicBoolean();
        scene.stream.onWrite = total -> {
            if (armed.get() && threw.compareAndSet(false, true)) {
                throw new StackOverflowError("review: the container's write");
            }
        };
        try {
            scene.stream.listener.onWritePossible(); // drains what the first read buffered, asks for more
        }
        catch (StackOverflowError thrown) {
            // not this test's subject
        }
        armed.set(true);
        Throwable fromReads = catchThrowable(scene::runHandedOffReads); // the read task writes through to the stream

        assertThat(threw).as("the stream threw").isTrue();
        assertThat(fromReads).as("the read task's write rethrew it: it escaped writeSome")
            .isInstanceOf(StackOverflowError.class);
        assertThat(catchThrowable(() -> scene.transfer.get(2, TimeUnit.SECONDS)))
            .as("how the transfer's future ended (a TimeoutException: it never did)")
            .isInstanceOf(ExecutionException.class);
        assertThat(channel.isOpen()).as("the file is closed").isFalse();
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
