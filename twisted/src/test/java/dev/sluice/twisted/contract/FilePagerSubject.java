package dev.sluice.twisted.contract;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import dev.sluice.file.FileSender;
import dev.sluice.testing.RecordingConsumer;
import dev.sluice.testing.contract.ContractSubject;
import dev.sluice.twisted.paging.FilePager;
import dev.sluice.twisted.paging.PageBroker;
import dev.sluice.twisted.paging.PageCollector;

/**
 * A {@link FilePager} as a contract subject, taken as the {@code Consumer} it is: added to a {@link PageBroker} but
 * not started (its own {@link FileSender} never runs), so producers the suite registers write into it. The far end is
 * its collector. A transport thread asks the broker for a page whenever credit is left and the pager holds a chunk
 * (it looks every millisecond: nothing tells it that a chunk was written). Finishing is {@code stopPaging()}; aborting
 * is the transport going away ({@code broker.stopProducing()}).
 * The pager never asks its producer to pause ({@code write} always returns {@code true}): no high mark, no holds.
 */
final class FilePagerSubject implements ContractSubject, PageCollector<ByteBuffer> {

    private final PageBroker broker = new PageBroker(new RecordingConsumer<>());

    private final FilePager pager;

    private final ByteArrayOutputStream pages = new ByteArrayOutputStream();

    private final Thread transport;

    // guarded by this
    private long credit;
    private boolean closed;

    FilePagerSubject() {
        this.pager = new FilePager(this.broker, this, Path.of("never-read"), new FileSender(), null);
        this.broker.registerPageProducer(this.pager);
        this.transport = new Thread(this::pump, "contract-transport");
        this.transport.setDaemon(true);
        this.transport.start();
    }

    private void pump() {
        while (awaitPage()) {
            this.broker.resumeProducing();
        }
    }

    /** Whether a page may go now; waits a millisecond at a time until one may, or the subject is closed. */
    private synchronized boolean awaitPage() {
        while (!this.closed) {
            if (this.credit > 0 && this.pager.bufferedChunks() > 0 && this.broker.pagerCount() > 0) {
                return true;
            }
            try {
                wait(1);
            }
            catch (InterruptedException ex) {
                return false;
            }
        }
        return false;
    }

    @Override
    public FilePager consumer() {
        return this.pager;
    }

    @Override
    public synchronized void grant(long bytes) {
        this.credit = (this.credit > Long.MAX_VALUE - bytes) ? Long.MAX_VALUE : this.credit + bytes;
        notifyAll();
    }

    @Override
    public synchronized void gotPage(ByteBuffer page) {
        int size = page.remaining();
        byte[] bytes = new byte[size];
        page.get(bytes);
        this.pages.write(bytes, 0, size);
        this.credit -= size;
    }

    @Override
    public void endedPaging() {
    }

    @Override
    public synchronized byte[] delivered() {
        return this.pages.toByteArray();
    }

    @Override
    public synchronized long deliveredBytes() {
        return this.pages.size();
    }

    @Override
    public void finish() {
        this.pager.stopPaging();
    }

    @Override
    public void abort() {
        this.broker.stopProducing();
    }

    @Override
    public synchronized void close() {
        this.closed = true;
        notifyAll();
    }

    @Override
    public String toString() {
        return "FilePagerSubject[" + this.pager.bufferedChunks() + " chunks buffered]";
    }
}
