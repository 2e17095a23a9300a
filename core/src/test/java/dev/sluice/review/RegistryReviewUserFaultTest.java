package dev.sluice.review;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.PushProducer;
import dev.sluice.registry.GroupSnapshot;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.registry.ProducerState;
import dev.sluice.registry.ProducerStoppedException;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Faults of user code the registry calls: listeners that throw an Error, producers whose stop throws. */
class RegistryReviewUserFaultTest {

    /** A push producer that does nothing. */
    static class Quiet implements PushProducer {

        @Override
        public void pauseProducing() {
        }

        @Override
        public void resumeProducing() {
        }

        @Override
        public void stopProducing() {
        }
    }

    /**
     * A membership listener throws a VirtualMachineError on GroupAdded. The registry rethrows it (as it should, once
     * everyone heard of the event) but from the middle of join(): the group keeps the pending member count of a
     * registration that never happens, so it stays listed with no member for the registry's life, and is never
     * removed even after another member comes and goes.
     */
    @Test
    void aGroupIsNotLeftBehindWhenAListenerThrowsAnErrorOnGroupAdded() {
        ProducerRegistry registry = new ProducerRegistry();
        AtomicBoolean thrown = new AtomicBoolean();
        registry.addMembershipListener(event -> {
            if (event instanceof RegistryEvent.GroupAdded && thrown.compareAndSet(false, true)) {
                throw new StackOverflowError("listener fault for the test");
            }
        });
        assertThatThrownBy(() -> registry.register("g", new Quiet())).isInstanceOf(StackOverflowError.class);
        SoftAssertions soft = new SoftAssertions();
        GroupSnapshot afterError = registry.group("g").orElse(null);
        soft.assertThat(afterError == null || afterError.producers() + afterError.consumers() > 0)
                .as("a listed group has members (was: %s)", afterError).isTrue();
        registry.register("g", new Quiet()).close();
        soft.assertThat(registry.groupNames()).as("groups once every member has left").isEmpty();
        soft.assertAll();
    }

    /**
     * A listener throws a VirtualMachineError on ProducerAdded: the producer is registered, but registerProducer
     * throws before it attaches the producer to the followed consumer it is registered with, and the caller gets no
     * Registration. An operator's pause of it then does nothing, and its figures are not counted.
     */
    @Test
    void aProducerListedDespiteAListenerErrorIsAttachedToItsConsumer() {
        ProducerRegistry registry = new ProducerRegistry();
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(RecordingSink.accepting()).name("c").build();
        registry.registerConsumer("c", c);
        StrictPushProducer p = new StrictPushProducer();
        c.registerProducer(p, true);
        AtomicBoolean thrown = new AtomicBoolean();
        registry.addMembershipListener(event -> {
            if (event instanceof RegistryEvent.ProducerAdded && thrown.compareAndSet(false, true)) {
                throw new StackOverflowError("listener fault for the test");
            }
        });
        Throwable error = catchThrowable(() -> registry.registerProducer("p", p));
        assertThat(error).isInstanceOf(StackOverflowError.class);
        assertThat(registry.producer("p")).as("p is listed after the error").isPresent();

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(registry.producer("p").orElseThrow().consumer()).as("p's consumer").isEqualTo("c");
        registry.pause("p");
        soft.assertThat(p.isPaused()).as("p paused by the operator").isTrue();
        soft.assertAll();
    }

    /**
     * registry.stop of a producer registered with no consumer calls its stopProducing directly, outside any guard:
     * the producer's exception reaches the operator, the entry never records the stop (state stays PRODUCING, no
     * error counted), a second stop is swallowed as "stopped already", and pause/resume are accepted for a stopped
     * producer instead of throwing ProducerStoppedException.
     */
    @Test
    void aProducerWhoseStopThrowsIsStoppedAndCountedAnError() {
        ProducerRegistry registry = new ProducerRegistry();
        AtomicInteger stops = new AtomicInteger();
        registry.registerProducer("p", new Quiet() {
            @Override
            public void stopProducing() {
                stops.incrementAndGet();
                throw new IllegalStateException("stop fault for the test");
            }
        });
        Throwable fromStop = catchThrowable(() -> registry.stop("p"));
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(stops).hasValue(1);
        soft.assertThat(fromStop).as("what the operator's stop threw").isNull();
        ProducerSnapshot after = registry.producer("p").orElseThrow();
        soft.assertThat(after.state()).as("state after the stop").isEqualTo(ProducerState.STOPPED);
        soft.assertThat(after.errors()).as("errors after a callback threw").isEqualTo(1);
        soft.assertThat(catchThrowable(() -> registry.pause("p"))).as("pause of the stopped producer")
                .isInstanceOf(ProducerStoppedException.class);
        soft.assertAll();
    }

    /**
     * p is in the registry and registered with consumer c, which the registry does not follow. registry.stop("p")
     * calls p.stopProducing() beside c's loop (documented on stop(), but against DESIGN §4.2: stops from the registry
     * are operations queued to the loop): c still has p registered, so c's loss stops p a second time.
     */
    @Test
    void aProducerStoppedByTheRegistryIsNotStoppedAgainByAnUnfollowedConsumer() {
        ProducerRegistry registry = new ProducerRegistry();
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(RecordingSink.accepting()).name("c").build();
        StrictPushProducer p = new StrictPushProducer();
        c.registerProducer(p, true);
        registry.registerProducer("p", p);
        registry.stop("p");
        c.connectionLost(null);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(p.events()).as("callbacks to p").containsExactly("stop");
        soft.assertThat(p.violations()).as("illegal callbacks to p (a second stop)").isZero();
        soft.assertAll();
    }
}
