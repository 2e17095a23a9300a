package dev.sluice.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import dev.sluice.internal.Log;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * The pipes of {@code sluice.pipes.*}: each registers a producer bean with a consumer bean when the context starts,
 * and shuts down gracefully when it stops.
 *
 * <p><b>Phase.</b> Pipes start after the embedded web server has started and stop after its graceful shutdown has let
 * in-flight requests finish (requests may still write into a pipe's consumer until then), but before the web server
 * itself stops: {@link #PHASE} lies halfway between Spring Boot's
 * {@link WebServerApplicationContext#START_STOP_LIFECYCLE_PHASE} and
 * {@link WebServerApplicationContext#GRACEFUL_SHUTDOWN_PHASE} (lifecycle beans start in ascending phase order and stop
 * in descending order). Without a web server the order among other
 * lifecycle beans is the same.
 *
 * <p><b>Graceful shutdown</b>, for every pipe at once: each producer is held (an operator pause, so it takes no new
 * data) and stopped; each {@link BufferedConsumer} is closed cleanly ({@link BufferedConsumer#loseConnection()}), so
 * its buffer drains into its sink. {@link #stop(Runnable)} returns at once and calls back when every consumer's close
 * future has completed, or after {@code sluice.shutdown.timeout}, when what is still buffered is dropped
 * ({@link BufferedConsumer#abortConnection()}), logged and counted in the consumer's dropped units. The whole phase is
 * also bounded by Spring's {@code spring.lifecycle.timeout-per-shutdown-phase}; keep the Sluice timeout within it.
 */
public final class SluicePipes implements SmartLifecycle {

    /** Between the web server's start/stop phase and its graceful-shutdown phase; see the class description. */
    public static final int PHASE = WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE
            + (WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE
                    - WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE) / 2;

    private static final Log log = Log.of(SluicePipes.class);

    private final List<Pipe> pipes;

    private final Duration shutdownTimeout;

    private volatile boolean running;

    /**
     * Resolves the configured pipes against {@code beans}.
     *
     * @throws SluiceConfigurationException naming the property when a bean is missing, of the wrong type, or already
     *         in another pipe
     */
    public SluicePipes(List<Definition> definitions, BeanFactory beans, Duration shutdownTimeout) {
        this(definitions, beans, shutdownTimeout, List.of());
    }

    /**
     * Resolves the configured pipes against {@code beans}, asking {@code producerResolvers} first for each producer
     * value that is not a plain bean name (such as {@code kafka:orders}).
     *
     * @throws SluiceConfigurationException naming the property when a bean is missing, of the wrong type, or already
     *         in another pipe
     */
    public SluicePipes(List<Definition> definitions, BeanFactory beans, Duration shutdownTimeout,
            List<PipeProducerResolver> producerResolvers) {
        this.shutdownTimeout = shutdownTimeout;
        List<Pipe> resolved = new ArrayList<>();
        Map<Object, String> taken = new IdentityHashMap<>();
        for (Definition definition : definitions) {
            String key = "sluice.pipes." + definition.name();
            Consumer<?> consumer = bean(beans, key + ".consumer", definition.consumerBean(), Consumer.class);
            Producer producer = producer(beans, key + ".producer", definition.producerBean(), consumer,
                    producerResolvers);
            claim(taken, producer, key + ".producer", definition.producerBean(), "producer");
            claim(taken, consumer, key + ".consumer", definition.consumerBean(), "consumer");
            resolved.add(new Pipe(definition, producer, consumer));
        }
        this.pipes = List.copyOf(resolved);
    }

    private static Producer producer(BeanFactory beans, String key, String value, Consumer<?> consumer,
            List<PipeProducerResolver> resolvers) {
        for (PipeProducerResolver resolver : resolvers) {
            Producer producer = resolver.resolve(key, value, consumer);
            if (producer != null) {
                return producer;
            }
        }
        return bean(beans, key, value, Producer.class);
    }

    private static <T> T bean(BeanFactory beans, String key, String beanName, Class<T> type) {
        if (!beans.containsBean(beanName)) {
            throw new SluiceConfigurationException(key, beanName, "names no bean",
                    "Define a bean named '" + beanName + "', or correct " + key + ".");
        }
        if (!beans.isTypeMatch(beanName, type)) {
            throw new SluiceConfigurationException(key, beanName,
                    "names a bean of type " + beans.getType(beanName) + ", which is not a " + type.getSimpleName(),
                    "Point " + key + " at a bean that implements " + type.getName() + ".");
        }
        return beans.getBean(beanName, type);
    }

    private static void claim(Map<Object, String> taken, Object bean, String key, String beanName, String role) {
        String other = taken.putIfAbsent(bean, key);
        if (other != null) {
            throw new SluiceConfigurationException(key, beanName, "names the " + role + " that " + other
                    + " already names: a " + role + " takes part in one pipe at most",
                    "Remove one of the two pipes, or give it another " + role + " bean.");
        }
    }

    /** The names of the configured pipes. */
    public List<String> names() {
        return this.pipes.stream().map(pipe -> pipe.definition.name()).toList();
    }

    @Override
    public void start() {
        for (Pipe pipe : this.pipes) {
            Definition definition = pipe.definition;
            try {
                pipe.consumer.registerProducer(pipe.producer, pipe.producer instanceof PushProducer);
            }
            catch (IllegalStateException ex) {
                String key = "sluice.pipes." + definition.name() + ".consumer";
                throw new SluiceConfigurationException(key, definition.consumerBean(),
                        "names a consumer that already has a producer: " + ex.getMessage(),
                        "Let the pipe register the producer: remove the registerProducer call for consumer '"
                                + definition.consumerBean() + "', or remove pipe '" + definition.name() + "'.");
            }
            log.info("Sluice pipe '{}' started: producer '{}' -> consumer '{}'", definition.name(),
                    definition.producerBean(), definition.consumerBean());
        }
        this.running = true;
    }

    /** Stops as {@link #stop(Runnable)} does, and waits for it (at most {@code sluice.shutdown.timeout}). */
    @Override
    public void stop() {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        stop(() -> stopped.complete(null));
        stopped.join();
    }

    @Override
    public void stop(Runnable callback) {
        this.running = false;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Pipe pipe : this.pipes) {
            closing.add(pipe.close(this.shutdownTimeout));
        }
        AtomicBoolean done = new AtomicBoolean();
        Runnable once = () -> {
            if (done.compareAndSet(false, true)) {
                callback.run();
            }
        };
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
            .orTimeout(this.shutdownTimeout.toNanos(), TimeUnit.NANOSECONDS)
            .whenComplete((drained, timedOut) -> {
                if (timedOut != null) {
                    this.pipes.forEach(Pipe::dropWhatIsLeft);
                }
                once.run();
            });
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * A pipe as configured.
     *
     * @param name the pipe's name
     * @param producerBean the name of its producer bean
     * @param consumerBean the name of its consumer bean
     */
    public record Definition(String name, String producerBean, String consumerBean) {
    }

    private record Pipe(Definition definition, Producer producer, Consumer<?> consumer) {

        /** Holds and stops the producer, closes the consumer cleanly; completes when the consumer has closed. */
        CompletableFuture<Void> close(Duration timeout) {
            if (this.consumer instanceof BufferedConsumer<?> buffered && buffered.whenClosed().isDone()) {
                // closed already by the pipe's own lifecycle (a Kafka pipe, drained before its container stopped),
                // which logged its stop
                log.debug("Sluice pipe '{}': consumer '{}' closed already", this.definition.name(),
                        this.definition.consumerBean());
                return CompletableFuture.completedFuture(null);
            }
            if (this.consumer instanceof ConsumerSupport<?> support) {
                support.holdProducer();
                support.stopProducer();
            }
            else {
                this.consumer.unregisterProducer();
                this.producer.stopProducing();
            }
            if (!(this.consumer instanceof BufferedConsumer<?> buffered)) {
                return CompletableFuture.completedFuture(null);
            }
            long left = buffered.bufferedUnits();
            if (left > 0) {
                log.info("Sluice pipe '{}' stopping: producer '{}' stopped, {} {} buffered in consumer '{}' to "
                        + "drain within {}", this.definition.name(), this.definition.producerBean(), left,
                        buffered.unit(), this.definition.consumerBean(), DurationStyle.SIMPLE.print(timeout));
            }
            long started = System.nanoTime();
            buffered.loseConnection();
            return buffered.whenClosed().handle((closed, failure) -> {
                log.info("Sluice pipe '{}' stopped: consumer '{}' {} after {} ms", this.definition.name(),
                        this.definition.consumerBean(), (failure == null) ? "drained and closed" : "closed: " + failure,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return null;
            });
        }

        void dropWhatIsLeft() {
            if (this.consumer instanceof BufferedConsumer<?> buffered && !buffered.whenClosed().isDone()) {
                log.warn("Sluice pipe '{}' did not drain within sluice.shutdown.timeout: consumer '{}' drops the "
                        + "{} {} still buffered", this.definition.name(), this.definition.consumerBean(),
                        buffered.bufferedUnits(), buffered.unit());
                buffered.abortConnection();
            }
        }
    }
}
