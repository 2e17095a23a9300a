package dev.sluice.testing;

import java.util.ArrayList;
import java.util.List;

import dev.sluice.PullProducer;

/**
 * A pull producer that records its calls ("resume", "stop") and runs an optional action inside each
 * {@code resumeProducing}, given the number of that call (1 for the first).
 */
public class RecordingPullProducer implements PullProducer {

    /** What to do inside a resume. */
    @FunctionalInterface
    public interface OnResume {

        void resumed(int call);
    }

    private final List<String> events = new ArrayList<>();

    private final OnResume onResume;

    private int resumes;

    public RecordingPullProducer() {
        this(call -> {
        });
    }

    public RecordingPullProducer(OnResume onResume) {
        this.onResume = onResume;
    }

    @Override
    public void resumeProducing() {
        synchronized (this) {
            this.events.add("resume");
            this.resumes++;
        }
        this.onResume.resumed(this.resumes);
    }

    @Override
    public synchronized void stopProducing() {
        this.events.add("stop");
    }

    public synchronized List<String> events() {
        return List.copyOf(this.events);
    }
}
