package dev.sluice.testing.contract;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.sluice.Consumer;
import dev.sluice.testing.contract.ContractPushProducer.Answer;
import dev.sluice.testing.contract.ContractPushProducer.Ticket;
import dev.sluice.testing.contract.Records.Record;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link Consumer} of the project keeps (DESIGN §2 and §4, {@code Consumer}'s javadoc), as one suite
 * that each implementation runs. A module plugs a consumer in by extending this class and building a
 * {@link ContractSubject} in {@link #newSubject(ContractSettings)}: the consumer, how its far end is opened
 * ({@link ContractSubject#grant}), how it is finished and aborted, and, where it has them, its high-water mark, its
 * operator holds and a way to stall a call into its far end. Checks that need what a subject lacks are skipped (JUnit
 * assumptions), never passed.
 *
 * <pre>{@code
 * class MyConsumerContractTest extends ConsumerContract {
 *     protected ContractSubject newSubject(ContractSettings settings) {
 *         return new MySubject(settings);   // or a @Nested class per configuration
 *     }
 * }
 * }</pre>
 *
 * <h2>What it checks</h2>
 * Registration (one producer at a time, {@code streaming = true} only for a push producer, {@code write(null)}); the
 * promise that a {@code write} which returned {@code false} is followed by {@code resumeProducing} or
 * {@code stopProducing} to the producer that got it — for a push producer that stops on {@code false} and waits, for a
 * pull producer, with the far end drained slowly from another thread, with the consumer finished or aborted meanwhile,
 * with an operator hold placed and released; edge-triggered pause and resume, nothing after a stop, no overlapping
 * callbacks; the memory bound (a producer honouring {@code false} overshoots the high mark by at most one write per
 * writing thread); per-writer order and exactly-once delivery; {@code unregisterProducer} calls no producer method; a
 * pull producer is asked for data at registration (FD-3) and after a complete drain (FD-11a).
 *
 * <h2>How it waits</h2>
 * Writers honour {@code false} by waiting for the callback ({@link ContractPushProducer}), never by polling a
 * consumer's writability. Every wait is bounded by {@link ContractSettings#timeout()}: a callback that does not come in
 * that time is a lost wake-up and fails the test. Checks that something does <em>not</em> happen look again 200 ms later. A
 * test that hangs on a call that never returns is failed by its {@link Timeout} (the stuck thread is left behind).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@SuppressWarnings("try") // a drainer or holder is a resource for its try block's scope, not used by name inside it
public abstract class ConsumerContract {

    /** How long a check that nothing more happens watches. */
    private static final Duration QUIET = Duration.ofMillis(200);

    /** How many threads write at once in the checks with several writers (a subject's bounds may depend on it). */
    public static final int WRITERS = 3;

    private ContractSettings settings;

    private ContractSubject subject;

    private Consumer<ByteBuffer> consumer;

    private ExecutorService threads;

    /**
     * Builds a fresh subject for one test, with its far end closed (nothing granted) and no producer registered.
     *
     * @param settings the water marks to build the consumer with, where it takes them, and the chunk size
     * @return the subject; closed after the test
     * @throws Exception if it cannot be built
     */
    protected abstract ContractSubject newSubject(ContractSettings settings) throws Exception;

    /** The settings of this run; override to change the geometry. */
    protected ContractSettings settings() {
        return ContractSettings.standard();
    }

    @BeforeEach
    final void createSubject() throws Exception {
        this.settings = settings();
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "contract-" + getClass().getSimpleName());
            thread.setDaemon(true);
            return thread;
        });
        this.subject = newSubject(this.settings);
        this.consumer = this.subject.consumer();
    }

    @AfterEach
    final void closeSubject() {
        try {
            this.subject.stall().ifPresent(ContractSubject.Stall::unstall);
            this.subject.close();
        }
        finally {
            this.threads.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------------------------ registration

    @Test
    void aSecondRegistrationIsRefusedAndTheFirstProducerStays() {
        ContractPushProducer first = new ContractPushProducer();
        ContractPushProducer second = new ContractPushProducer();
        ContractPullProducer third = pullProducer(1, 1);
        this.consumer.registerProducer(first, true);

        assertThatIllegalStateException().as("registering a second (push) producer while one is registered")
            .isThrownBy(() -> this.consumer.registerProducer(second, true));
        assertThatIllegalStateException().as("registering a second (pull) producer while one is registered")
            .isThrownBy(() -> this.consumer.registerProducer(third, false));

        this.subject.abort();
        awaitTrue(() -> first.state() == ContractPushProducer.State.STOPPED,
                "the first producer is still registered: aborting the consumer stops it; it got " + first.events());
        assertThat(second.events()).as("calls to the refused push producer").isEmpty();
        assertThat(third.asks()).as("asks to the refused pull producer").isZero();
        assertThat(third.isStopped()).as("whether the refused pull producer was stopped").isFalse();
    }

    @Test
    void registeringAPullProducerAsStreamingIsRefusedAndLeavesNothingRegistered() {
        ContractPullProducer pull = pullProducer(0, 1);
        assertThatIllegalArgumentException().as("registerProducer(pull producer, streaming = true)")
            .isThrownBy(() -> this.consumer.registerProducer(pull, true));

        ContractPushProducer push = new ContractPushProducer();
        this.consumer.registerProducer(push, true); // throws if the refused one was kept
        assertThat(pull.asks()).as("asks to the refused producer").isZero();
    }

    @Test
    void writingNullThrowsNullPointerException() {
        assertThatNullPointerException().as("write(null) with no producer")
            .isThrownBy(() -> this.consumer.write(null));
        this.consumer.registerProducer(new ContractPushProducer(), true);
        assertThatNullPointerException().as("write(null) with a producer registered")
            .isThrownBy(() -> this.consumer.write(null));
    }

    // ------------------------------------------------------------------------------------------------- the promise

    @Test
    void aPushProducerThatStopsOnFalseIsAlwaysAnsweredWhileTheFarEndDrainsSlowly() throws Exception {
        ContractPushProducer producer = registeredPushProducer();
        int chunks = 400;
        try (AutoCloseable drainer = drainer()) {
            WritersReport report = runWriters(producer, 1, chunks);
            assertThat(report.lost()).as("lost wake-ups: false, then no resume or stop").isEmpty();
            assertThat(report.stoppedWriters()).as("writers stopped by the consumer").isZero();
            awaitDelivered(chunks);
        }
        assertOrderedExactlyOnce(1, chunks);
    }

    @Test
    void aPullProducerIsAskedAgainUntilItHasWrittenEverythingWhileTheFarEndDrainsSlowly() throws Exception {
        assumeAsksAtRegistration();
        assumeAsksAgainOnceDrained();
        int chunks = 100;
        ContractPullProducer producer = pullProducer(0, chunks);
        try (AutoCloseable drainer = drainer()) {
            this.consumer.registerProducer(producer, false);
            assertThat(producer.awaitEnd(timeout()))
                .as("the pull producer was not asked again for %s (a false answered by nothing, or no ask after a "
                        + "drain): %s", timeout(), producer)
                .isTrue();
            assertThat(producer.isStopped()).as("stopped: %s", producer).isFalse();
            awaitDelivered(chunks);
        }
        assertOrderedExactlyOnce(1, chunks);
        assertThat(producer.violations()).as("illegal calls to the pull producer").isEmpty();
        assertThat(producer.overlaps()).as("pull producer callbacks that overlapped").isZero();
    }

    @Test
    void aProducerThatGotFalseIsStoppedWhenTheConsumerIsAborted() {
        ContractPushProducer producer = registeredPushProducer();
        fillUntilFalse(producer, 0);

        this.subject.abort();

        awaitTrue(() -> producer.state() == ContractPushProducer.State.STOPPED,
                "the consumer was aborted but its producer was not stopped: " + producer.events());
        assertThat(producer.violations()).as("illegal calls").isEmpty();
    }

    @Test
    void aProducerThatGotFalseIsAnsweredWhenTheConsumerIsFinished() {
        ContractPushProducer producer = registeredPushProducer();
        Fill fill = fillUntilFalse(producer, 0);

        this.subject.finish();
        this.subject.grant(ContractSettings.ALL);

        if (!fill.last().writable()) {
            Answer answer = producer.await(fill.last(), timeout());
            assertThat(answer).as("the answer to the false of write #%d after the consumer was finished and drained; "
                    + "the producer got %s", fill.writes(), producer.events()).isNotEqualTo(Answer.TIMED_OUT);
        }
        this.consumer.unregisterProducer();
        awaitDelivered(fill.writes());
        assertThat(producer.violations()).as("illegal calls").isEmpty();
    }

    @Test
    void aPullProducerIsAskedToTheEndOrStoppedWhenTheConsumerIsFinished() {
        assumeAsksAtRegistration();
        assumeAsksAgainOnceDrained();
        this.subject.grant(ContractSettings.ALL);
        int chunks = 50;
        ContractPullProducer producer = pullProducer(0, chunks);
        this.consumer.registerProducer(producer, false);
        producer.awaitAsks(1, timeout()); // FD-3 has a check of its own

        this.subject.finish();

        assertThat(producer.awaitEnd(timeout())).as("the consumer was finished; its pull producer was neither asked "
                + "for the rest nor stopped within %s: %s", timeout(), producer).isTrue();
        assertThat(producer.violations()).as("illegal calls").isEmpty();
    }

    @Test
    void aWriteAfterTheConsumerIsFinishedIsAnswered() {
        this.subject.grant(ContractSettings.ALL); // the far end waits for data: a pending read, an idle socket
        ContractPushProducer producer = registeredPushProducer();
        this.subject.finish();

        Ticket ticket = producer.write(this.consumer, chunk(0, 0));

        Answer answer = producer.await(ticket, timeout());
        assertThat(answer).as("the answer to a write made after finish() that returned %s; the producer got %s",
                ticket.writable(), producer.events()).isNotEqualTo(Answer.TIMED_OUT);
    }

    @Test
    void aProducerRegisteredWhileTheConsumerIsFullIsAnsweredAfterFalse() {
        ContractPushProducer first = registeredPushProducer();
        Fill fill = fillUntilFalse(first, 0);
        this.consumer.unregisterProducer();

        ContractPushProducer second = registeredPushProducer();
        Ticket ticket = second.write(this.consumer, chunk(1, 0));
        this.subject.grant(ContractSettings.ALL);

        Answer answer = second.await(ticket, timeout());
        assertThat(answer).as("the answer to the second producer's write (returned %s) after the consumer drained; "
                + "it got %s", ticket.writable(), second.events()).isNotEqualTo(Answer.TIMED_OUT);
        awaitDelivered(fill.writes() + 1);
    }

    @Test
    void aProducerHeldByAnOperatorGetsFalseAndIsResumedOnlyWhenTheHoldIsReleased() {
        ContractSubject.Holds holds = holds();
        this.subject.grant(ContractSettings.ALL);
        ContractPushProducer producer = registeredPushProducer();
        holds.hold("operator");

        Ticket ticket = producer.write(this.consumer, chunk(0, 0));
        assertThat(ticket.writable()).as("what write returns while an operator hold is in force").isFalse();
        awaitTrue(() -> producer.pauses() == 1, "the held producer was not paused: " + producer.events());
        staysTrue(() -> producer.resumes() == 0, "the producer was resumed while the hold was in force");

        holds.release("operator");

        assertThat(producer.await(ticket, timeout())).as("the answer once the hold was released; the producer got %s",
                producer.events()).isEqualTo(Answer.RESUMED);
        assertThat(producer.violations()).as("illegal calls").isEmpty();
    }

    @Test
    void aProducerPausedByAFullBufferStaysPausedWhileHeldAndResumesWhenReleased() {
        ContractSubject.Holds holds = holds();
        bounded();
        ContractPushProducer producer = registeredPushProducer();
        Fill fill = fillUntilFalse(producer, 0);
        assertThat(fill.last().writable()).as("a bounded consumer returned false within %d writes", fill.writes())
            .isFalse();
        awaitTrue(() -> producer.pauses() == 1, "the producer was not paused: " + producer.events());
        holds.hold("operator");

        this.subject.grant(ContractSettings.ALL);
        awaitDelivered(fill.writes());
        staysTrue(() -> producer.resumes() == 0, "the producer was resumed while the hold was in force");

        holds.release("operator");

        assertThat(producer.await(fill.last(), timeout()))
            .as("the answer once the hold was released; the producer got %s", producer.events())
            .isEqualTo(Answer.RESUMED);
        assertThat(producer.violations()).as("illegal calls").isEmpty();
    }

    @Test
    void aRegisteredPullProducerIsStoppedWhenTheConsumerIsAborted() {
        OptionalLong high = this.subject.highWaterMark();
        int first = (int) Math.min(1 << 20, high.orElse(0) + this.settings.chunkBytes());
        ContractPullProducer producer = new ContractPullProducer(this.consumer, 0, 1000, this.settings.chunkBytes(),
                Math.max(first, this.settings.chunkBytes()));
        this.consumer.registerProducer(producer, false);
        producer.awaitAsks(1, timeout()); // FD-3 has a check of its own

        this.subject.abort();

        assertThat(producer.awaitStop(timeout())).as("the consumer was aborted but its pull producer was not stopped: %s",
                producer).isTrue();
        assertThat(producer.violations()).as("illegal calls").isEmpty();
    }

    // ------------------------------------------------------------------------------------------- callback discipline

    @Test
    void pauseAndResumeStrictlyAlternateStartingWithAPause() throws Exception {
        ContractPushProducer producer = churn();
        List<String> events = producer.events();
        assertThat(producer.violations()).as("pause/resume out of turn").isEmpty();
        if (!events.isEmpty()) {
            assertThat(events.get(0)).as("the first callback").isEqualTo("pause");
        }
    }

    @Test
    void callbacksToAProducerNeverOverlap() throws Exception {
        ContractPushProducer producer = churn();
        assertThat(producer.overlaps()).as("callbacks that began while another thread was inside one").isZero();
    }

    @Test
    void nothingReachesAPushProducerAfterStopProducing() throws Exception {
        ContractPushProducer producer = registeredPushProducer();
        int perWriter = 200;
        try (AutoCloseable drainer = drainer(); AutoCloseable holder = holdChurn()) {
            Future<WritersReport> writing = this.threads.submit(() -> runWriters(producer, WRITERS, perWriter));
            long quarter = (long) WRITERS * perWriter * this.settings.chunkBytes() / 4;
            waitAWhileFor(() -> this.subject.deliveredBytes() >= quarter); // whether it flows is checked elsewhere
            this.subject.abort();
            WritersReport report = writing.get(longWait().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(report.lost()).as("lost wake-ups").isEmpty();
        }
        awaitTrue(() -> producer.state() == ContractPushProducer.State.STOPPED,
                "the consumer was aborted but its producer was not stopped: " + producer);
        int seen = producer.events().size();
        producer.write(this.consumer, chunk(WRITERS, 0)); // a write that crosses the stop is dropped, not answered
        staysTrue(() -> producer.events().size() == seen, "a callback came after stopProducing");
        assertThat(producer.violations()).as("illegal calls").isEmpty();
        assertThat(producer.events()).as("callbacks").containsOnlyOnce("stop").endsWith("stop");
    }

    @Test
    void nothingReachesAPullProducerAfterStopProducing() throws Exception {
        ContractPullProducer producer = pullProducer(0, 100_000);
        try (AutoCloseable drainer = drainer()) {
            this.consumer.registerProducer(producer, false);
            producer.awaitAsks(20, timeout()); // whether it is asked again is checked elsewhere: stop it anyway
            this.subject.abort();
            assertThat(producer.awaitStop(timeout())).as("the consumer was aborted but its pull producer was not "
                    + "stopped: %s", producer).isTrue();
            int asks = producer.asks();
            staysTrue(() -> producer.asks() == asks, () -> "asked again after it was stopped: " + producer + ", "
                    + producer.violations());
        }
        assertThat(producer.violations()).as("illegal calls").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------- memory bound

    @Test
    void aProducerHonouringFalseOvershootsTheHighMarkByAtMostOneWritePerWritingThread() throws Exception {
        long high = bounded();
        ContractPushProducer producer = registeredPushProducer();
        WritersReport report;
        try (AutoCloseable drainer = drainer()) {
            report = runWriters(producer, WRITERS, 300);
        }
        assertThat(report.lost()).as("lost wake-ups").isEmpty();
        assertThat(producer.pauses()).as("pauses: whether the writers reached the high mark at all").isPositive();
        long bound = high + (long) WRITERS * this.settings.chunkBytes();
        assertThat(report.maxDepth()).as("the most buffered after a write, with %d writers of %d-byte chunks and a "
                + "high mark of %d", WRITERS, this.settings.chunkBytes(), high).isLessThanOrEqualTo(bound);
    }

    @Test
    void aProducerHonouringFalseIsBoundedWhileACallIntoTheFarEndIsSlow() throws Exception {
        long high = bounded();
        Optional<ContractSubject.Stall> stalls = this.subject.stall();
        assumeThat(stalls).as("a consumer that calls into its far end synchronously").isPresent();
        ContractSubject.Stall stall = stalls.orElseThrow();
        this.subject.grant(this.settings.chunkBytes());
        stall.stall();
        Future<Boolean> slow = this.threads.submit(() -> this.consumer.write(chunk(1, 0)));
        assertThat(stall.awaitStalled(timeout())).as("a call into the far end began after the first write").isTrue();

        ContractPushProducer producer = registeredPushProducer();
        int cap = (int) (4 * high / this.settings.chunkBytes()) + 8;
        Fill fill = fillUntilFalse(producer, cap);

        long held = (long) fill.writes() * this.settings.chunkBytes();
        assertThat(fill.last().writable()).as("write returned false within %d writes while the far end was stalled",
                cap).isFalse();
        assertThat(held).as("bytes a producer honouring false wrote while the far end was stalled (high mark %d, "
                + "%d-byte chunks, one more chunk stuck in the far end)", high, this.settings.chunkBytes())
            .isLessThanOrEqualTo(high + this.settings.chunkBytes());
        stall.unstall();
        slow.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------------------------------------ order, once

    @Test
    void eachWritersChunksArriveInOrderExactlyOnce() throws Exception {
        ContractPushProducer producer = registeredPushProducer();
        int perWriter = 200;
        try (AutoCloseable drainer = drainer()) {
            WritersReport report = runWriters(producer, WRITERS, perWriter);
            assertThat(report.lost()).as("lost wake-ups").isEmpty();
            awaitDelivered(WRITERS * perWriter);
        }
        assertOrderedExactlyOnce(WRITERS, perWriter);
    }

    // ------------------------------------------------------------------------------- unregistration, pull producers

    @Test
    void unregisteringAPushProducerCallsNoProducerMethod() {
        this.subject.grant(ContractSettings.ALL);
        ContractPushProducer producer = registeredPushProducer();
        producer.write(this.consumer, chunk(0, 0));
        awaitDelivered(1);

        this.consumer.unregisterProducer();
        List<String> before = producer.events();
        this.subject.abort();

        staysTrue(() -> producer.events().equals(before), "the unregistered producer was called: " + before
                + " before it unregistered, " + producer.events() + " in all");
    }

    @Test
    void unregisteringAPullProducerCallsNoProducerMethod() {
        ContractPullProducer producer = pullProducer(0, 1000);
        this.consumer.registerProducer(producer, false);
        producer.awaitAsks(1, timeout()); // FD-3 has a check of its own
        awaitQuiet(producer::asks, "the pull producer is asked again and again with nothing drained: " + producer);
        int asks = producer.asks();

        this.consumer.unregisterProducer();
        this.subject.grant(ContractSettings.ALL);
        awaitDelivered(producer.written());
        this.subject.abort();

        staysTrue(() -> producer.asks() == asks && !producer.isStopped(),
                "the unregistered pull producer was called: " + producer);
    }

    @Test
    void aProducerPausedByTheConsumerHearsNothingAfterItUnregisters() {
        ContractPushProducer producer = registeredPushProducer();
        Fill fill = fillUntilFalse(producer, 0);
        if (!fill.last().writable()) {
            awaitTrue(() -> producer.pauses() == 1, "the producer that got false was not paused: " + producer.events());
        }

        this.consumer.unregisterProducer();
        List<String> before = producer.events();
        this.subject.grant(ContractSettings.ALL);
        awaitDelivered(fill.writes());
        this.subject.abort();

        staysTrue(() -> producer.events().equals(before), "the unregistered producer was called: " + before
                + " before it unregistered, " + producer.events() + " in all");
    }

    @Test
    void aPullProducerIsAskedForDataWhenItRegisters() {
        assumeAsksAtRegistration();
        ContractPullProducer producer = pullProducer(0, 1);
        this.consumer.registerProducer(producer, false);
        assertThat(producer.awaitAsks(1, timeout())).as("asked for data at registration (FD-3): %s", producer)
            .isTrue();
    }

    @Test
    void aPullProducerIsAskedAgainOnceTheConsumerHasDrainedCompletely() {
        assumeAsksAtRegistration();
        assumeAsksAgainOnceDrained();
        ContractPullProducer producer = pullProducer(0, 3);
        this.consumer.registerProducer(producer, false);
        assertThat(producer.awaitAsks(1, timeout())).as("asked for data at registration (FD-3): %s", producer)
            .isTrue();

        this.subject.grant(ContractSettings.ALL);

        assertThat(producer.awaitEnd(timeout())).as("asked again after each complete drain (FD-11a): %s", producer)
            .isTrue();
        awaitDelivered(3);
        assertOrderedExactlyOnce(1, 3);
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** The subject under test, for subclasses that add checks of their own. */
    protected final ContractSubject subject() {
        return this.subject;
    }

    private Duration timeout() {
        return this.settings.timeout();
    }

    /** For waits that cover a whole run of many writes. */
    private Duration longWait() {
        return this.settings.timeout().multipliedBy(6);
    }

    private ByteBuffer chunk(int writer, int seq) {
        return Records.chunk(writer, seq, this.settings.chunkBytes());
    }

    private ContractPullProducer pullProducer(int writer, int chunks) {
        return new ContractPullProducer(this.consumer, writer, chunks, this.settings.chunkBytes());
    }

    private ContractPushProducer registeredPushProducer() {
        ContractPushProducer producer = new ContractPushProducer();
        this.consumer.registerProducer(producer, true);
        return producer;
    }

    private long bounded() {
        OptionalLong high = this.subject.highWaterMark();
        assumeThat(high).as("a bounded consumer").isPresent();
        return high.getAsLong();
    }

    private void assumeAsksAtRegistration() {
        assumeThat(this.subject.asksAPullProducerWhenItRegisters())
            .as("a consumer that asks a pull producer for data as it registers (FD-3); see %s", this.subject)
            .isTrue();
    }

    private void assumeAsksAgainOnceDrained() {
        assumeThat(this.subject.asksAPullProducerAgainOnceDrained())
            .as("a consumer that asks a pull producer again once drained (FD-11a); see %s", this.subject)
            .isTrue();
    }

    private ContractSubject.Holds holds() {
        Optional<ContractSubject.Holds> holds = this.subject.holds();
        assumeThat(holds).as("a consumer with operator holds").isPresent();
        assumeThat(this.subject.holdsReachTheProducer())
            .as("a consumer whose operator holds reach its producer at once; see %s", this.subject)
            .isTrue();
        return holds.orElseThrow();
    }

    /** What {@link #fillUntilFalse} did: the writes made and the last one's ticket. */
    private record Fill(int writes, Ticket last) {
    }

    /**
     * Writes writer 0's chunks without draining until one returns {@code false}, or {@code cap} writes (0: enough to
     * cross the high mark four times over, or 8 for a consumer without one).
     */
    private Fill fillUntilFalse(ContractPushProducer producer, int cap) {
        OptionalLong high = this.subject.highWaterMark();
        int limit = (cap > 0) ? cap
                : high.isPresent() ? (int) (4 * high.getAsLong() / this.settings.chunkBytes()) + 8 : 8;
        Ticket last = null;
        int writes = 0;
        while (writes < limit) {
            last = producer.write(this.consumer, chunk(0, writes));
            writes++;
            if (!last.writable()) {
                break;
            }
        }
        return new Fill(writes, last);
    }

    private void awaitDelivered(int chunks) {
        long bytes = (long) chunks * this.settings.chunkBytes();
        awaitTrue(() -> this.subject.deliveredBytes() >= bytes, chunks + " chunks (" + bytes + " bytes) did not all "
                + "reach the far end");
    }

    private void awaitTrue(BooleanSupplier condition, String failure) {
        if (!waitAWhileFor(condition)) {
            fail(failure + " (waited " + timeout() + ")");
        }
    }

    /** Waits until {@code condition} holds, at most the timeout; returns whether it does. */
    private boolean waitAWhileFor(BooleanSupplier condition) {
        try {
            await().atMost(timeout()).pollInterval(Duration.ofMillis(5)).until(condition::getAsBoolean);
            return true;
        }
        catch (ConditionTimeoutException ex) {
            return false;
        }
    }

    /** Waits until {@code value} has not changed for {@link #QUIET}. */
    private void awaitQuiet(IntSupplier value, String failure) {
        AtomicInteger last = new AtomicInteger(value.getAsInt());
        try {
            await().during(QUIET).atMost(timeout()).pollInterval(Duration.ofMillis(5)).until(() -> {
                int now = value.getAsInt();
                return last.getAndSet(now) == now;
            });
        }
        catch (ConditionTimeoutException ex) {
            fail(failure + " (for " + timeout() + ")");
        }
    }

    /** Checks that {@code condition} holds now and for {@link #QUIET} more. */
    private void staysTrue(BooleanSupplier condition, String failure) {
        staysTrue(condition, () -> failure);
    }

    /**
     * Checks that {@code condition} holds now and still holds {@link #QUIET} later; the failure is described when it
     * comes. Every condition given is monotonic (a count that must not grow), so looking at both ends is enough, and no
     * busy machine can make it fail spuriously.
     */
    private void staysTrue(BooleanSupplier condition, Supplier<String> failure) {
        if (condition.getAsBoolean()) {
            await().pollDelay(QUIET).atMost(QUIET.plus(timeout())).until(() -> true);
        }
        if (!condition.getAsBoolean()) {
            fail(failure.get() + " (watched for " + QUIET + ")");
        }
    }

    private void assertOrderedExactlyOnce(int writers, int perWriter) {
        List<Record> records = Records.decode(this.subject.delivered(), this.settings.chunkBytes());
        int[] next = new int[writers];
        List<String> wrong = new ArrayList<>();
        for (Record record : records) {
            if (record.writer() < 0 || record.writer() >= writers) {
                wrong.add("a chunk of unknown writer " + record.writer());
            }
            else if (record.seq() != next[record.writer()]) {
                wrong.add("writer " + record.writer() + ": #" + record.seq() + " where #" + next[record.writer()]
                        + " was due");
                next[record.writer()] = record.seq() + 1;
            }
            else {
                next[record.writer()]++;
            }
            if (wrong.size() == 10) {
                break;
            }
        }
        assertThat(wrong).as("chunks out of order, repeated or missing").isEmpty();
        for (int writer = 0; writer < writers; writer++) {
            assertThat(next[writer]).as("chunks of writer %d that arrived", writer).isEqualTo(perWriter);
        }
        assertThat(records).as("chunks that arrived").hasSize(writers * perWriter);
    }

    /**
     * Starts a thread that opens the far end a little at a time, never more than two chunks ahead of what has arrived,
     * until closed: a slow peer on another thread.
     */
    private AutoCloseable drainer() {
        AtomicBoolean running = new AtomicBoolean(true);
        long step = Math.max(1, this.settings.chunkBytes() / 2);
        long ahead = 2L * this.settings.chunkBytes();
        long deadline = System.nanoTime() + longWait().multipliedBy(2).toNanos();
        Future<?> drain = this.threads.submit(() -> {
            long granted = 0;
            while (running.get() && System.nanoTime() < deadline) {
                if (granted - this.subject.deliveredBytes() < ahead) {
                    this.subject.grant(step);
                    granted += step;
                }
                Thread.yield();
            }
            return null;
        });
        return () -> {
            running.set(false);
            finish(drain, "the draining thread");
        };
    }

    /** Starts a thread that places and releases an operator hold, 50 times, if the subject has holds. */
    private AutoCloseable holdChurn() {
        Optional<ContractSubject.Holds> holds = this.subject.holds();
        if (holds.isEmpty()) {
            return () -> {
            };
        }
        Future<?> churn = this.threads.submit(() -> {
            for (int i = 0; i < 50; i++) {
                holds.get().hold("churn");
                Thread.yield();
                holds.get().release("churn");
                Thread.yield();
            }
            return null;
        });
        return () -> finish(churn, "the operator thread");
    }

    /** Writers, a slow drain and an operator, all at once, until every writer is done; returns the producer. */
    private ContractPushProducer churn() throws Exception {
        ContractPushProducer producer = registeredPushProducer();
        int perWriter = 200;
        try (AutoCloseable drainer = drainer(); AutoCloseable holder = holdChurn()) {
            WritersReport report = runWriters(producer, WRITERS, perWriter);
            assertThat(report.lost()).as("lost wake-ups").isEmpty();
            awaitDelivered(WRITERS * perWriter);
        }
        return producer;
    }

    /** What {@link #runWriters} saw. */
    private record WritersReport(List<String> lost, int stoppedWriters, long maxDepth) {
    }

    /**
     * Runs {@code writers} threads that each write {@code perWriter} chunks through {@code producer}, honouring
     * {@code false}; a writer ends early when stopped, or when an answer does not come (a lost wake-up). Measures the
     * consumer's buffer after each write when it is bounded.
     */
    private WritersReport runWriters(ContractPushProducer producer, int writers, int perWriter) throws Exception {
        boolean measure = this.subject.highWaterMark().isPresent();
        LongAccumulator maxDepth = new LongAccumulator(Math::max, 0);
        List<String> lost = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger stopped = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            running.add(this.threads.submit(() -> {
                for (int seq = 0; seq < perWriter; seq++) {
                    Ticket ticket = producer.write(this.consumer, chunk(writer, seq));
                    if (measure) {
                        maxDepth.accumulate(this.subject.bufferedUnits());
                    }
                    Answer answer = producer.await(ticket, timeout());
                    if (answer == Answer.TIMED_OUT) {
                        lost.add("writer " + writer + ": write #" + seq + " returned false, and neither "
                                + "resumeProducing nor stopProducing came within " + timeout() + " (" + producer
                                + ", " + this.subject.deliveredBytes() + " bytes delivered)");
                        return null;
                    }
                    if (answer == Answer.STOPPED) {
                        stopped.incrementAndGet();
                        return null;
                    }
                }
                return null;
            }));
        }
        for (Future<?> writer : running) {
            finish(writer, "a writer");
        }
        return new WritersReport(List.copyOf(lost), stopped.get(), maxDepth.get());
    }

    private void finish(Future<?> task, String what) throws Exception {
        try {
            task.get(longWait().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            task.cancel(true);
            fail(what + " did not finish within " + longWait() + ": a call into the consumer never returned");
        }
        catch (ExecutionException ex) {
            if (ex.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw ex;
        }
    }
}
