package dev.sluice.boot;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import dev.sluice.Consumer;
import dev.sluice.file.FileSender;

/**
 * Starts file transfers with the configured chunk size ({@code sluice.file.chunk-size}): each call makes a new
 * {@link FileSender}, a pull producer that registers itself with the consumer.
 */
public final class FileTransfers {

    private final int chunkSize;

    /**
     * Creates the factory.
     *
     * @param chunkSize the size of each chunk read and written, in bytes
     */
    public FileTransfers(int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
        }
        this.chunkSize = chunkSize;
    }

    /** A new sender with the configured chunk size. */
    public FileSender newSender() {
        return new FileSender(this.chunkSize);
    }

    /**
     * Sends {@code file} into {@code consumer}; see {@link FileSender#beginFileTransfer(Path, Consumer)}.
     *
     * @return a future of the last byte sent
     */
    public CompletableFuture<ByteBuffer> send(Path file, Consumer<ByteBuffer> consumer) {
        return newSender().beginFileTransfer(file, consumer);
    }

    /** The chunk size, in bytes. */
    public int chunkSize() {
        return this.chunkSize;
    }
}
