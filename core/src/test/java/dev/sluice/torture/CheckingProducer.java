package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.PullProducer;
import dev.sluice.PushProducer;

/**
 * A producer that checks every callback its consumer makes, for one registration (a producer object is registered
 * once):
 * <ul>
 *   <li>no two callbacks of one consumer overlap, whatever producer they are for (one signal lane, DESIGN §4.2): an
 *       in-callback owner shared by all producers of a consumer; the only call allowed to run inside another on the
 *       same thread is a pause inside a write ({@link Callbacks#inWrite()});</li>
 *   <li>inside a write, the writer's thread gets no callback but a pause (nesting, DESIGN §4.6);</li>
 *   <li>a push producer starts unpaused and then sees pause, resume, pause, ... strictly alternating (edge-triggered);
 *       </li>
 *   <li>nothing after {@code stopProducing}, and {@code stopProducing} once (stop-after-stop, issue 11 item 2).</li>
 * </ul>
 * Each callback wakes the writers waiting on the round's {@code signal}.
 */
abstract class CheckingProducer implements Producer {

    /** What a producer has been told last. */
    enum State {
        RUNNING, PAUSED, STOPPED
    }

    final int id;

    final Callbacks callbacks;

    private volatile State state = State.RUNNING;

    private volatile int resumes;

    CheckingProducer(int id, Callbacks callbacks) {
        this.id = id;
        this.callbacks = callbacks;
    }

    boolean isRunning() {
        return this.state == State.RUNNING;
    }

    boolean isPaused() {
        return this.state == State.PAUSED;
    }

    boolean isStopped() {
        return this.state == State.STOPPED;
    }

    int resumes() {
        return this.resumes;
    }

    @Override
    public void resumeProducing() {
        Thread outer = this.callbacks.enter(this, "resumeProducing");
        try {
            if (this.state == State.STOPPED) {
                this.callbacks.violations.report("no callback after stop", "resumeProducing to " + this
                        + " after its stopProducing");
                return;
            }
            resumed();
            this.resumes++;
        }
        finally {
            this.callbacks.exit(outer);
        }
    }

    @Override
    public void stopProducing() {
        Thread outer = this.callbacks.enter(this, "stopProducing");
        try {
            if (this.state == State.STOPPED) {
                this.callbacks.violations.report("no callback after stop", "second stopProducing to " + this);
            }
            this.state = State.STOPPED;
        }
        finally {
            this.callbacks.exit(outer);
        }
    }

    /** The producer's part of a resume: a push producer leaves PAUSED, a pull producer writes a chunk. */
    abstract void resumed();

    void moveTo(State next) {
        this.state = next;
    }

    State state() {
        return this.state;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "#" + this.id + "[" + this.state + "]";
    }

    /** A push producer whose writers are threads of the round. */
    static final class Push extends CheckingProducer implements PushProducer {

        Push(int id, Callbacks callbacks) {
            super(id, callbacks);
        }

        @Override
        public void pauseProducing() {
            Thread outer = this.callbacks.enter(this, "pauseProducing");
            try {
                switch (state()) {
                    case STOPPED -> this.callbacks.violations.report("no callback after stop",
                            "pauseProducing to " + this + " after its stopProducing");
                    case PAUSED -> this.callbacks.violations.report("pause/resume alternate (edge-triggered)",
                            "pauseProducing to " + this + ", which is paused already");
                    case RUNNING -> moveTo(State.PAUSED);
                }
            }
            finally {
                this.callbacks.exit(outer);
            }
        }

        @Override
        void resumed() {
            if (state() != State.PAUSED) {
                this.callbacks.violations.report("pause/resume alternate (edge-triggered)",
                        "resumeProducing to " + this + ", which was not paused");
            }
            moveTo(State.RUNNING);
        }
    }

    /**
     * A pull producer: each resume writes one chunk from inside the call, as Twisted's producers do; after its last
     * chunk it unregisters itself in the same call.
     */
    static final class Pull extends CheckingProducer implements PullProducer {

        private final BufferedConsumer<ByteBuffer> consumer;

        private final int source;

        private final int size;

        private int chunksLeft;

        private int sequence;

        private long bytesWritten;

