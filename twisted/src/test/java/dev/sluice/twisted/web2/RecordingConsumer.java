package dev.sluice.twisted.web2;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.Consumer;
import dev.sluice.Producer;
import dev.sluice.PushProducer;
import org.jspecify.annotations.Nullable;

/**
 * A consumer that records what happens to it ("register:push", the text of each write, "unregister") and, when told,
 * pauses its push producer from inside a given write ("pause"), as a consumer with a full buffer does.
 */
final class RecordingConsumer implements Consumer<ByteBuffer> {

    private final List<String> events = new ArrayList<>();
    private final int pauseAtWrite;
    private int writes;
    @Nullable Producer producer;

    /** @param pauseAtWrite the write (1-based) inside which to pause the producer; 0 never */
    RecordingConsumer(int pauseAtWrite) {
        this.pauseAtWrite = pauseAtWrite;
    }

    @Override
    public synchronized void registerProducer(Producer producer, boolean streaming) {
        this.producer = producer;
        this.events.add(streaming ? "register:push" : "register:pull");
    }

    @Override
    public synchronized void unregisterProducer() {
        this.producer = null;
        this.events.add("unregister");
    }

    @Override
    public boolean write(ByteBuffer data) {
        PushProducer toPause = null;
        synchronized (this) {
            this.events.add(StreamTesting.text(data));
            if (++this.writes == this.pauseAtWrite) {
                this.events.add("pause");
                toPause = (PushProducer) this.producer;
            }
        }
        if (toPause != null) {
            toPause.pauseProducing();
        }
        return true;
    }

    synchronized List<String> events() {
        return List.copyOf(this.events);
    }
}
