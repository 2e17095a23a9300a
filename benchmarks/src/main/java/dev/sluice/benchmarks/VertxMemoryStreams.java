package dev.sluice.benchmarks;

import java.nio.ByteBuffer;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * In-memory Vert.x 5 streams for the same-thread pipe: the smallest faithful {@link ReadStream} (a push source with
 * Vert.x's flowing/fetch demand model) and {@link WriteStream} (a sink with a byte-counted, advisory write queue),
 * written for these benchmarks because Vert.x core ships none that is public.
 */
final class VertxMemoryStreams {

    private VertxMemoryStreams() {
    }

    /** A push source: {@link #emit} hands chunks to the handler while there is demand. */
    static final class Source implements ReadStream<ByteBuffer> {

        private Handler<ByteBuffer> handler;

        private long demand;

        /** Emits up to {@code count} chunks, stopping early when paused; returns how many were emitted. */
        int emit(ByteBuffer chunk, int count) {
            for (int i = 0; i < count; i++) {
                long current = this.demand;
                if (current == 0) {
                    return i;
                }
                if (current != Long.MAX_VALUE) {
                    this.demand = current - 1;
                }
                this.handler.handle(chunk);
            }
            return count;
        }

        @Override
        public ReadStream<ByteBuffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public ReadStream<ByteBuffer> handler(Handler<ByteBuffer> handler) {
            this.handler = handler;
            return this;
        }

        @Override
        public ReadStream<ByteBuffer> pause() {
            this.demand = 0;
            return this;
        }

        @Override
        public ReadStream<ByteBuffer> resume() {
            this.demand = Long.MAX_VALUE;
            return this;
        }

        @Override
        public ReadStream<ByteBuffer> fetch(long amount) {
            long sum = this.demand + amount;
            this.demand = (sum < 0) ? Long.MAX_VALUE : sum;
            return this;
        }

        @Override
        public ReadStream<ByteBuffer> endHandler(Handler<Void> endHandler) {
            return this;
        }
    }

    /**
     * A sink that passes each chunk to {@link ChunkWork} at once. Its write queue (bytes written and not yet taken) is
     * therefore always empty, exactly like a Sluice consumer with an inline drain; the queue limit is kept for
     * {@link #writeQueueFull()} all the same, so the pipe does its full check on every write.
     */
    static final class Sink implements WriteStream<ByteBuffer> {

        private final ChunkWork work;

        private long queued;

        private int maxQueued = Chunks.BOUND_BYTES;

        private Handler<Void> drainHandler;

        Sink(ChunkWork work) {
            this.work = work;
        }

        @Override
        public WriteStream<ByteBuffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public Future<Void> write(ByteBuffer data) {
            this.work.take(data);
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> end() {
            return Future.succeededFuture();
        }

        @Override
        public WriteStream<ByteBuffer> setWriteQueueMaxSize(int maxSize) {
            this.maxQueued = maxSize;
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return this.queued >= this.maxQueued;
        }

        @Override
        public WriteStream<ByteBuffer> drainHandler(Handler<Void> handler) {
            this.drainHandler = handler;
            return this;
        }
    }
}
