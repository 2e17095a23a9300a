package dev.sluice.torture;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.registry.ProducerState;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.registry.RegistryListener;

/** The listeners of a torture round: one that records and checks, and hostile ones. */
final class Listeners {

    private Listeners() {
    }

    /**
     * Puts every event into the timeline of its producer ({@link CheckingProducer#timeline}), which checks it against
     * the callbacks the producer actually gets; and checks the nesting rule for writers and the stack.
     */
    static final class Recording implements ProducerListener {

        private final Checks checks;

        Recording(Checks checks) {
            this.checks = checks;
        }

        private void event(Producer producer, History.Event event) {
            this.checks.listenerEvent(event, producer);
            if (producer instanceof CheckingProducer checking) {
                checking.history.add(event, 0);
                checking.timeline(event);
            }
        }

        @Override
        public void registered(Producer producer, boolean streaming) {
            event(producer, History.Event.L_REGISTERED);
        }

        @Override
        public void unregistered(Producer producer) {
            event(producer, History.Event.L_UNREGISTERED);
        }

        @Override
        public void paused(Producer producer) {
            event(producer, History.Event.L_PAUSED);
        }

        @Override
        public void resumed(Producer producer) {
            event(producer, History.Event.L_RESUMED);
        }

        @Override
        public void stopped(Producer producer) {
            event(producer, History.Event.L_STOPPED);
        }

        @Override
        public void failed(Producer producer, Throwable failure) {
            event(producer, History.Event.L_FAILED);
        }
    }

    /**
     * A listener that is slow now and then (a park of up to half a millisecond: the lane is held meanwhile, the setting
     * of issue 18 defect 1), throws a {@code RuntimeException} now and then, and throws an {@code Error} at one chosen
     * event (defect 4). The contract: logged and ignored, the loop goes on, the producer still gets its resume.
     */
    static final class Hostile implements ProducerListener {

        private final Checks checks;

        private final SplittableRandom random;

        private final int slowPerMille;

        private final int throwPerMille;

        private final long errorAtEvent;

        private final Faults.Kind errorKind;

        private final AtomicLong events = new AtomicLong();

        private volatile boolean quiet;

        Hostile(Checks checks, SplittableRandom random, int slowPerMille, int throwPerMille, long errorAtEvent,
                Faults.Kind errorKind) {
            this.checks = checks;
            this.random = random;
            this.slowPerMille = slowPerMille;
            this.throwPerMille = throwPerMille;
            this.errorAtEvent = errorAtEvent;
            this.errorKind = errorKind;
        }

        void quiet() {
            this.quiet = true;
        }

        private void event() {
            if (this.quiet) {
                return;
            }
            long count = this.events.incrementAndGet();
            int dice;
            synchronized (this.random) { // events of one consumer never overlap, but be safe: the random is shared
                dice = this.random.nextInt(1000);
            }
            if (dice < this.slowPerMille) {
                LockSupport.parkNanos(50_000 + (dice % 100) * 10_000L); // a listener that does I/O
            }
            if (count == this.errorAtEvent) {
                throw Faults.sneaky(this.checks.faults.make(this.errorKind, Faults.Site.LISTENER));
            }
            if (dice >= 1000 - this.throwPerMille) {
                throw Faults.sneaky(this.checks.faults.make(Faults.Kind.RUNTIME, Faults.Site.LISTENER));
            }
        }

        @Override
        public void registered(Producer producer, boolean streaming) {
            event();
        }

        @Override
        public void unregistered(Producer producer) {
            event();
        }

        @Override
        public void paused(Producer producer) {
            event();
        }

        @Override
        public void resumed(Producer producer) {
            event();
        }

        @Override
        public void stopped(Producer producer) {
            event();
        }

        @Override
        public void failed(Producer producer, Throwable failure) {
            event();
        }
    }

    /**
     * A registry listener: a producer registered by hand under a name of its own never shows PRODUCING or PAUSED after
     * it showed STOPPED or FINISHED (issue 18 defect 12: "registry listeners see PRODUCING after FINISHED"). It throws
     * now and then (logged and ignored).
     */
    static final class RegistryEvents implements RegistryListener {

        private final Checks checks;

        private final Map<String, CheckingProducer> byName;

        private final Map<String, ProducerState> last = new ConcurrentHashMap<>();

        private final int throwPerMille;

        private final AtomicLong events = new AtomicLong();

        private volatile boolean quiet;

        RegistryEvents(Checks checks, Map<String, CheckingProducer> byName, int throwPerMille) {
            this.checks = checks;
            this.byName = byName;
            this.throwPerMille = throwPerMille;
        }

        void quiet() {
            this.quiet = true;
        }

        @Override
        public void onEvent(RegistryEvent event) {
            if (event instanceof RegistryEvent.StateChanged change && this.byName.containsKey(change.name())) {
                ProducerState before = this.last.put(change.name(), change.to());
                boolean ended = before == ProducerState.STOPPED || before == ProducerState.FINISHED;
                boolean live = change.to() == ProducerState.PRODUCING || change.to() == ProducerState.PAUSED;
                if (ended && live) {
                    CheckingProducer producer = this.byName.get(change.name());
                    this.checks.report("registry events in order (v3; issue 18 defect 12)", () -> "producer '"
                            + change.name() + "' went " + change.to() + " after " + before + " ("
                            + change.consumer() + ")" + (producer != null ? producer.history() : ""));
                }
            }
            if (!this.quiet && this.throwPerMille > 0
                    && (this.events.incrementAndGet() * 7919) % 1000 < this.throwPerMille) {
                throw Faults.sneaky(this.checks.faults.make(Faults.Kind.RUNTIME, Faults.Site.REGISTRY_LISTENER));
            }
        }
    }
}
