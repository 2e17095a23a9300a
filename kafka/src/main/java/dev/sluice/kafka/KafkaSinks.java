package dev.sluice.kafka;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import dev.sluice.Sink;
import dev.sluice.io.AsyncSink;
import org.jspecify.annotations.Nullable;

/**
 * Sinks that acknowledge {@link KafkaRecord}s when they are done with them.
 */
public final class KafkaSinks {

    private KafkaSinks() {
    }

    /**
     * An {@link AsyncSink} builder whose hooks acknowledge a record when its call succeeds, and when it is skipped
     * (a poison record, or attempts used up under {@link AsyncSink.Exhausted#SKIP}), so the partition moves on. A record
     * whose failure stops the pipe is not acknowledged. Setting {@code onSuccess} or {@code onSkipped} again replaces
     * these hooks: call {@link KafkaRecord#acknowledge()} from yours.
     *
     * @param call starts the asynchronous operation for a record
     * @param <K> the key type
     * @param <V> the value type
     * @return the builder
     */
    public static <K, V> AsyncSink.Builder<KafkaRecord<K, V>> async(
            Function<? super KafkaRecord<K, V>, ? extends @Nullable CompletionStage<?>> call) {
        return AsyncSink.<KafkaRecord<K, V>>builder(call)
            .onSuccess(KafkaRecord::acknowledge)
            .onSkipped((record, failure) -> record.acknowledge());
    }

    /**
     * A synchronous sink that acknowledges each record once {@code sink} has taken the whole of it.
     *
     * @param sink the sink, for example one that writes to a database and returns {@code true}
     * @param <K> the key type
     * @param <V> the value type
     * @return the acknowledging sink
     */
    public static <K, V> Sink<KafkaRecord<K, V>> acknowledging(Sink<? super KafkaRecord<K, V>> sink) {
        Objects.requireNonNull(sink, "sink");
        return new Sink<>() {
            @Override
            public boolean offer(KafkaRecord<K, V> record) throws Exception {
                boolean taken = sink.offer(record);
                if (taken) {
                    record.acknowledge();
                }
                return taken;
            }

            @Override
            public void close() throws Exception {
                sink.close();
            }

            @Override
            public void abort() {
                sink.abort();
            }
        };
    }
}
