package dev.sluice;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import dev.sluice.io.AsyncSink;
import dev.sluice.testing.contract.BufferedConsumerSubject;
import dev.sluice.testing.contract.ConsumerContract;
import dev.sluice.testing.contract.ContractSettings;
import dev.sluice.testing.contract.ContractSubject;
import dev.sluice.testing.contract.Gate;
import org.junit.jupiter.api.Nested;

/**
 * {@link BufferedConsumer} keeps the {@link ConsumerContract} with every kind of drain: inline, on a single-thread
 * executor, on a caller-runs executor ({@code Runnable::run}), on a pool, and into an {@link AsyncSink} whose calls
 * complete on the draining thread.
 */
class BufferedConsumerContractTest {

    @Nested
    class InlineDrain extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return BufferedConsumerSubject.inline(settings);
        }
    }

    @Nested
    class SingleThreadDrain extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return BufferedConsumerSubject.drainedOn(settings, Executors.newSingleThreadExecutor());
        }
    }

    @Nested
    class CallerRunsDrain extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return BufferedConsumerSubject.drainedOn(settings, (Runnable task) -> task.run());
        }
    }

    @Nested
    class PoolDrain extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return BufferedConsumerSubject.drainedOn(settings, Executors.newFixedThreadPool(3));
        }
    }

    @Nested
    class AsyncSinkDrain extends ConsumerContract {

        @Override
        protected ContractSubject newSubject(ContractSettings settings) {
            return AsyncSubject.create(settings);
        }
    }

    /**
     * A consumer draining into an {@link AsyncSink} of two slots (the shape of a Kafka or HTTP pipe): each call takes
     * its item to the far end at once, and completes when grants have covered its bytes, on the granting thread, which
     * is what frees a slot and drains the consumer again.
     */
    static final class AsyncSubject extends BufferedConsumerSubject {

        private final Calls calls;

        private AsyncSubject(ContractSettings settings, Gate gate, BufferedConsumer<ByteBuffer> consumer,
                Calls calls) {
            super(settings, gate, consumer, Optional.empty());
            this.calls = calls;
        }

        static AsyncSubject create(ContractSettings settings) {
            Gate gate = new Gate();
            Calls calls = new Calls(gate);
            AsyncSink<ByteBuffer> sink = AsyncSink.<ByteBuffer>builder(calls::start).name("contract").maxInFlight(2)
                .build();
            BufferedConsumer<ByteBuffer> consumer = sink.bind(BufferedConsumerSubject.build(settings, sink, null));
            return new AsyncSubject(settings, gate, consumer, calls);
        }

        @Override
        public void grant(long bytes) {
            gate().grant(bytes);
            this.calls.cover(bytes);
        }
    }

    /** The asynchronous API: calls that complete once grants cover their bytes. */
    static final class Calls {

        private final Gate gate;

        private final ArrayDeque<Call> pending = new ArrayDeque<>();

        private long granted;

        private long called;

        Calls(Gate gate) {
            this.gate = gate;
        }

        private record Call(long end, CompletableFuture<Void> done) {
        }

        CompletableFuture<Void> start(ByteBuffer item) {
            byte[] bytes = new byte[item.remaining()];
            item.get(bytes);
            this.gate.takeAll(bytes, 0, bytes.length);
            CompletableFuture<Void> done = new CompletableFuture<>();
            boolean now;
            synchronized (this) {
                this.called += bytes.length;
                now = this.called <= this.granted;
                if (!now) {
                    this.pending.add(new Call(this.called, done));
                }
            }
            if (now) {
                done.complete(null);
            }
            return done;
        }

        void cover(long bytes) {
            List<CompletableFuture<Void>> due = new ArrayList<>();
            synchronized (this) {
                this.granted = (this.granted > Long.MAX_VALUE - bytes) ? Long.MAX_VALUE : this.granted + bytes;
                while (!this.pending.isEmpty() && this.pending.peek().end() <= this.granted) {
                    due.add(this.pending.poll().done());
                }
            }
            due.forEach(call -> call.complete(null));
        }
    }
}
