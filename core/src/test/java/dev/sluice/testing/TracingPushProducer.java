package dev.sluice.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.PushProducer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A push producer that records every callback, legal or not, with the thread that made it, and lets a test wait for
 * the promise of {@code write}'s {@code false} (DESIGN §4.3): a {@code resumeProducing} or a {@code stopProducing}
 * after it. Thread-safe. Subclasses react to a callback in {@link #onCall}.
 */
public class TracingPushProducer implements PushProducer {

    /**
     * One callback.
     *
     * @param name "pause", "resume" or "stop"
     * @param thread the thread that made it
     */
    public record Call(String name, Thread thread) {

        @Override
        public String toString() {
            return this.name + "@" + this.thread.getName();
        }
    }

    private final String name;

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    public TracingPushProducer(String name) {
        this.name = name;
    }

    @Override
    public final void pauseProducing() {
        record("pause");
    }

    @Override
    public final void resumeProducing() {
        record("resume");
    }

    @Override
    public final void stopProducing() {
        record("stop");
    }

    private void record(String call) {
        this.calls.add(new Call(call, Thread.currentThread()));
        onCall(call);
    }

    /** Called inside each callback, after it was recorded. */
    protected void onCall(String call) {
    }

    /** The callbacks so far, in order. */
    public List<Call> calls() {
        return List.copyOf(this.calls);
    }

    /** The names of the callbacks so far, in order. */
    public List<String> names() {
        return this.calls.stream().map(Call::name).toList();
    }

    /** The callbacks made on {@code thread}. */
    public List<Call> callsOn(Thread thread) {
        return this.calls.stream().filter(call -> call.thread() == thread).toList();
    }

    /** How many callbacks so far: a mark to pass to {@link #resumedOrStoppedSince}. */
    public int mark() {
        return this.calls.size();
    }

    /** Whether a resume or a stop came after the first {@code mark} callbacks. */
    public boolean resumedOrStoppedSince(int mark) {
        List<Call> now = calls();
        return now.subList(Math.min(mark, now.size()), now.size()).stream()
                .anyMatch(call -> call.name().equals("resume") || call.name().equals("stop"));
    }

    /**
     * Waits up to {@code within} for a resume or a stop after the first {@code mark} callbacks, and fails with
     * {@code what} and the callbacks seen if none comes.
     */
    public void awaitResumeOrStopSince(int mark, Duration within, String what) {
        await().atMost(within).untilAsserted(() -> assertThat(resumedOrStoppedSince(mark))
                .as("%s: %s got no resumeProducing or stopProducing within %s after write returned false; its"
                        + " callbacks: %s", what, this.name, within, calls())
                .isTrue());
    }

    @Override
    public String toString() {
        return this.name;
    }
}
