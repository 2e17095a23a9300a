package dev.sluice.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.Producer;
import dev.sluice.ProducerListener;

/**
 * A {@link ProducerListener} that records every event with its producer and the thread that delivered it.
 * Thread-safe.
 */
public class RecordingProducerListener implements ProducerListener {

    /**
     * One event.
     *
     * @param name "registered", "unregistered", "paused", "resumed" or "stopped"
     * @param producer the producer it is about
     * @param thread the thread that delivered it
     */
    public record Event(String name, Producer producer, Thread thread) {

        @Override
        public String toString() {
            return this.name + " " + this.producer;
        }
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();

    private void record(String name, Producer producer) {
        this.events.add(new Event(name, producer, Thread.currentThread()));
    }

    @Override
    public void registered(Producer producer, boolean streaming) {
        record("registered", producer);
    }

    @Override
    public void unregistered(Producer producer) {
        record("unregistered", producer);
    }

    @Override
    public void paused(Producer producer) {
        record("paused", producer);
    }

    @Override
    public void resumed(Producer producer) {
        record("resumed", producer);
    }

    @Override
    public void stopped(Producer producer) {
        record("stopped", producer);
    }

    /** The events so far, in order. */
    public List<Event> events() {
        return List.copyOf(this.events);
    }

    /** The names of the events so far, in order. */
    public List<String> names() {
        return this.events.stream().map(Event::name).toList();
    }

    /** The events delivered on {@code thread}. */
    public List<Event> on(Thread thread) {
        return this.events.stream().filter(event -> event.thread() == thread).toList();
    }
}
