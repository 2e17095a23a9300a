package dev.sluice.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;

/**
 * A consumer that records what it is given, like Twisted's {@code StringTransport} (TD-1, TD-2): it never calls its
 * producer by itself. Tests script reactions with {@link #onWrite} and {@link #onUnregister}; subclasses add events
 * with {@link #record}. Single-threaded unless noted.
 *
 * @param <T> the data type
 */
public class RecordingConsumer<T> implements Consumer<T> {

    private final List<T> written = new ArrayList<>();

    private final List<String> events = new ArrayList<>();

    private Producer producer;

    private boolean streaming;

    private BiConsumer<RecordingConsumer<T>, T> onWrite = (consumer, data) -> { };

    private java.util.function.Consumer<Producer> onUnregister = producer -> { };

    private RuntimeException unregisterFailure;

    @Override
    public void registerProducer(Producer producer, boolean streaming) {
        Objects.requireNonNull(producer, "producer");
        if (this.producer != null) {
            throw new IllegalStateException("Cannot register two producers");
        }
        if (streaming && !(producer instanceof PushProducer)) {
            throw new IllegalArgumentException("streaming needs a PushProducer");
        }
        this.producer = producer;
        this.streaming = streaming;
        this.events.add("register " + (streaming ? "push" : "pull"));
    }

    @Override
    public void unregisterProducer() {
        this.events.add("unregister");
        if (this.unregisterFailure != null) {
            throw this.unregisterFailure;
        }
        Producer old = this.producer;
        this.producer = null;
        this.streaming = false;
        if (old != null) {
            this.onUnregister.accept(old);
        }
    }

    @Override
    public boolean write(T data) {
        Objects.requireNonNull(data, "data");
        this.written.add(data);
        this.events.add("write");
        this.onWrite.accept(this, data);
        return true;
    }

    /** Adds {@code event} to {@link #events()}. */
    protected final void record(String event) {
        this.events.add(event);
    }

    /** Runs {@code reaction} after each write, with this consumer and the data. */
    public RecordingConsumer<T> onWrite(BiConsumer<RecordingConsumer<T>, T> reaction) {
        this.onWrite = reaction;
        return this;
    }

    /** Runs {@code reaction} with the old producer after each successful unregistration. */
    public RecordingConsumer<T> onUnregister(java.util.function.Consumer<Producer> reaction) {
        this.onUnregister = reaction;
        return this;
    }

    /** Makes {@link #unregisterProducer()} throw {@code failure}. */
    public RecordingConsumer<T> failUnregister(RuntimeException failure) {
        this.unregisterFailure = failure;
        return this;
    }

    /** What was written, in order. */
    public List<T> written() {
        return this.written;
    }

    /** The written items concatenated as text. */
    public String text() {
        StringBuilder out = new StringBuilder();
        this.written.forEach(out::append);
        return out.toString();
    }

    /** "register push|pull", "write", "unregister" and what subclasses {@linkplain #record record}, in order. */
    public List<String> events() {
        return this.events;
    }

    /** The registered producer, or null. */
    public Producer producer() {
        return this.producer;
    }

    /** Whether the registered producer was registered as streaming. */
    public boolean isStreaming() {
        return this.streaming;
    }
}
