package dev.sluice.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.BufferView;
import dev.sluice.internal.Log;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.registry.RegistryListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Binds the meters of a {@link ProducerRegistry} (DESIGN §5), and keeps them in step with its membership: a
 * producer's or consumer's meters appear when it registers and are removed when it leaves.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 *   <tr><td>{@code sluice.producer.paused}</td><td>Timer</td><td>producer, consumer</td>
 *       <td>one sample per finished pause: count = pauses, total = paused time, max</td></tr>
 *   <tr><td>{@code sluice.producer.paused.active}</td><td>LongTaskTimer</td><td>producer, consumer</td>
 *       <td>a pause in progress, and for how long</td></tr>
 *   <tr><td>{@code sluice.producer.errors}</td><td>Counter</td><td>producer, consumer, exception</td>
 *       <td>exceptions thrown by the producer's callbacks</td></tr>
 *   <tr><td>{@code sluice.consumer.buffer.depth}</td><td>Gauge</td><td>consumer</td>
 *       <td>units buffered now (base unit {@code bytes} or {@code items})</td></tr>
 *   <tr><td>{@code sluice.consumer.buffer.limit}</td><td>Gauge</td><td>consumer</td><td>the high-water mark</td></tr>
 *   <tr><td>{@code sluice.consumer.written}</td><td>FunctionCounter</td><td>consumer</td>
 *       <td>units accepted by the consumer</td></tr>
 * </table>
 *
 * <p>Tag values are registry names only ({@code consumer} is {@code none} for a producer not registered with a
 * consumer), and at most {@code maxNames} names get meters ({@value #DEFAULT_MAX_NAMES} by default): past the cap, a
 * new name gets none and a warning is logged once, so a registry fed names made per request cannot blow up the meter
 * registry.
 *
 * <p>Nothing here touches the write path: gauges and the counter read the consumer's own atomic figures when
 * scraped, and the timers are fed by pause and resume events, one sample per crossing of a water mark. Gauges hold
 * strong references to what they read.
 */
public final class ProducerRegistryMetrics implements MeterBinder, AutoCloseable {

    /** The default cap on the names that get meters. */
    public static final int DEFAULT_MAX_NAMES = 1000;

    private static final Log log = Log.of(ProducerRegistryMetrics.class);

    private static final String NONE = "none";

    private final ProducerRegistry registry;

    private final int maxNames;

    private final List<MeterRegistry> meterRegistries = new CopyOnWriteArrayList<>();

    private final Map<String, List<Meter>> metersByName = new ConcurrentHashMap<>();

    private final Map<String, List<LongTaskTimer.Sample>> activePauses = new ConcurrentHashMap<>();

    private final Map<String, Map<String, PauseMeters>> pauseMeters = new ConcurrentHashMap<>();

    private final AtomicBoolean warnedAboutCap = new AtomicBoolean();

    private final RegistryListener listener = this::onEvent;

    private final AtomicBoolean listening = new AtomicBoolean();

    /** Meters for {@code registry}, with the default cap. */
    public ProducerRegistryMetrics(ProducerRegistry registry) {
        this(registry, DEFAULT_MAX_NAMES);
    }

    /**
     * Meters for {@code registry}.
     *
     * @param registry the registry
     * @param maxNames at most this many producer and consumer names get meters
     */
    public ProducerRegistryMetrics(ProducerRegistry registry, int maxNames) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (maxNames < 0) {
            throw new IllegalArgumentException("maxNames must not be negative, was " + maxNames);
        }
        this.maxNames = maxNames;
    }

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        this.meterRegistries.add(meterRegistry);
        if (this.listening.compareAndSet(false, true)) {
            this.registry.addListener(this.listener);
        }
        this.registry.consumers().forEach(consumer -> bindConsumer(meterRegistry, consumer.name()));
        this.registry.producers().forEach(producer -> bindProducer(meterRegistry, producer.name(),
                consumerTag(producer.consumer())));
    }

    /** Stops following the registry and removes every meter this binder made. */
    @Override
    public void close() {
        this.registry.removeListener(this.listener);
        for (String name : List.copyOf(this.metersByName.keySet())) {
            removeMeters(name);
        }
    }

    private void onEvent(RegistryEvent event) {
        if (event instanceof RegistryEvent.ConsumerAdded added) {
            this.meterRegistries.forEach(meters -> bindConsumer(meters, added.name()));
        }
        else if (event instanceof RegistryEvent.ProducerAdded added) {
            String consumer = this.registry.producer(added.name()).map(ProducerSnapshot::consumer).orElse(null);
            this.meterRegistries.forEach(meters -> bindProducer(meters, added.name(), consumerTag(consumer)));
        }
        else if (event instanceof RegistryEvent.Removed removed) {
            removeMeters(removed.name());
        }
        else if (event instanceof RegistryEvent.StateChanged changed) {
            stateChanged(changed);
        }
        else if (event instanceof RegistryEvent.CallbackFailed failed) {
            if (admit(failed.name())) {
                Tags tags = producerTags(failed.name(), failed.consumer())
                    .and("exception", failed.failure().getClass().getSimpleName());
                this.meterRegistries.forEach(meters -> track(failed.name(),
                        Counter.builder("sluice.producer.errors").tags(tags)
                            .description("Exceptions thrown by a producer's callbacks")
                            .register(meters))
                    .increment());
            }
        }
    }

    private void stateChanged(RegistryEvent.StateChanged changed) {
        String producer = changed.name();
        if (!admit(producer)) {
            return;
        }
        PauseMeters meters = pauseMeters(producer, consumerTag(changed.consumer()));
        if (changed.from() == ProducerState.PAUSED) {
            endActivePause(producer);
            meters.recordFinishedPause(changed.pausedFor().toNanos());
        }
        if (changed.to() == ProducerState.PAUSED) {
            this.activePauses.put(producer, meters.startActivePause());
        }
    }

    /** The pause meters of one producer with one consumer, built once and then looked up. */
    private PauseMeters pauseMeters(String producer, String consumer) {
        return this.pauseMeters.computeIfAbsent(producer, key -> new ConcurrentHashMap<>())
            .computeIfAbsent(consumer, key -> {
                List<Timer> timers = new ArrayList<>();
                List<LongTaskTimer> active = new ArrayList<>();
                for (MeterRegistry meters : this.meterRegistries) {
                    timers.add(pausedTimer(meters, producer, consumer));
                    active.add(activePauses(meters, producer, consumer));
                }
                return new PauseMeters(timers, active);
            });
    }

    private void bindConsumer(MeterRegistry meters, String name) {
        BufferView view = this.registry.bufferView(name).orElse(null);
        if (view == null || !admit(name)) {
            return;
        }
        Tags tags = Tags.of("consumer", name);
        track(name, Gauge.builder("sluice.consumer.buffer.depth", view, BufferView::bufferedUnits)
            .tags(tags).baseUnit(view.unit()).strongReference(true)
            .description("Units buffered by the consumer now").register(meters));
        track(name, Gauge.builder("sluice.consumer.buffer.limit", view, BufferView::highWaterMark)
            .tags(tags).baseUnit(view.unit()).strongReference(true)
            .description("The consumer's high-water mark").register(meters));
        track(name, FunctionCounter.builder("sluice.consumer.written", view, BufferView::acceptedUnits)
            .tags(tags).baseUnit(view.unit())
            .description("Units accepted by the consumer").register(meters));
    }

    private void bindProducer(MeterRegistry meters, String name, String consumer) {
        if (admit(name)) {
            pausedTimer(meters, name, consumer);
            activePauses(meters, name, consumer);
            this.pauseMeters.remove(name); // built again, for every bound registry, at the next pause
        }
    }

    private Timer pausedTimer(MeterRegistry meters, String producer, String consumer) {
        return track(producer, Timer.builder("sluice.producer.paused").tags(producerTags(producer, consumer))
            .description("Finished pauses of a producer: count, total and longest paused time")
            .register(meters));
    }

    private LongTaskTimer activePauses(MeterRegistry meters, String producer, String consumer) {
        return track(producer, LongTaskTimer.builder("sluice.producer.paused.active")
            .tags(producerTags(producer, consumer))
            .description("A pause of a producer in progress, and how long it has lasted").register(meters));
    }

    private static Tags producerTags(String producer, @Nullable String consumer) {
        return Tags.of("producer", producer, "consumer", consumerTag(consumer));
    }

    private static String consumerTag(@Nullable String consumer) {
        return (consumer != null) ? consumer : NONE;
    }

    private <M extends Meter> M track(String name, M meter) {
        List<Meter> meters = this.metersByName.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>());
        if (!meters.contains(meter)) {
            meters.add(meter);
        }
        return meter;
    }

    /** Whether {@code name} may have meters: it has some already, or the cap leaves room. */
    private boolean admit(String name) {
        if (this.metersByName.containsKey(name)) {
            return true;
        }
        if (this.metersByName.size() < this.maxNames) {
            return true;
        }
        if (this.warnedAboutCap.compareAndSet(false, true)) {
            log.warn("Sluice metrics reached their cap of {} producer and consumer names; '{}' and later names get "
                    + "no meters. Registry names must come from a bounded set.", this.maxNames, name);
        }
        return false;
    }

    private void endActivePause(String producer) {
        List<LongTaskTimer.Sample> samples = this.activePauses.remove(producer);
        if (samples != null) {
            samples.forEach(LongTaskTimer.Sample::stop);
        }
    }

    private void removeMeters(String name) {
        endActivePause(name);
        this.pauseMeters.remove(name);
        List<Meter> meters = this.metersByName.remove(name);
        if (meters == null) {
            return;
        }
        for (Meter meter : new ArrayList<>(meters)) {
            this.meterRegistries.forEach(registry -> registry.remove(meter));
        }
    }

    private record PauseMeters(List<Timer> finished, List<LongTaskTimer> active) {

        void recordFinishedPause(long nanos) {
            for (Timer timer : this.finished) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        List<LongTaskTimer.Sample> startActivePause() {
            List<LongTaskTimer.Sample> samples = new ArrayList<>(this.active.size());
            for (LongTaskTimer timer : this.active) {
                samples.add(timer.start());
            }
            return samples;
        }
    }
}
