package dev.sluice.review;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.BufferedConsumer;
import dev.sluice.registry.ProducerRegistry;
import dev.sluice.registry.ProducerSnapshot;
import dev.sluice.testing.RecordingSink;
import dev.sluice.testing.StrictPushProducer;
import dev.sluice.testing.TestThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Operator holds from several threads at once: once the threads are quiet, hold, answer and producer agree. */
class RegistryReviewHoldStressTest {

    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(6);

    private final TestThreads threads = new TestThreads("registry-review-hold");

    @AfterEach
    void closeThreads() {
        this.threads.close();
    }

    /**
     * From a held state, one thread releases key k while another holds it again. Either order is a fine outcome, but
     * both halves of the consumer must agree on it: isProducerHeld() (what write answers) against the hold the loop
     * applied (whether the producer is paused). Each call records its change of the key (ask) and queues the operation
     * to the loop in two steps; when the release's ask comes first and its operation last, the loop ends released
     * while isProducerHeld() says held, for good: the producer runs while an operator hold is in force, and every
     * write answers false.
     */
    @Test
    void aKeyedHoldAndReleaseRacingLeaveTheLoopAndTheAnswerAgreeing() throws Exception {
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(RecordingSink.accepting()).name("c").build();
        StrictPushProducer p = new StrictPushProducer();
        c.registerProducer(p, true);
        Object key = "operator";
        CyclicBarrier start = new CyclicBarrier(3);
        CyclicBarrier done = new CyclicBarrier(3);
        AtomicBoolean running = new AtomicBoolean(true);
        Future<?> releaser = this.threads.submit(() -> loop(running, start, done, () -> c.release(key)));
        Future<?> holder = this.threads.submit(() -> loop(running, start, done, () -> c.hold(key)));
        int rounds = 0;
        String mismatch = null;
        long deadline = System.nanoTime() + BUDGET_NANOS;
        try {
            while (mismatch == null && System.nanoTime() < deadline) {
                c.hold(key);
                start.await(10, TimeUnit.SECONDS);
                done.await(10, TimeUnit.SECONDS); // both calls returned: the inline loop is idle
                rounds++;
                if (c.isProducerHeld() != p.isPaused()) {
                    mismatch = "round " + rounds + ": isProducerHeld()=" + c.isProducerHeld() + ", producer paused="
                            + p.isPaused() + ", write answers " + c.write("x");
                }
                c.release(key);
            }
        }
        finally {
            running.set(false);
            start.reset();
            done.reset();
        }
        assertThat(mismatch).as("after %d rounds of release(k) racing hold(k)", rounds).isNull();
        assertThat(p.violations()).isZero();
        assertThat(p.overlaps()).isZero();
        releaser.cancel(true);
        holder.cancel(true);
    }

    /**
     * Many threads give pause and resume orders by name for one producer registered with a followed consumer; the
     * last order is given after they are quiet. The producer, the consumer's hold and the snapshot must all agree with
     * it.
     */
    @Test
    void operatorOrdersFromManyThreadsEndInTheLastOrder() throws Exception {
        ProducerRegistry registry = new ProducerRegistry();
        BufferedConsumer<String> c = BufferedConsumer.<String>builder(RecordingSink.accepting()).name("c").build();
        registry.registerConsumer("c", c);
        StrictPushProducer p = new StrictPushProducer();
        registry.registerProducer("p", p);
        c.registerProducer(p, true);
        int workers = 4;
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int rounds = 0;
        while (System.nanoTime() < deadline && rounds < 2000) {
            rounds++;
            CyclicBarrier start = new CyclicBarrier(workers);
            AtomicInteger seed = new AtomicInteger(rounds);
            Future<?>[] running = new Future<?>[workers];
            for (int w = 0; w < workers; w++) {
                int me = w;
                running[w] = this.threads.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < 8; i++) {
                        if (((seed.get() + me + i) & 1) == 0) {
                            registry.pause("p");
                        }
                        else {
                            registry.resume("p");
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : running) {
                f.get(10, TimeUnit.SECONDS);
            }
            boolean last = (rounds & 1) == 0;
            ProducerSnapshot after = last ? registry.pause("p").orElseThrow() : registry.resume("p").orElseThrow();
            assertThat(after.heldByOperator()).as("round %d: snapshot", rounds).isEqualTo(last);
            assertThat(c.isProducerHeld()).as("round %d: consumer hold", rounds).isEqualTo(last);
            assertThat(p.isPaused()).as("round %d: producer paused", rounds).isEqualTo(last);
        }
        assertThat(p.violations()).isZero();
        assertThat(p.overlaps()).isZero();
    }

    private static void loop(AtomicBoolean running, CyclicBarrier start, CyclicBarrier done, Runnable call) {
        try {
            while (running.get()) {
                start.await();
                call.run();
                done.await();
            }
        }
        catch (Exception ex) {
            // reset or interrupted at the end of the test
        }
    }
}
