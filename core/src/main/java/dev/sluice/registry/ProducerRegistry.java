package dev.sluice.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.BufferView;
import dev.sluice.ConsumerSupport;
import dev.sluice.Producer;
import dev.sluice.internal.Log;
import org.jspecify.annotations.Nullable;

/**
 * A name index of the producers and consumers that take part, in groups: operator control by name, and figures read
 * on demand for the actuator endpoint, health and meters (DESIGN §5).
 *
 * <h2>State is read, not rebuilt</h2>
 * What a producer is doing — paused or not, how often and how long it has been paused, the pause in progress, the
 * units its consumer accepted — is kept by the owner loop of the consumer it is registered with, with plain stores,
 * and read here when asked ({@link #producer(String)}, {@link #groupView(String)} …). The registry only follows which
 * consumer each producer is registered with, from the consumer's loop events, which arrive in order; and it checks that
 * against the consumer ({@link ConsumerSupport#producer()}) at every read. A producer's figures are therefore known
 * while it is registered with a consumer that is itself in the registry; they count from the moment both were.
 *
 * <h2>Groups</h2>
 * Producers and consumers made per request or per message join a group: {@link #register(String, Producer)} and
 * {@link #register(String, ConsumerSupport)} give each an instance name {@code <group>#<n>} (unique for the registry's
 * life) and return a {@link Registration} whose {@link Registration#close() close()} removes it. A consumer registered
 * in a group also brings in the producer registered with it, if that producer is not in the registry: it is listed as
 * {@code <consumer name>.producer} in the same group for as long as it stays registered with the consumer (so a
 * producer made inside a library, such as a {@code PullToPush} task, is seen too). Instances are listed one by one
 * ({@link #producers()}, {@link #consumers()}); meters are kept per group ({@link GroupView}), so the number of
 * series depends on the code, not on the traffic. {@link #registerProducer} and {@link #registerConsumer} register a
 * singleton: a group of one with the same name. A group exists while it has members.
 *
 * <h2>Operator orders</h2>
 * An operator's {@link #pause(String)} is a standing order that composes with back-pressure: it places a keyed hold
 * ({@link ConsumerSupport#hold(Object)}) on the consumer the producer is registered with, so the producer is paused
 * through that consumer's loop, and resumes only when the operator resumes it <em>and</em> the buffer no longer wants
 * it paused. The order follows the producer to any consumer it registers with later, and is withdrawn from one it
 * leaves. Orders from many threads need no coordination: once they are quiet, the producer is in the state of the last
 * order, and {@link ProducerSnapshot#heldByOperator()} agrees with the consumer's hold.
 *
 * <p>Producers and consumers share one namespace; a producer or consumer object is registered at most once. Thread-safe;
 * no registry lock is held while a producer callback or a listener runs, and nothing is recorded on a data path.
 */
public final class ProducerRegistry {

    private static final Log log = Log.of(ProducerRegistry.class);

    private static final String FOLLOWED_SUFFIX = ".producer";

    private final ConcurrentHashMap<String, Object> byName = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<IdentityKey, ProducerEntry> producersByObject = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<IdentityKey, ConsumerEntry> consumersByObject = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();

    private final AtomicLong instances = new AtomicLong();

    private final CopyOnWriteArrayList<RegistryListener> listeners = new CopyOnWriteArrayList<>();

    private final CopyOnWriteArrayList<RegistryListener> membershipListeners = new CopyOnWriteArrayList<>();

    /**
     * Registers {@code producer} on its own under {@code name}: a group of one called {@code name}.
     *
     * @param name a unique name
     * @param producer the producer
     * @return a registration whose {@code close()} removes it
     * @throws IllegalStateException if the name is taken (by a producer, a consumer or a group), or the producer is
     *         already registered; the message names both
     * @throws IllegalArgumentException if the name is blank
     */
    public Registration registerProducer(String name, Producer producer) {
        return addProducer(checkName(name, "name"), checkName(name, "name"), true,
                Objects.requireNonNull(producer, "producer"), null);
    }

