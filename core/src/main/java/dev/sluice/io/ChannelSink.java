package dev.sluice.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

import dev.sluice.Sink;
import dev.sluice.internal.Log;

/**
 * A {@link Sink} that writes bytes to a {@link WritableByteChannel} or an {@link OutputStream}: what makes a
 * {@link dev.sluice.BufferedConsumer} a consumer of a file, a socket or a pipe.
 *
 * <pre>{@code
 * BufferedConsumer<ByteBuffer> consumer = BufferedConsumer.builder(ChannelSink.of(channel))
 *         .weigher(Weigher.bytes())
 *         .build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Blocking</b> channel or stream: each offer writes the whole buffer, blocking the drain thread while the
 *       channel is slow, so the consumer's buffer fills and its producer is paused. Give the consumer its own drain
 *       executor ({@link dev.sluice.BufferedConsumer.Builder#drainOn}) to keep the writers' threads free.</li>
 *   <li><b>Non-blocking</b> channel (a {@link java.nio.channels.SocketChannel} or {@link java.nio.channels.Pipe} sink
 *       in non-blocking mode): an offer writes what the channel takes now; when it takes nothing more the offer
 *       returns {@code false} with the buffer's position advanced past what was written, and the consumer waits.
 *       Whoever watches the channel (a selector reporting {@code OP_WRITE}, a reader that has just emptied a pipe)
 *       must then call {@link dev.sluice.BufferedConsumer#drain()}.</li>
 * </ul>
 *
 * <p>{@link #close()} (a clean close of the consumer) closes the channel, flushing a stream; {@link #abort()} closes it
 * too, logging rather than throwing a failure. A failed write fails the consumer: its producer is stopped and its
 * {@code whenClosed()} fails with the {@link IOException}.
 */
public final class ChannelSink implements Sink<ByteBuffer> {

    private static final Log log = Log.of(ChannelSink.class);

    private final WritableByteChannel channel;

    private ChannelSink(WritableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    /**
     * A sink that writes to {@code channel}, blocking or not.
     *
     * @param channel the channel, closed when the consumer closes
     * @return the sink
     */
    public static ChannelSink of(WritableByteChannel channel) {
        return new ChannelSink(channel);
    }

    /**
     * A sink that writes to {@code out}.
     *
     * @param out the stream, flushed and closed when the consumer closes
     * @return the sink
     */
    public static ChannelSink of(OutputStream out) {
        return new ChannelSink(Channels.newChannel(Objects.requireNonNull(out, "out")));
    }

    /** Writes as much of {@code item} as the channel takes; {@code false} when a non-blocking channel is full. */
    @Override
    public boolean offer(ByteBuffer item) throws IOException {
        while (item.hasRemaining()) {
            if (this.channel.write(item) == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        this.channel.close();
    }

    @Override
    public void abort() {
        try {
            this.channel.close();
        }
        catch (IOException ex) {
            log.warn("Closing {} on abort failed", this.channel, ex);
        }
    }

    @Override
    public String toString() {
        return "ChannelSink[" + this.channel + "]";
    }
}