        Pull(int id, Callbacks callbacks, BufferedConsumer<ByteBuffer> consumer, int source, int chunks, int size) {
            super(id, callbacks);
            this.consumer = consumer;
            this.source = source;
            this.chunksLeft = chunks;
            this.size = size;
        }

        @Override
        void resumed() {
            if (this.chunksLeft == 0) {
                return; // asked again after its last chunk; nothing to write
            }
            this.chunksLeft--;
            ByteBuffer chunk = Tagged.item(this.source, this.sequence++, this.size);
            this.bytesWritten += chunk.remaining();
            this.callbacks.spend();
            this.callbacks.write(this.consumer, chunk);
            if (this.chunksLeft == 0 && this.consumer.producer() == this) {
                this.consumer.unregisterProducer();
                this.callbacks.changed();
            }
        }

        /** Chunks written; read at quiet points, after the lane that called it has gone quiet. */
        int written() {
            return this.sequence;
        }

        long bytesWritten() {
            return this.bytesWritten;
        }

        int source() {
            return this.source;
        }
    }

    /**
     * The checks shared by every producer of one consumer, and the writers' wake-up signal. {@link #write} marks the
     * calling thread as inside a write, for the nesting check.
     */
    static class Callbacks {

        private static final ThreadLocal<int[]> WRITE_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

        final Violations violations;

        final Object signal = new Object();

        private final AtomicReference<Thread> inCallback = new AtomicReference<>();

        private volatile String current = "";

        /**
         * Whether the consumer drains inline, or its executor throws: then a resume or stop delivered on a writer's
         * thread inside its write is the exception {@code ConsumerSupport} documents, not a violation.
         */
        volatile boolean inlineDrain;

        /** The round's operation budget, which a pull producer's writes spend too. */
        private final java.util.concurrent.atomic.AtomicLong budget;

        Callbacks(Violations violations, java.util.concurrent.atomic.AtomicLong budget) {
            this.violations = violations;
            this.budget = budget;
        }

        private final java.util.concurrent.atomic.LongAdder writes = new java.util.concurrent.atomic.LongAdder();

        void spend() {
            this.budget.getAndDecrement();
        }

        /** Writes made so far, by writer threads and pull producers: the round's measure of progress. */
        long writes() {
            return this.writes.sum();
        }

        /** Returns the thread that was inside a callback before (this thread, when nested), for {@link #exit}. */
        Thread enter(CheckingProducer producer, String callback) {
            Thread me = Thread.currentThread();
            boolean writing = inWrite();
            Thread before = this.inCallback.get();
            if (before == me) {
                if (!(writing && callback.equals("pauseProducing"))) {
                    this.violations.report("nesting (DESIGN §4.6)", callback + " to " + producer
                            + " nested inside " + this.current + " on the same thread");
                }
            }
            else if (!this.inCallback.compareAndSet(null, me)) {
                this.violations.report("no two callbacks overlap (DESIGN §4.2)", callback + " to " + producer
                        + " while " + this.current + " runs on " + before);
                before = null; // leave the owner to the other thread
            }
            else {
                before = null;
            }
            if (writing && before != me && !callback.equals("pauseProducing") && !this.inlineDrain) {
                this.violations.report("nesting (DESIGN §4.6)", callback + " to " + producer
                        + " delivered on a writer's own thread inside its write");
            }
            this.current = callback + " to " + producer;
            return before;
        }

        void exit(Thread outer) {
            if (outer == null) {
                this.inCallback.compareAndSet(Thread.currentThread(), null);
            }
            changed();
        }

        /** Wakes the writers: a callback, a registration or the end of a round changed what they wait for. */
        void changed() {
            synchronized (this.signal) {
                this.signal.notifyAll();
            }
        }

        /** Writes {@code item} and says whether the consumer still takes more: what {@code write} returns. */
        <T> boolean write(BufferedConsumer<T> consumer, T item) {
            int[] depth = WRITE_DEPTH.get();
            depth[0]++;
            this.writes.increment();
            try {
                return consumer.write(item);
            }
            finally {
                depth[0]--;
            }
        }

        static boolean inWrite() {
            return WRITE_DEPTH.get()[0] > 0;
        }
    }
}
