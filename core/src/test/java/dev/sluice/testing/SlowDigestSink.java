package dev.sluice.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.Executor;

import dev.sluice.BufferedConsumer;
import dev.sluice.Sink;

/**
 * A slow peer: takes at most {@link #perOffer} bytes per offer into a SHA-256 digest, and when it could not take a
 * whole chunk asks its consumer to drain again later, from another thread ("the socket became writable"). It can be
 * told to fail after a number of bytes (the peer disconnects).
 */
public final class SlowDigestSink implements Sink<ByteBuffer> {

    private final MessageDigest digest;

    private final int perOffer;

    private final Executor network;

    private final long failAfter;

    private volatile BufferedConsumer<ByteBuffer> consumer;

    private volatile long taken;

    private volatile boolean closed;

    public SlowDigestSink(int perOffer, Executor network, long failAfter) {
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
        this.perOffer = perOffer;
        this.network = network;
        this.failAfter = failAfter;
    }

    public void attach(BufferedConsumer<ByteBuffer> target) {
        this.consumer = target;
    }

    @Override
    public boolean offer(ByteBuffer item) throws IOException {
        if (this.taken >= this.failAfter) {
            throw new IOException("connection reset by peer");
        }
        int n = Math.min(this.perOffer, item.remaining());
        ByteBuffer part = item.duplicate();
        part.limit(part.position() + n);
        this.digest.update(part);
        item.position(item.position() + n);
        this.taken += n;
        if (item.hasRemaining()) {
            this.network.execute(this.consumer::drain);
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        this.closed = true;
    }

    public byte[] sha256() {
        return this.digest.digest();
    }

    public long taken() {
        return this.taken;
    }

    public boolean isClosed() {
        return this.closed;
    }
}
