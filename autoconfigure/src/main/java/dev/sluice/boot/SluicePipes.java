package dev.sluice.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.BufferView;
import dev.sluice.BufferedConsumer;
import dev.sluice.Consumer;
import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import dev.sluice.internal.Log;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The pipes of {@code sluice.pipes.*}: each registers a producer bean with a consumer bean once the context has
 * started, and shuts down gracefully when it stops.
 *
 * <p>Graceful shutdown, for every pipe at once: the producer is held (an operator pause, so it takes no new data),
 * the buffers drain for up to {@code sluice.shutdown.timeout}, then each producer is stopped. A consumer whose buffer
 * drained is closed cleanly ({@link BufferedConsumer#loseConnection()}); one that still holds data is aborted, and
 * what it drops is logged and counted in its dropped units. Nothing is dropped silently.
 *
 * <p>It stops after the application's own lifecycle beans, which may still be writing, and before the web server.
 */
public final class SluicePipes implements SmartLifecycle {

    /** Starts before, and stops after, lifecycle beans of the default phase. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

    private static final Log log = Log.of(SluicePipes.class);

    private final List<Pipe> pipes;

    private final Duration shutdownTimeout;

    private volatile boolean running;

    /**
     * Resolves the configured pipes against {@code beans}.
     *
     * @throws SluiceConfigurationException naming the property when a bean is missing or of the wrong type
     */
    public SluicePipes(List<Definition> definitions, BeanFactory beans, Duration shutdownTimeout) {
        this(definitions, beans, shutdownTimeout, List.of());
    }

    /**
     * Resolves the configured pipes against {@code beans}, asking {@code producerResolvers} first for each producer
     * value that is not a plain bean name (such as {@code kafka:orders}).
     *
     * @throws SluiceConfigurationException naming the property when a bean is missing or of the wrong type
     */
    public SluicePipes(List<Definition> definitions, BeanFactory beans, Duration shutdownTimeout,
            List<PipeProducerResolver> producerResolvers) {
        this.shutdownTimeout = shutdownTimeout;
        List<Pipe> resolved = new ArrayList<>();
        for (Definition definition : definitions) {
            String key = "sluice.pipes." + definition.name();
            Consumer<?> consumer = bean(beans, key + ".consumer", definition.consumerBean(), Consumer.class);
            Producer producer = producer(beans, key + ".producer", definition.producerBean(), consumer,
                    producerResolvers);
            resolved.add(new Pipe(definition.name(), producer, consumer));
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

    /** The names of the configured pipes. */
    public List<String> names() {
        return this.pipes.stream().map(Pipe::name).toList();
    }

    @Override
    public void start() {
        for (Pipe pipe : this.pipes) {
            pipe.consumer.registerProducer(pipe.producer, pipe.producer instanceof PushProducer);
            log.info("Sluice pipe '{}' started: {} -> {}", pipe.name, pipe.producer, pipe.consumer);
        }
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        for (Pipe pipe : this.pipes) {
            if (pipe.consumer instanceof ConsumerSupport<?> support) {
                support.holdProducer();
            }
        }
        long deadline = System.nanoTime() + this.shutdownTimeout.toNanos();
        for (Pipe pipe : this.pipes) {
            awaitDrained(pipe, deadline);
        }
        for (Pipe pipe : this.pipes) {
            close(pipe);
        }
    }

    private static void awaitDrained(Pipe pipe, long deadline) {
        if (!(pipe.consumer instanceof BufferView view)) {
            return;
        }
        while (view.bufferedUnits() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static void close(Pipe pipe) {
        if (pipe.consumer instanceof ConsumerSupport<?> support) {
            support.stopProducer();
        }
        else {
            pipe.consumer.unregisterProducer();
            pipe.producer.stopProducing();
        }
        if (pipe.consumer instanceof BufferedConsumer<?> buffered) {
            long left = buffered.bufferedUnits();
            if (left > 0) {
                log.warn("Sluice pipe '{}' did not drain within the shutdown timeout: dropping {} {}", pipe.name, left,
                        buffered.unit());
                buffered.abortConnection();
            }
            else {
                buffered.loseConnection();
            }
        }
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

    private record Pipe(String name, Producer producer, Consumer<?> consumer) {
    }
}
