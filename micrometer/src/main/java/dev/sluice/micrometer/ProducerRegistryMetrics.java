package dev.sluice.micrometer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.sluice.internal.Log;
import dev.sluice.registry.GroupView;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.registry.RegistryListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds the meters of a {@link ProducerRegistry} (DESIGN §5): one set per group, tagged with the group's name only,
 * kept in step with the registry's membership. A group's producer meters appear when its first producer registers,
 * its consumer meters when its first consumer does, and all go when the group's last member leaves. A producer or
 * consumer registered on its own is a group of one, tagged with its own name.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tag</th><th>meaning</th></tr>
 *   <tr><td>{@code sluice.producer.paused}</td><td>FunctionTimer</td><td>producer</td>
 *       <td>count = pauses of the group's producers, total = time paused (pauses in progress included)</td></tr>
 *   <tr><td>{@code sluice.producer.paused.active}</td><td>Gauge</td><td>producer</td>
 *       <td>how many of the group's producers are paused now</td></tr>
 *   <tr><td>{@code sluice.producer.paused.longest}</td><td>TimeGauge</td><td>producer</td>
 *       <td>the longest pause in progress in the group, 0 when none: alert on it</td></tr>
 *   <tr><td>{@code sluice.producer.errors}</td><td>FunctionCounter</td><td>producer</td>
 *       <td>callbacks of the group's producers that threw</td></tr>
 *   <tr><td>{@code sluice.consumer.buffer.depth}</td><td>Gauge</td><td>consumer</td>
 *       <td>units buffered by the group's consumers now (base unit {@code bytes} or {@code items})</td></tr>
 *   <tr><td>{@code sluice.consumer.buffer.limit}</td><td>Gauge</td><td>consumer</td>
 *       <td>the sum of their high-water marks</td></tr>
 *   <tr><td>{@code sluice.consumer.written}</td><td>FunctionCounter</td><td>consumer</td>
 *       <td>units accepted by the group's consumers</td></tr>
 *   <tr><td>{@code sluice.consumer.sent}</td><td>FunctionCounter</td><td>consumer</td>
 *       <td>units they passed on to their sinks</td></tr>
 *   <tr><td>{@code sluice.consumer.dropped}</td><td>FunctionCounter</td><td>consumer</td>
 *       <td>units they dropped (written after a loss, or buffered when the connection was lost or aborted)</td></tr>
 * </table>
 *
 * <p><strong>Nothing is recorded on a data path or a signal lane.</strong> Every meter is function-based and reads
 * the registry's {@link GroupView} when it is scraped; the pause figures come from the consumers' lanes, which keep
 * them with plain stores anyway. Counters never go down while the group exists (a member that leaves adds what it had
 * reached to the group); a group made again after its last member left starts from zero, which monitoring systems
 * read as a counter reset.
 *
 * <p>At most {@code maxNames} groups get meters ({@value #DEFAULT_MAX_NAMES} by default): past the cap, a new group
 * gets none and a warning is logged once, so a registry fed group names made per request cannot blow up the meter
 * registry. Group names should come from code; instances made per request belong in a group.
 */
public final class ProducerRegistryMetrics implements MeterBinder, AutoCloseable {

    /** The default cap on the groups that get meters. */
    public static final int DEFAULT_MAX_NAMES = 1000;

    private static final Log log = Log.of(ProducerRegistryMetrics.class);

    private final ProducerRegistry registry;

    private final int maxNames;

    private final RegistryListener listener = this::onEvent;

    // guarded by this
    private final List<MeterRegistry> meterRegistries = new ArrayList<>();

    private final Map<String, BoundGroup> bound = new LinkedHashMap<>();

    private boolean listening;

    private boolean warnedAboutCap;

    /** Meters for {@code registry}, with the default cap. */
    public ProducerRegistryMetrics(ProducerRegistry registry) {
        this(registry, DEFAULT_MAX_NAMES);
    }

    /**
     * Meters for {@code registry}.
     *
     * @param registry the registry
     * @param maxNames at most this many groups (a producer or consumer registered on its own is one) get meters
     * @throws IllegalArgumentException if {@code maxNames} is negative
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
        synchronized (this) {
            this.meterRegistries.add(Objects.requireNonNull(meterRegistry, "meterRegistry"));
            for (BoundGroup group : this.bound.values()) {
                group.registerOn(meterRegistry);
            }
            if (!this.listening) {
                this.listening = true;
                this.registry.addMembershipListener(this.listener);
            }
        }
        for (String group : this.registry.groupNames()) {
            reconcile(group);
        }
    }

    /** Stops following the registry and removes every meter this binder made. */
    @Override
    public synchronized void close() {
        this.registry.removeMembershipListener(this.listener);
        this.listening = false;
        for (BoundGroup group : this.bound.values()) {
            group.remove();
        }
        this.bound.clear();
    }

    private void onEvent(RegistryEvent event) {
        if (event instanceof RegistryEvent.Membership membership) {
            reconcile(membership.group());
        }
    }

    /**
     * Makes the meters of {@code group} match the registry now. Events from different threads may arrive in any
     * order, so each one only says "look again": the last look, made after the last change, decides.
     */
    private synchronized void reconcile(String group) {
        if (!this.listening) {
            return;
        }
        GroupView view = this.registry.groupView(group).orElse(null);
        BoundGroup current = this.bound.get(group);
        if (current != null && current.view != view) {
            current.remove(); // gone, or made again since
            this.bound.remove(group);
            current = null;
        }
        if (view == null) {
            return;
        }
        if (current == null) {
            if (!admit(group)) {
                return;
            }
            current = new BoundGroup(view);
            this.bound.put(group, current);
        }
        current.update();
    }

    private boolean admit(String group) {
        if (this.bound.size() < this.maxNames) {
            return true;
        }
        if (!this.warnedAboutCap) {
            this.warnedAboutCap = true;
            log.warn("Sluice metrics reached their cap of {} groups; '{}' and later groups get no meters. Register "
                    + "producers and consumers made per request in a group (ProducerRegistry.register(group, ...)).",
                    this.maxNames, group);
        }
        return false;
    }

    /** The meters of one group, on every bound meter registry; guarded by the binder. */
    private final class BoundGroup {

        final GroupView view;

        private boolean producerSide;

        private boolean consumerSide;

        private final List<Registered> meters = new ArrayList<>();

        BoundGroup(GroupView view) {
            this.view = view;
        }

        void update() {
            boolean producers = !this.producerSide && this.view.hasProducers();
            boolean consumers = !this.consumerSide && this.view.hasConsumers();
            this.producerSide |= producers;
            this.consumerSide |= consumers;
            for (MeterRegistry meterRegistry : ProducerRegistryMetrics.this.meterRegistries) {
                register(meterRegistry, producers, consumers);
            }
        }

        void registerOn(MeterRegistry meterRegistry) {
            register(meterRegistry, this.producerSide, this.consumerSide);
        }

        private void register(MeterRegistry meterRegistry, boolean producers, boolean consumers) {
            if (producers) {
                registerProducerMeters(meterRegistry);
            }
            if (consumers) {
                registerConsumerMeters(meterRegistry);
            }
        }

        private void registerProducerMeters(MeterRegistry meterRegistry) {
            Tags tags = Tags.of("producer", this.view.name());
            track(meterRegistry, FunctionTimer.builder("sluice.producer.paused", this.view, GroupView::pauseCount,
                    GroupView::pausedNanos, TimeUnit.NANOSECONDS)
                .tags(tags)
                .description("Pauses of a group's producers: count, and total time paused (pauses in progress "
                        + "included)")
                .register(meterRegistry));
            track(meterRegistry, Gauge.builder("sluice.producer.paused.active", this.view, GroupView::producersPaused)
                .tags(tags).strongReference(true)
                .description("How many of a group's producers are paused now")
                .register(meterRegistry));
            track(meterRegistry, TimeGauge.builder("sluice.producer.paused.longest", this.view, TimeUnit.NANOSECONDS,
                    GroupView::longestCurrentPauseNanos)
                .tags(tags).strongReference(true)
                .description("The longest pause in progress among a group's producers; 0 when none is paused")
                .register(meterRegistry));
            track(meterRegistry, FunctionCounter.builder("sluice.producer.errors", this.view, GroupView::errors)
                .tags(tags)
                .description("Callbacks of a group's producers that threw")
                .register(meterRegistry));
        }

        private void registerConsumerMeters(MeterRegistry meterRegistry) {
            Tags tags = Tags.of("consumer", this.view.name());
            String unit = this.view.unit();
            track(meterRegistry, Gauge.builder("sluice.consumer.buffer.depth", this.view, GroupView::bufferedUnits)
                .tags(tags).baseUnit(unit).strongReference(true)
                .description("Units buffered by a group's consumers now")
                .register(meterRegistry));
            track(meterRegistry, Gauge.builder("sluice.consumer.buffer.limit", this.view, GroupView::highWaterMark)
                .tags(tags).baseUnit(unit).strongReference(true)
                .description("The sum of a group's consumers' high-water marks")
                .register(meterRegistry));
            track(meterRegistry, counter("sluice.consumer.written", GroupView::acceptedUnits,
                    "Units accepted by a group's consumers", tags, unit, meterRegistry));
            track(meterRegistry, counter("sluice.consumer.sent", GroupView::sentUnits,
                    "Units a group's consumers passed on to their sinks", tags, unit, meterRegistry));
            track(meterRegistry, counter("sluice.consumer.dropped", GroupView::droppedUnits,
                    "Units a group's consumers dropped", tags, unit, meterRegistry));
        }

        private FunctionCounter counter(String name, ToDoubleFunction<GroupView> figure,
                String description, Tags tags, String unit, MeterRegistry meterRegistry) {
            return FunctionCounter.builder(name, this.view, figure).tags(tags).baseUnit(unit)
                .description(description).register(meterRegistry);
        }

        private void track(MeterRegistry meterRegistry, Meter meter) {
            this.meters.add(new Registered(meterRegistry, meter));
        }

        void remove() {
            for (Registered registered : this.meters) {
                registered.meterRegistry.remove(registered.meter);
            }
            this.meters.clear();
        }
    }

    private record Registered(MeterRegistry meterRegistry, Meter meter) {
    }

}
