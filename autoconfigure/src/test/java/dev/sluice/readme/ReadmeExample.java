package dev.sluice.readme;

import java.nio.ByteBuffer;

import dev.sluice.BufferedConsumer;
import dev.sluice.Producer;
import dev.sluice.ProducerListener;
import dev.sluice.PushProducer;
import dev.sluice.Weigher;
import dev.sluice.boot.BufferedConsumerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class ReadmeExample {

    /** The slow side, such as an HTTP client with a rate limit. */
    public interface UploadApi {

        /** Takes what it can of {@code chunk}; false means "not now", and the rest stays in the chunk. */
        boolean offer(ByteBuffer chunk);

        /** Calls {@code ready} each time it can take more after an offer returned false. */
        void whenReady(Runnable ready);
    }

    /** The fast side, such as a message listener container: its own thread calls the handler per event. */
    public interface EventSource {

        void start(java.util.function.Consumer<ByteBuffer> handler);

        void pause();

        void resume();

        void close();
    }

    // The consumer: buffers what is written, passes it to the API; water marks from sluice.consumers.uploads.*
    @Bean
    BufferedConsumer<ByteBuffer> uploads(BufferedConsumerFactory consumers, UploadApi api) {
        BufferedConsumer<ByteBuffer> uploads = consumers.builder("uploads", api::offer, Weigher.bytes()).build();
        api.whenReady(uploads::drain); // who drains: the API, when it takes more after saying "not now"
        return uploads;
    }

    // The producer: once the pipe has registered it, the source's thread writes every event into the consumer
    @Bean
    EventFeed events(EventSource source, BufferedConsumer<ByteBuffer> uploads) {
        return new EventFeed(source, uploads);
    }

    public static final class EventFeed implements PushProducer, ProducerListener {

        private final EventSource source;

        private final BufferedConsumer<ByteBuffer> uploads;

        private long resumes; // guarded by this: tells a false that a resume has answered it already

        EventFeed(EventSource source, BufferedConsumer<ByteBuffer> uploads) {
            this.source = source;
            this.uploads = uploads;
            uploads.addProducerListener(this);
        }

        @Override
        public void registered(Producer producer, boolean streaming) {
            if (producer == this) {
                this.source.start(this::write); // who writes: the source's thread
            }
        }

        private void write(ByteBuffer event) {
            long resumesBefore;
            synchronized (this) {
                resumesBefore = this.resumes;
            }
            if (!this.uploads.write(event)) { // write never blocks; false: the buffer is above its high-water mark
                synchronized (this) {
                    if (this.resumes == resumesBefore) {
                        this.source.pause(); // stop at once; pauseProducing follows, then resumeProducing
                    }
                }
            }
        }

        @Override
        public synchronized void pauseProducing() {
            this.source.pause(); // the buffer went above its high-water mark
        }

        @Override
        public synchronized void resumeProducing() {
            this.resumes++;
            this.source.resume(); // it drained to the low-water mark
        }

        @Override
        public void stopProducing() {
            this.source.close(); // shutdown: sluice.shutdown.timeout lets the buffer drain first
        }
    }
}