    /**
     * Registers {@code consumer} on its own under {@code name} (a group of one called {@code name}), and starts
     * following which producer is registered with it.
     *
     * @param name a unique name
     * @param consumer the consumer
     * @return a registration whose {@code close()} removes it
     * @throws IllegalStateException if the name is taken, or the consumer is already registered; the message names
     *         both
     * @throws IllegalArgumentException if the name is blank
     */
    public Registration registerConsumer(String name, ConsumerSupport<?> consumer) {
        return addConsumer(checkName(name, "name"), checkName(name, "name"), true,
                Objects.requireNonNull(consumer, "consumer"));
    }

    /**
     * Registers {@code producer}, made for one request or message, as an instance of {@code group}, named
     * {@code <group>#<n>}. The instance is listed while it is registered; its figures count towards the group's
     * meters, also after it has gone.
     *
     * @param group the group's name: a meter tag, so it should come from a bounded set (a name in code)
     * @param producer the producer
     * @return a registration whose {@code close()} removes the instance; close it when the producer is done
     * @throws IllegalStateException if {@code group} is the name of a producer or consumer registered on its own, or
     *         the producer is already registered
     * @throws IllegalArgumentException if the group's name is blank
     */
    public Registration register(String group, Producer producer) {
        String groupName = checkName(group, "group");
        Objects.requireNonNull(producer, "producer");
        for (;;) {
            Registration added = addProducer(groupName, instanceName(groupName), false, producer, null);
            if (added != null) {
                return added;
            }
        }
    }

    /**
     * Registers {@code consumer}, made for one request or message, as an instance of {@code group}, named
     * {@code <group>#<n>}, and follows its producer: a producer registered with it that is not in the registry is
     * listed as {@code <group>#<n>.producer} in the same group while it stays registered with it.
     *
     * @param group the group's name: a meter tag, so it should come from a bounded set (a name in code)
     * @param consumer the consumer
     * @return a registration whose {@code close()} removes the instance (and the producer it brought in); close it
     *         when the consumer has closed
     * @throws IllegalStateException if {@code group} is the name of a producer or consumer registered on its own, or
     *         the consumer is already registered
     * @throws IllegalArgumentException if the group's name is blank, or the consumer counts other units (bytes,
     *         items) than the group's other consumers
     */
    public Registration register(String group, ConsumerSupport<?> consumer) {
        String groupName = checkName(group, "group");
        Objects.requireNonNull(consumer, "consumer");
        for (;;) {
            Registration added = addConsumer(groupName, instanceName(groupName), false, consumer);
            if (added != null) {
                return added;
            }
        }
    }

    /**
     * Removes the producer or consumer called {@code name}. A removed consumer is no longer followed; an operator's
     * hold placed for a removed producer is withdrawn. Its figures stay in its group's totals.
     *
     * @return whether something was removed
     */
    public boolean remove(String name) {
        Object entry = this.byName.get(name);
        return entry != null && removeEntry(entry);
    }

    /** Whether {@code producerOrConsumer} itself is registered, under any name. */
    public boolean contains(Object producerOrConsumer) {
        IdentityKey key = new IdentityKey(producerOrConsumer);
        return this.producersByObject.containsKey(key) || this.consumersByObject.containsKey(key);
    }

    /** The producer called {@code name}, now. */
    public Optional<ProducerSnapshot> producer(String name) {
        return (this.byName.get(name) instanceof ProducerEntry entry) ? Optional.of(entry.snapshot())
                : Optional.empty();
    }

    /** Every producer, by name. */
    public List<ProducerSnapshot> producers() {
        List<ProducerSnapshot> all = new ArrayList<>();
        for (Object entry : this.byName.values()) {
            if (entry instanceof ProducerEntry producer) {
                all.add(producer.snapshot());
            }
        }
        all.sort(Comparator.comparing(ProducerSnapshot::name));
        return all;
    }

