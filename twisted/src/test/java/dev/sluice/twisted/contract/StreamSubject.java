package dev.sluice.twisted.contract;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.sluice.testing.contract.ContractSettings;
import dev.sluice.testing.contract.ContractSubject;
import dev.sluice.twisted.web2.ProducerToStream;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ProducerToStream} as a contract subject: its far end is a reader on a thread of its own that reads only as
 * many bytes as were granted (a read is left pending once credit is there and nothing is buffered). Finishing is
 * {@code finish()}, aborting is the reader's {@code close()}, holds are its keyed holds. There is no call into the far
 * end to stall: the reader pulls.
 */
final class StreamSubject implements ContractSubject {

    private final ContractSettings settings;

    private final ProducerToStream stream;

    private final Object monitor = new Object();

    private final ByteArrayOutputStream taken = new ByteArrayOutputStream();

    private final Thread reader;

    // guarded by monitor
    private long credit;
    private boolean closed;

    StreamSubject(ContractSettings settings) {
        this.settings = settings;
        this.stream = new ProducerToStream("contract", OptionalLong.empty(), settings.marks());
        this.reader = new Thread(this::read, "contract-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    ProducerToStream stream() {
        return this.stream;
    }

    @Override
    public ProducerToStream consumer() {
        return this.stream;
    }

    @Override
    public void grant(long bytes) {
        synchronized (this.monitor) {
            this.credit = (this.credit > Long.MAX_VALUE - bytes) ? Long.MAX_VALUE : this.credit + bytes;
            this.monitor.notifyAll();
        }
    }

    @Override
    public byte[] delivered() {
        synchronized (this.monitor) {
            return this.taken.toByteArray();
        }
    }

    @Override
    public long deliveredBytes() {
        synchronized (this.monitor) {
            return this.taken.size();
        }
    }

    @Override
    public void finish() {
        this.stream.finish();
    }

    @Override
    public void abort() {
        this.stream.close();
    }

    @Override
    public OptionalLong highWaterMark() {
        return OptionalLong.of(this.settings.marks().high());
    }

    @Override
    public long bufferedUnits() {
        return this.stream.bufferedUnits();
    }

    @Override
    public Optional<Holds> holds() {
        return Optional.of(new Holds() {
            @Override
            public void hold(String key) {
                StreamSubject.this.stream.hold(key);
            }

            @Override
            public void release(String key) {
                StreamSubject.this.stream.release(key);
            }
        });
    }

    @Override
    public void close() {
        synchronized (this.monitor) {
            this.closed = true;
            this.monitor.notifyAll();
        }
        this.stream.close();
    }

    /** The reader: waits for credit, reads one chunk, waits for it, until the stream ends or the subject closes. */
    private void read() {
        while (awaitCredit()) {
            CompletableFuture<@Nullable ByteBuffer> next = this.stream.read().toCompletableFuture();
            ByteBuffer chunk;
            try {
                chunk = awaitChunk(next);
            }
            catch (ExecutionException failed) {
                return; // finish(failure): the end
            }
            if (chunk == null) {
                return; // the end of the stream, or closed
            }
            synchronized (this.monitor) {
                int size = chunk.remaining();
                byte[] bytes = new byte[size];
                chunk.get(bytes);
                this.taken.write(bytes, 0, size);
                this.credit -= size;
            }
        }
    }

    private boolean awaitCredit() {
        synchronized (this.monitor) {
            while (!this.closed && this.credit <= 0) {
                try {
                    this.monitor.wait(100);
                }
                catch (InterruptedException ex) {
                    return false;
                }
            }
            return !this.closed;
        }
    }

    private @Nullable ByteBuffer awaitChunk(CompletableFuture<@Nullable ByteBuffer> next) throws ExecutionException {
        for (;;) {
            try {
                return next.get(100, TimeUnit.MILLISECONDS);
            }
            catch (TimeoutException stillPending) {
                synchronized (this.monitor) {
                    if (this.closed) {
                        return null;
                    }
                }
            }
            catch (InterruptedException ex) {
                return null;
            }
        }
    }

    @Override
    public String toString() {
        return "StreamSubject[" + this.stream + "]";
    }
}
