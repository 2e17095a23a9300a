package dev.sluice.testing;

import java.util.ArrayList;
import java.util.List;

import dev.sluice.PushProducer;

/**
 * A push producer that records every call, legal or not: Twisted's tests' {@code actions} list. Use
 * {@link StrictPushProducer} where the calls must also be legal.
 */
public class RecordingPushProducer implements PushProducer {

    private final List<String> events = new ArrayList<>();

    @Override
    public synchronized void pauseProducing() {
        this.events.add("pause");
    }

    @Override
    public synchronized void resumeProducing() {
        this.events.add("resume");
    }

    @Override
    public synchronized void stopProducing() {
        this.events.add("stop");
    }

    public synchronized List<String> events() {
        return List.copyOf(this.events);
    }
}