    /** The consumer called {@code name}, now. */
    public Optional<ConsumerSnapshot> consumer(String name) {
        return (this.byName.get(name) instanceof ConsumerEntry entry) ? Optional.of(entry.snapshot())
                : Optional.empty();
    }

    /** Every consumer, by name. */
    public List<ConsumerSnapshot> consumers() {
        List<ConsumerSnapshot> all = new ArrayList<>();
        for (Object entry : this.byName.values()) {
            if (entry instanceof ConsumerEntry consumer) {
                all.add(consumer.snapshot());
            }
        }
        all.sort(Comparator.comparing(ConsumerSnapshot::name));
        return all;
    }

    /** The group called {@code name}, now. */
    public Optional<GroupSnapshot> group(String name) {
        Group group = this.groups.get(name);
        return (group != null) ? Optional.of(GroupSnapshot.of(group)) : Optional.empty();
    }

    /** Every group, by name. */
    public List<GroupSnapshot> groups() {
        List<GroupSnapshot> all = new ArrayList<>();
        for (Group group : this.groups.values()) {
            all.add(GroupSnapshot.of(group));
        }
        all.sort(Comparator.comparing(GroupSnapshot::name));
        return all;
    }

    /** The live view of the group called {@code name}, while it exists (for meters read at scrape time). */
    public Optional<GroupView> groupView(String name) {
        return Optional.ofNullable(this.groups.get(name));
    }

