package dev.sluice.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerStoppedException;
import dev.sluice.testing.contract.BufferedConsumerSubject;
import dev.sluice.testing.contract.ContractSettings;
import dev.sluice.testing.contract.Gate;
import jakarta.servlet.ServletOutputStream;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.awaitility.Awaitility.await;

/**
 * The consumer a servlet response is written through, as a contract subject: a {@code BufferedConsumer} over a
 * {@link ServletOutputConsumer} on a {@link GateOutput}, built directly or by {@link HttpTransfers} for a
 * {@link SluiceBody#producer producer body} (the consumer the body's producer is given, followed by the registry).
 * Granting lets the client read, which calls {@code onWritePossible}.
 */
final class ServletSubject extends BufferedConsumerSubject {

    private final GateOutput output;

    private final Runnable finish;

    private final Runnable abort;

    private final Optional<Holds> holds;

    private ServletSubject(ContractSettings settings, Exchange exchange, BufferedConsumer<ByteBuffer> consumer,
            Runnable finish, Runnable abort, Optional<Holds> holds) {
        super(settings, exchange.gate, consumer, Optional.empty());
        this.output = exchange.output;
        this.finish = finish;
        this.abort = abort;
        this.holds = holds;
        this.output.open();
    }

    /**
     * A {@code ServletOutputConsumer} started by hand: finishing is {@code finish(null)}, aborting
     * {@code finish(failure)} (the producer failed), holds are the consumer's.
     */
    static ServletSubject direct(ContractSettings settings) throws IOException {
        Exchange exchange = new Exchange();
        ServletOutputConsumer out = ServletOutputConsumer.on(exchange.request, exchange.response)
            .maxWrite(settings.chunkBytes())
            .start(sink -> build(settings, sink, null));
        return new ServletSubject(settings, exchange, out.consumer(), () -> out.finish(null),
                () -> out.finish(new IOException("the contract test fails the producer")), Optional.empty());
    }

    /**
     * The consumer {@link HttpTransfers} gives a producer body: finishing completes the body's stage, aborting fails
     * it, and holds are the registry operator's pause and resume of the producer by name.
     */
    static ServletSubject httpTransfer(ContractSettings settings) throws IOException {
        Exchange exchange = new Exchange();
        ProducerRegistry registry = new ProducerRegistry();
        HttpTransfers transfers = new HttpTransfers(registry, group -> settings.marks(), Runnable::run,
                settings.chunkBytes());
        CompletableFuture<Consumer<ByteBuffer>> given = new CompletableFuture<>();
        CompletableFuture<Void> body = new CompletableFuture<>();
        transfers.send(SluiceBody.producer(consumer -> {
            given.complete(consumer);
            return body;
        }), exchange.request, exchange.response);
        return new ServletSubject(settings, exchange, (BufferedConsumer<ByteBuffer>) given.join(),
                () -> body.complete(null),
                () -> body.completeExceptionally(new IOException("the contract test fails the transfer")),
                Optional.of(new RegistryHolds(registry, settings.timeout())));
    }

    @Override
    public void grant(long bytes) {
        this.output.grant(bytes);
    }

    @Override
    public void finish() {
        this.finish.run();
    }

    @Override
    public void abort() {
        this.abort.run();
    }

    @Override
    public Optional<Holds> holds() {
        return this.holds.isPresent() ? this.holds : super.holds();
    }

    /** A request in asynchronous mode and a response whose output is a {@link GateOutput}. */
    private static final class Exchange {

        final Gate gate = new Gate();

        final GateOutput output = new GateOutput(this.gate);

        final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/contract");

        final MockHttpServletResponse response = new MockHttpServletResponse() {
            @Override
            public ServletOutputStream getOutputStream() {
                return Exchange.this.output;
            }
        };

        Exchange() {
            this.request.setAsyncSupported(true);
        }
    }

    /**
     * The registry operator's orders on the producer registered with the transfer's consumer (one hold per producer,
     * whatever the key): its name is looked up once the registry lists it, and kept, so that an order given after the
     * producer has left goes to a name that is gone, as an operator's would. An order on a stopped producer is refused
     * by the registry; the suite's operator does not mind.
     */
    private static final class RegistryHolds implements Holds {

        private final ProducerRegistry registry;

        private final Duration timeout;

        private volatile String name;

        RegistryHolds(ProducerRegistry registry, Duration timeout) {
            this.registry = registry;
            this.timeout = timeout;
        }

        @Override
        public void hold(String key) {
            order(() -> this.registry.pause(producerName()));
        }

        @Override
        public void release(String key) {
            order(() -> this.registry.resume(producerName()));
        }

        private static void order(Runnable order) {
            try {
                order.run();
            }
            catch (ProducerStoppedException stopped) {
                // the producer was stopped: nothing left to hold or release
            }
        }

        private String producerName() {
            Optional<String> listed = listed();
            if (listed.isEmpty() && this.name != null) {
                return this.name;
            }
            this.name = listed.orElseGet(() -> await().atMost(this.timeout).pollInterval(Duration.ofMillis(1))
                .until(this::listed, Optional::isPresent).orElseThrow());
            return this.name;
        }

        /** The producer the registry lists with a consumer: the transfer's. */
        private Optional<String> listed() {
            return this.registry.producers().stream().filter(p -> p.consumer() != null).map(ProducerSnapshot::name)
                .findFirst();
        }
    }
}
