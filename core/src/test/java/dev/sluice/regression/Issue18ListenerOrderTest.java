package dev.sluice.regression;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.PullProducer;
import dev.sluice.Weigher;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerState;
import dev.sluice.registry.RegistryEvent;
import dev.sluice.testing.RecordingProducerListener;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, defect 12: listener events come from the loop in the order of the callbacks they report —
 * {@code registered} before any callback, {@code resumed} right before each {@code resumeProducing}, and a producer
 * that unregisters inside its own {@code resumeProducing} gives {@code [registered, resumed, unregistered]}
 * (DESIGN §4.2).
 */
class Issue18ListenerOrderTest {

    /** Resumes of the pull producer; it unregisters inside the last. */
    private static final int CHUNKS = 4;

    /**
     * Defect 12 as a {@link dev.sluice.ProducerListener} sees it: a pull producer that writes one chunk per resume and
     * unregisters inside its fourth, as {@code FileSender} does.
     *
     * <p>Fails on 65a6063: the listener saw {@code [registered, unregistered, resumed, resumed, resumed, resumed]}:
     * {@code registered}/{@code unregistered} went out at once while {@code resumed} events were queued until
     * nothing else was due.
     */
    @Test
    void defect12_aListenerSeesTheEventsOfAPullProducerInTheOrderOfItsCallbacks() {
        BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> true).name("defect12")
            .weigher(Weigher.items()).build();
        RecordingProducerListener listener = new RecordingProducerListener();
        consumer.addProducerListener(listener);
        ChunkWriter producer = new ChunkWriter(consumer);

        consumer.registerProducer(producer, false);

        List<String> expected = new ArrayList<>();
        expected.add("registered");
        expected.addAll(Collections.nCopies(producer.resumes.get(), "resumed"));
        expected.add("unregistered");
        assertThat(producer.resumes.get()).as("resumes the producer got").isEqualTo(CHUNKS);
        assertThat(listener.names()).as("listener events, against the producer's %d resumes", producer.resumes.get())
            .isEqualTo(expected);
    }

    /**
     * Defect 12 as a {@link dev.sluice.registry.RegistryListener} sees it: the same producer, registered in a
     * registry by name. Its last state is FINISHED, and nothing follows that.
     *
     * <p>Fails on 65a6063: the states were {@code [PRODUCING, FINISHED, PRODUCING, PRODUCING, PRODUCING, PRODUCING]}:
     * PRODUCING after FINISHED, so a listener that keeps the last state shows a finished producer as producing.
     */
    @Test
    void defect12_aRegistryListenerSeesNoStateAfterFinished() {
        BufferedConsumer<Integer> consumer = BufferedConsumer.<Integer>builder(item -> true).name("defect12-registry")
            .weigher(Weigher.items()).build();
        ProducerRegistry registry = new ProducerRegistry();
        registry.registerConsumer("consumer", consumer);
        ChunkWriter producer = new ChunkWriter(consumer);
        registry.registerProducer("producer", producer);
        List<ProducerState> states = new CopyOnWriteArrayList<>();
        registry.addListener(event -> {
            if (event instanceof RegistryEvent.StateChanged changed && changed.name().equals("producer")) {
                states.add(changed.to());
            }
        });

        consumer.registerProducer(producer, false);

        assertThat(states).as("state events of the producer").contains(ProducerState.FINISHED);
        assertThat(states.subList(states.indexOf(ProducerState.FINISHED), states.size()))
            .as("state events from FINISHED on (all: %s)", states).containsExactly(ProducerState.FINISHED);
        assertThat(registry.producer("producer").orElseThrow().state()).isEqualTo(ProducerState.FINISHED);
    }

    /** Writes one chunk per resume and unregisters inside the {@value #CHUNKS}th, as {@code FileSender} does. */
    private static final class ChunkWriter implements PullProducer {

        final AtomicInteger resumes = new AtomicInteger();

        private final BufferedConsumer<Integer> consumer;

        ChunkWriter(BufferedConsumer<Integer> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void resumeProducing() {
            int chunk = this.resumes.incrementAndGet();
            if (chunk > CHUNKS) {
                throw new IllegalStateException("resumed after it unregistered");
            }
            this.consumer.write(chunk);
            if (chunk == CHUNKS) {
                this.consumer.unregisterProducer();
            }
        }

        @Override
        public void stopProducing() {
        }
    }
}
