package dev.sluice.servlet;

import java.io.IOException;
import java.io.UncheckedIOException;

import dev.sluice.testing.contract.Gate;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

/**
 * A non-blocking servlet output over a contract {@link Gate}: ready while the gate has credit, taking each write whole
 * (as a container buffers the excess of one write), and calling {@code onWritePossible} as a container does: first on
 * {@link #open()}, then when credit comes after {@code isReady()} returned false. A stalled gate blocks the write.
 */
final class GateOutput extends ServletOutputStream {

    private final Gate gate;

    private volatile WriteListener listener;

    private boolean owesCallback;

    GateOutput(Gate gate) {
        this.gate = gate;
    }

    @Override
    public synchronized boolean isReady() {
        if (this.gate.hasCredit()) {
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
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        this.gate.takeAll(bytes, offset, length);
    }

    /** The container's first {@code onWritePossible}. */
    void open() {
        writePossible();
    }

    /** The client reads {@code bytes} more; calls {@code onWritePossible} if one is owed. */
    void grant(long bytes) {
        this.gate.grant(bytes);
        boolean call;
        synchronized (this) {
            call = this.owesCallback && this.gate.hasCredit();
            if (call) {
                this.owesCallback = false;
            }
        }
        if (call) {
            writePossible();
        }
    }

    private void writePossible() {
        try {
            this.listener.onWritePossible();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
