package dev.sluice.readme;

import java.nio.ByteBuffer;

import dev.sluice.BufferedConsumer;
import dev.sluice.FlowControlledProducer;
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
    FlowControlledProducer<ByteBuffer> events(EventSource source, BufferedConsumer<ByteBuffer> uploads) {
        return FlowControlledProducer.builder(uploads)
            .whenRegistered(events -> source.start(events::write)) // who writes: the source's thread
            .onPause(source::pause) // write returned false, or pauseProducing: the buffer is above its high mark
            .onResume(source::resume) // resumeProducing: it drained to the low-water mark
            .onStop(source::close) // shutdown: sluice.shutdown.timeout lets the buffer drain first
            .build();
    }
}
