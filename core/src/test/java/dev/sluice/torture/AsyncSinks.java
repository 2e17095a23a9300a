package dev.sluice.torture;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.io.AsyncSink;

/**
 * An {@link AsyncSink} for a torture round: its call checks each source's order and counts the item (the
 * {@link CheckingSink.Delivery} is the sink's), and completes on the round's completer threads (now and then after a
 * delay of up to 200 µs, now and then at once on the offering thread); a few calls fail (the skip hook classifies them as the item's fault,
 * so they are skipped, or not, so the consumer fails with an {@code AsyncSinkException}). At most one hook throws
 * once per round: the success hook or the skip classifier, with a {@code RuntimeException} or an {@code Error} (issue
 * 18 defect 5: v2 swallowed it inside {@code whenComplete} and never released the slot).
 */
final class AsyncSinks {

    /** Which hook throws, and what. */
    record HookFailure(boolean inSuccessHook, long atCall, Faults.Kind kind) {

        static final HookFailure NONE = new HookFailure(true, -1, Faults.Kind.RUNTIME);
    }

    private final Checks checks;

    private final CheckingSink.Delivery delivery;

    private final ScheduledExecutorService completer;

    private final SplittableRandom random;

    private final HookFailure hookFailure;

    /** Per mille of calls that fail; failures that are not skipped fail the consumer. */
    private final int failurePerMille;

    private final AtomicLong successes = new AtomicLong();

    private final AtomicLong classifications = new AtomicLong();

    private volatile boolean quiet;

    private final AsyncSink<ByteBuffer> sink;

    AsyncSinks(Checks checks, String name, CheckingSink.Delivery delivery, ScheduledExecutorService completer,
            SplittableRandom random, int maxInFlight, HookFailure hookFailure, int failurePerMille) {
        this.checks = checks;
        this.delivery = delivery;
        this.completer = completer;
        this.random = random;
        this.hookFailure = hookFailure;
        this.failurePerMille = failurePerMille;
        this.sink = AsyncSink.<ByteBuffer>builder(this::call)
            .name(name)
            .maxInFlight(maxInFlight)
            .onSuccess(this::succeeded)
            .skipIf(this::skipIf)
            .build();
    }

    AsyncSink<ByteBuffer> sink() {
        return this.sink;
    }

    /** From now on no call fails and no hook throws: the quiet point drains the buffer. */
    void quiet() {
        this.quiet = true;
    }

    /** The call: on the consumer's drain loop, one at a time, in the consumer's order. */
    private CompletableFuture<Void> call(ByteBuffer item) {
        this.delivery.checkOrder(item);
        this.delivery.delivered(item);
        // drawn on the offering thread, which the consumer serializes
        boolean fails = !this.quiet && this.random.nextInt(1000) < this.failurePerMille;
        int dice = this.random.nextInt(16);
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        Runnable complete = () -> {
            if (fails) {
                outcome.completeExceptionally(this.checks.faults.make(Faults.Kind.RUNTIME, Faults.Site.ASYNC_CALL));
            }
            else {
                outcome.complete(null);
            }
        };
        if (dice < 2) {
            complete.run(); // at once, on the offering thread: the hooks run inside the drain
        }
        else {
            try {
                if (dice == 2) {
                    this.completer.schedule(complete, this.random.nextInt(200), TimeUnit.MICROSECONDS);
                }
                else {
                    this.completer.execute(complete);
                }
            }
            catch (java.util.concurrent.RejectedExecutionException shutDown) {
                complete.run(); // the round has ended: complete on this thread
            }
        }
        return outcome;
    }

    private void succeeded(ByteBuffer item) {
        if (this.hookFailure.inSuccessHook() && this.successes.incrementAndGet() == this.hookFailure.atCall()
                && !this.quiet) {
            throw Faults.sneaky(this.checks.faults.make(this.hookFailure.kind(), Faults.Site.ASYNC_HOOK));
        }
    }

    private boolean skipIf(Throwable failure) {
        long call = this.classifications.incrementAndGet();
        if (!this.hookFailure.inSuccessHook() && call == this.hookFailure.atCall() && !this.quiet) {
            throw Faults.sneaky(this.checks.faults.make(this.hookFailure.kind(), Faults.Site.ASYNC_HOOK));
        }
        boolean itemsFault = (call & 1) == 1; // half are the item's fault; the others fail the consumer
        if (!itemsFault) {
            this.checks.faults.gaveUp(failure);
        }
        return itemsFault;
    }
}