    /** The names of the groups that exist now. */
    public List<String> groupNames() {
        List<String> names = new ArrayList<>(this.groups.keySet());
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** The live buffer view of the consumer called {@code name}, if it has one. */
    public Optional<BufferView> bufferView(String name) {
        return (this.byName.get(name) instanceof ConsumerEntry entry && entry.consumer instanceof BufferView view)
                ? Optional.of(view) : Optional.empty();
    }

    /**
     * An operator's pause of the producer called {@code name}; see the class description. Pausing twice is the same
     * as once.
     *
     * @return the producer after the order, or empty if there is none of that name
     * @throws ProducerStoppedException if the producer has been stopped
     */
    public Optional<ProducerSnapshot> pause(String name) {
        return order(name, true);
    }

    /**
     * Withdraws an operator's pause. The producer resumes unless its buffer still wants it paused. Resuming a producer
     * that is not held does nothing.
     *
     * @return the producer after the order, or empty if there is none of that name
     * @throws ProducerStoppedException if the producer has been stopped
     */
    public Optional<ProducerSnapshot> resume(String name) {
        return order(name, false);
    }

    private Optional<ProducerSnapshot> order(String name, boolean pause) {
        if (!(this.byName.get(name) instanceof ProducerEntry entry)) {
            return Optional.empty();
        }
        entry.order(pause);
        return Optional.of(entry.snapshot());
    }

    /**
     * Stops the producer called {@code name} for good: through its consumer ({@link ConsumerSupport#stopProducer()}),
     * or, when it is registered with no consumer the registry follows, by calling its {@code stopProducing} directly
     * (what that call throws is logged and counted as the producer's error; the producer is stopped all the same).
     * Stopping a stopped producer does nothing. The registry cannot see a consumer it does not follow: a producer
     * registered with one is stopped beside that consumer's loop, which may call it afterwards (a second stop when the
     * consumer goes); register such consumers too, so that stops go through their loops.
     *
     * @return the producer after the order, or empty if there is none of that name
     */
    public Optional<ProducerSnapshot> stop(String name) {
        if (!(this.byName.get(name) instanceof ProducerEntry entry)) {
            return Optional.empty();
        }
        if (!entry.claimStop()) {
            return Optional.of(entry.snapshot()); // stopped by an earlier order: one stopProducing only
        }
        ConsumerEntry consumer = entry.attachedConsumer();
        if (consumer != null && consumer.consumer.stopProducer(entry.producer)) {
            entry.stopped();
        }
        else if (stopsThroughALoop(entry.producer)) {
            // registered there and not announced yet (or moved there from the consumer the entry knows), its stop on
            // its way there, or left while that loop is still calling it: the stop goes through that loop, so the loop
            // never calls the producer after it or beside it; the entry is stopped now and is not attached late
            entry.stopped();
        }
        else if (entry.state() != ProducerState.STOPPED) {
            stopDirectly(entry);
        }
        return Optional.of(entry.snapshot());
    }

    /**
     * Calls {@code stopProducing} of a producer no followed consumer has: stopped for good whatever it throws, which is
     * counted as its error and logged (a {@link VirtualMachineError} is rethrown once the entry says stopped).
     */
    private static void stopDirectly(ProducerEntry entry) {
        try {
            entry.producer.stopProducing();
        }
        catch (Throwable failure) {
            entry.failed();
            log.error("Producer '{}' ({}) threw from stopProducing on an operator's stop; it is stopped all the same",
                    entry.name(), entry.producer, failure);
            if (failure instanceof VirtualMachineError error) {
                entry.stopped();
                throw error;
            }
        }
        entry.stopped();
    }

    /**
     * Whether a followed consumer takes on the stop of {@code producer}: one it is registered with, announced or not
     * yet, or one that owes it a stop already ({@link ConsumerSupport#stopThroughLoop}); else one whose loop is still
     * inside a callback to it ({@link ConsumerSupport#stopAfterCallback}). The stop must go through that consumer's loop, or the loop could call the producer after its
     * stop, beside it, or stop it a second time.
     */
    private boolean stopsThroughALoop(Producer producer) {
        for (ConsumerEntry candidate : this.consumersByObject.values()) { // every followed consumer, grouped or not
            if (candidate.consumer.stopThroughLoop(producer)) {
                return true;
            }
        }
        // registered nowhere: a loop that may still be inside a callback to it stops it after that callback, where
        // it is by then (it may register with another consumer, or move on again, inside the callback): the same search
        for (ConsumerEntry candidate : this.consumersByObject.values()) {
            if (candidate.consumer.stopAfterCallback(producer, this::stopsThroughALoop)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a listener for every later event, state changes on the loops included. A listener observes: what it throws
     * is logged and the other listeners still hear of the event. Membership events are told once the change is
     * complete; a {@link VirtualMachineError} from a listener is rethrown to the caller of the change (a registration
     * stands, a removal is done) after every listener has heard.
     */
    public void addListener(RegistryListener listener) {
        this.listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added with {@link #addListener}. */
    public void removeListener(RegistryListener listener) {
        this.listeners.remove(listener);
    }

    /**
     * Adds a listener for later {@linkplain RegistryEvent.Membership membership events} only: a listener that needs
     * no state changes costs the loops nothing.
     */
    public void addMembershipListener(RegistryListener listener) {
        this.membershipListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added with {@link #addMembershipListener}. */
    public void removeMembershipListener(RegistryListener listener) {
        this.membershipListeners.remove(listener);
    }

    boolean hasEventListeners() {
        return !this.listeners.isEmpty();
    }

    @Nullable ProducerEntry entryOf(Producer producer) {
        return this.producersByObject.get(new IdentityKey(producer));
    }

    /** Brings in the producer that registered with a group consumer; on that consumer's loop. */
    @Nullable ProducerEntry follow(ConsumerEntry consumer, Producer producer) {
        try {
            Registration added = addProducer(consumer.group().name(), consumer.name() + FOLLOWED_SUFFIX, false,
                    producer, consumer);
            if (added != null && consumer.removed) {
                // the consumer left while its producer was brought in: it may not have seen the new entry
                added.close();
                return null;
            }
            return (added != null) ? added.producerEntry() : entryOf(producer);
        }
        catch (IllegalStateException ex) {
            log.warn("Producer {} of consumer '{}' is not listed in the registry: {}", producer, consumer.name(),
                    ex.getMessage());
            return entryOf(producer);
        }
    }

    /** Registers; null when a generated instance name turned out taken (the caller tries the next one). */
    private @Nullable Registration addProducer(String group, String name, boolean single, Producer producer,
            @Nullable ConsumerEntry follower) {
        IdentityKey key = new IdentityKey(producer);
        ProducerEntry existing = this.producersByObject.get(key);
        if (existing != null) {
            throw new IllegalStateException("Cannot register producer '" + name + "' (" + producer
                    + "): it is already registered as producer '" + existing.name() + "'");
        }
        List<RegistryEvent.Membership> news = new ArrayList<>(2);
        try {
            Group joined = join(group, single, name, "producer " + producer, news);
            ProducerEntry entry = new ProducerEntry(name, joined, producer, follower);
            if (!claim(key, entry, joined, single, news)) {
                return null;
            }
            news.add(new RegistryEvent.ProducerAdded(name, group));
            if (follower == null) {
                for (Object other : this.byName.values()) {
                    if (other instanceof ConsumerEntry consumer && consumer.consumer.producer() == producer) {
                        entry.attach(consumer, consumer.consumer.isStreamingProducer());
                    }
                }
            }
            return new Registration(this, entry);
        }
        finally {
            announce(news);
        }
    }

    private @Nullable Registration addConsumer(String group, String name, boolean single, ConsumerSupport<?> consumer) {
        IdentityKey key = new IdentityKey(consumer);
        ConsumerEntry existing = this.consumersByObject.get(key);
        if (existing != null) {
            throw new IllegalStateException("Cannot register consumer '" + name + "' (" + consumer
                    + "): it is already registered as consumer '" + existing.name() + "'");
        }
        List<RegistryEvent.Membership> news = new ArrayList<>(2);
        try {
            Group joined = join(group, single, name, "consumer " + consumer, news);
            ConsumerEntry entry = new ConsumerEntry(this, name, joined, consumer, !single);
            try {
                addMember(joined, entry);
            }
            catch (IllegalArgumentException ex) {
                leave(joined, entry, news);
                throw ex;
            }
            if (!claim(key, entry, joined, single, news)) {
                return null;
            }
            consumer.addProducerListener(entry);
            news.add(new RegistryEvent.ConsumerAdded(name, group));
            Producer current = consumer.producer();
            if (current != null) {
                ProducerEntry producer = entryOf(current);
                if (producer == null && !single) {
                    producer = follow(entry, current);
                }
                if (producer != null) {
                    producer.attach(entry, consumer.isStreamingProducer());
                }
            }
            return new Registration(this, entry);
        }
        finally {
            announce(news);
        }
    }

    /**
     * Makes {@code entry} a member of its group (already joined) and claims its name and object. On failure the group
     * membership is undone.
     *
     * @return false when a generated name was taken
     * @throws IllegalStateException when a given name, or the object, is taken
     */
    private boolean claim(IdentityKey key, Object entry, Group group, boolean single,
            List<RegistryEvent.Membership> news) {
        if (entry instanceof ProducerEntry producer) {
            addMember(group, producer);
        }
        String name = nameOf(entry);
        Object taken = this.byName.putIfAbsent(name, entry);
        if (taken != null) {
            leave(group, entry, news);
            if (!single) {
                return false;
            }
            throw new IllegalStateException("Cannot register " + entry + " as '" + name
                    + "': the name is already taken by " + taken);
        }
        Object previous = (entry instanceof ProducerEntry producer)
                ? this.producersByObject.putIfAbsent(key, producer)
                : this.consumersByObject.putIfAbsent(key, (ConsumerEntry) entry);
        if (previous != null) {
            this.byName.remove(name, entry);
            leave(group, entry, news);
            throw new IllegalStateException("Cannot register " + entry + ": it is already registered as "
                    + previous);
        }
        return true;
    }

    /**
     * Joins the group called {@code group}, making it if needed: a member count is taken in the same step (inside
     * the map's {@code compute}), so that the group cannot vanish before the entry is added.
     */
    private Group join(String group, boolean single, String name, String what,
            List<RegistryEvent.Membership> news) {
        AtomicBoolean made = new AtomicBoolean();
        Group joined = this.groups.compute(group, (key, existing) -> {
            if (existing == null) {
                made.set(true);
                Group fresh = new Group(key, single);
                fresh.pending++;
                return fresh;
            }
            if (single || existing.isSingle()) {
                Object holder = this.byName.get(group);
                throw new IllegalStateException("Cannot register " + what + " as '" + name + "': the name "
                        + (existing.isSingle()
                                ? "is already taken by " + ((holder != null) ? holder : "another registration")
                                        + (single ? "" : ", registered on its own, so it cannot be a group")
                                : "'" + group + "' is already taken by a group of that name"));
            }
            existing.pending++;
            return existing;
        });
        if (made.get()) {
            news.add(new RegistryEvent.GroupAdded(group));
        }
        return joined;
    }

    private void addMember(Group group, ProducerEntry entry) {
        this.groups.compute(group.name(), (key, existing) -> {
            checkListed(group, existing);
            group.add(entry);
            group.pending--;
            return existing;
        });
    }

    private void addMember(Group group, ConsumerEntry entry) {
        this.groups.compute(group.name(), (key, existing) -> {
            checkListed(group, existing);
            try {
                group.add(entry);
            }
            finally {
                group.pending--;
            }
            return existing;
        });
    }

    /** A joined group holds a pending count until its entry is added, so it is still the one listed. */
    private static void checkListed(Group group, @Nullable Group listed) {
        if (listed != group) {
            throw new IllegalStateException("Group '" + group.name() + "' left the registry while an entry joined it");
        }
    }

    /**
     * Takes {@code entry} out of its group, and the group out of the registry when it was the last one in and no
     * entry is joining. Only the listed group object is ever removed: a group made later under the same name is
     * another group.
     */
    private void leave(Group group, Object entry, List<RegistryEvent.Membership> news) {
        AtomicBoolean gone = new AtomicBoolean();
        this.groups.compute(group.name(), (key, existing) -> {
            if (entry instanceof ProducerEntry producer) {
                group.retire(producer);
            }
            else {
                group.retire((ConsumerEntry) entry);
            }
            if (existing == group && group.isEmpty() && group.pending == 0) {
                gone.set(true);
                return null;
            }
            return existing;
        });
        if (gone.get()) {
            news.add(new RegistryEvent.GroupRemoved(group.name()));
        }
    }

    boolean removeEntry(Object entry) {
        String name = nameOf(entry);
        if (!this.byName.remove(name, entry)) {
            return false;
        }
        List<RegistryEvent.Membership> news = new ArrayList<>(2);
        try {
            if (entry instanceof ProducerEntry producer) {
                this.producersByObject.remove(new IdentityKey(producer.producer), producer);
                producer.removed();
                leave(producer.group(), producer, news);
                news.add(new RegistryEvent.Removed(name, producer.group().name(), true));
            }
            else {
                ConsumerEntry consumer = (ConsumerEntry) entry;
                consumer.removed = true;
                this.consumersByObject.remove(new IdentityKey(consumer.consumer), consumer);
                consumer.consumer.removeProducerListener(consumer);
                detachProducersOf(consumer);
                leave(consumer.group(), consumer, news);
                news.add(new RegistryEvent.Removed(name, consumer.group().name(), false));
            }
        }
        finally {
            announce(news);
        }
        return true;
    }

    /** A consumer that leaves takes with it the producer it brought in, and lets go of any other. */
    private void detachProducersOf(ConsumerEntry consumer) {
        List<ProducerEntry> attached = new ArrayList<>();
        ProducerEntry hint = consumer.attached;
        if (hint != null) {
            attached.add(hint);
        }
        Producer current = consumer.consumer.producer();
        ProducerEntry registered = (current != null) ? entryOf(current) : null;
        if (registered != null && registered != hint) {
            attached.add(registered);
        }
        for (ProducerEntry producer : attached) {
            if (producer.follower == consumer) {
                removeEntry(producer);
            }
            else {
                producer.detach(consumer, ProducerState.PRODUCING); // registered with a consumer no longer followed
            }
        }
    }

    private String instanceName(String group) {
        return group + "#" + this.instances.incrementAndGet();
    }

    private static String nameOf(Object entry) {
        return (entry instanceof ProducerEntry producer) ? producer.name() : ((ConsumerEntry) entry).name();
    }

    private static String checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isBlank()) {
            throw new IllegalArgumentException("A registry " + what + " must not be blank");
        }
        return name;
    }

    void publish(RegistryEvent event) {
        VirtualMachineError fatal = deliver(this.listeners, event, null);
        if (fatal != null) {
            throw fatal;
        }
    }

    /**
     * Tells the listeners of membership changes once the change is complete (a listener that throws, even an
     * {@link Error}, cannot leave a registration half made): every event to every listener, then the first
     * {@link VirtualMachineError} any of them threw is rethrown.
     */
    private void announce(List<RegistryEvent.Membership> news) {
        VirtualMachineError fatal = null;
        for (RegistryEvent.Membership event : news) {
            fatal = deliver(this.membershipListeners, event, fatal);
            fatal = deliver(this.listeners, event, fatal);
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    /**
     * Tells every listener, whatever one of them throws: a listener observes, so its failure is logged and the
     * others still hear of the event. Returns the first {@link VirtualMachineError} seen ({@code fatal} if one was
     * seen before), for the caller to rethrow once everyone has heard.
     */
    private static @Nullable VirtualMachineError deliver(List<RegistryListener> listeners, RegistryEvent event,
            @Nullable VirtualMachineError fatal) {
        VirtualMachineError first = fatal;
        for (RegistryListener listener : listeners) {
            try {
                listener.onEvent(event);
            }
            catch (Throwable ex) {
                if (ex instanceof VirtualMachineError error && first == null) {
                    first = error;
                }
                log.warn("Registry listener {} threw on {}; ignored", listener, event, ex);
            }
        }
        return first;
    }

    /**
     * One producer's or consumer's place in the registry; {@link #close()} removes it (that one: a later registration
     * under the same name is left alone). Closing twice is harmless.
     */
    public static final class Registration implements AutoCloseable {

        private final ProducerRegistry registry;

        private final Object entry;

        Registration(ProducerRegistry registry, Object entry) {
            this.registry = registry;
            this.entry = entry;
        }

        /** The registry name: the name given, or the instance name made for a group member. */
        public String name() {
            return nameOf(this.entry);
        }

        /** The group: the name given to a singleton, or the group named at registration. */
        public String group() {
            return (this.entry instanceof ProducerEntry producer) ? producer.group().name()
                    : ((ConsumerEntry) this.entry).group().name();
        }

        ProducerEntry producerEntry() {
            return (ProducerEntry) this.entry;
        }

        /** Removes the producer or consumer from the registry, if this registration is still in place. */
        @Override
        public void close() {
            this.registry.removeEntry(this.entry);
        }

        @Override
        public String toString() {
            return "registration of " + this.entry;
        }
    }

    private record IdentityKey(Object target) {

        @Override
        public boolean equals(@Nullable Object other) {
            return other instanceof IdentityKey key && key.target == this.target;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this.target);
        }
    }
}
