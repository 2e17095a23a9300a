package dev.sluice.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

/**
 * A non-blocking output that takes {@code capacity} bytes, then reports not ready until granted more, and calls
 * {@code onWritePossible} as a container does: first when the listener is set (on {@link #open()}), then only after
 * {@code isReady()} returned false.
 */
final class FakeOutput extends ServletOutputStream {

    final ByteArrayOutputStream written = new ByteArrayOutputStream();

    private long capacity;

    private boolean owesCallback;

    private WriteListener listener;

    int writes;

    IOException failure;

    /**
     * When set, a write keeps a reference to the caller's array and reads its bytes only at the next {@code isReady()},
     * as Jetty's asynchronous output may; otherwise the bytes are copied at once, as Tomcat does.
     */
    boolean retains;

    private byte[] pendingArray;

    private int pendingOffset;

    private int pendingLength;

    @Override
    public synchronized boolean isReady() {
        if (this.pendingArray != null) {
            this.written.write(this.pendingArray, this.pendingOffset, this.pendingLength);
            this.pendingArray = null;
        }
        if (this.capacity > 0) {
            return true;
        }
        this.owesCallback = true;
        return false;
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
        this.listener = writeListener;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        if (this.failure != null) {
            throw this.failure;
        }
        if (this.capacity <= 0) {
            throw new IllegalStateException("write while not ready");
        }
        if (this.retains) {
            this.pendingArray = bytes;
            this.pendingOffset = offset;
            this.pendingLength = length;
        }
        else {
            this.written.write(bytes, offset, length);
        }
        this.capacity -= length; // a container buffers the excess of one write
        this.writes++;
    }

    /** The container's first onWritePossible. */
    void open(long bytes) throws IOException {
        synchronized (this) {
            this.capacity = bytes;
        }
        this.listener.onWritePossible();
    }

    /** The client reads {@code bytes}; calls onWritePossible if owed. */
    void grant(long bytes) throws IOException {
        boolean call;
        synchronized (this) {
            this.capacity += bytes;
            call = this.capacity > 0 && this.owesCallback;
            if (call) {
                this.owesCallback = false;
            }
        }
        if (call) {
            this.listener.onWritePossible();
        }
    }

    WriteListener listener() {
        return this.listener;
    }

    synchronized byte[] bytes() {
        return this.written.toByteArray();
    }
}
