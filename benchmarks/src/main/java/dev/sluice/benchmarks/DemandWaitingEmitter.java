package dev.sluice.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

import reactor.core.publisher.FluxSink;

/**
 * A plain producing thread feeding a Reactor {@code Flux.create} sink the way the Reactor reference recommends for a
 * pausable source: emit only while {@code requestedFromDownstream() > 0}, otherwise park until {@code onRequest}
 * wakes the thread. It is the Reactor twin of the Sluice sides, which wait in
 * {@link dev.sluice.FlowControlledProducer#awaitWritable()}: same flag-and-park wait, no spinning.
 */
final class DemandWaitingEmitter {

    private final FluxSink<ByteBuffer> sink;

    private volatile Thread producerThread;

    DemandWaitingEmitter(FluxSink<ByteBuffer> sink) {
        this.sink = sink;
        sink.onRequest(n -> {
            Thread thread = this.producerThread;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        });
    }

    void bindToCurrentThread() {
        this.producerThread = Thread.currentThread();
    }

    /** Waits for demand, then emits {@code chunk}. Returns false if the subscription was cancelled. */
    boolean emit(ByteBuffer chunk) {
        while (this.sink.requestedFromDownstream() == 0) {
            if (this.sink.isCancelled()) {
                return false;
            }
            LockSupport.park(this);
        }
        this.sink.next(chunk);
        return true;
    }

    /** Items the downstream still allows, for the scenarios that sample it. */
    long demand() {
        return this.sink.requestedFromDownstream();
    }
}
