package dev.sluice.benchmarks.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

import dev.sluice.twisted.web2.ByteStream;
import dev.sluice.twisted.web2.FileStream;

/**
 * A file as a {@link ByteStream} that owns its channel: what a user writes to send a file through
 * {@code SluiceBody.stream}, the body that sendfile can never serve. {@link FileStream} reads 16 KiB chunks (the
 * default {@code sluice.file.chunk-size}) but leaves its channel open, as in Twisted; this closes it with the stream.
 */
final class FileByteStream implements ByteStream {

    private final FileChannel channel;

    private final FileStream chunks;

    private FileByteStream(FileChannel channel) throws IOException {
        this.channel = channel;
        this.chunks = new FileStream(channel);
    }

    static FileByteStream open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file);
        try {
            return new FileByteStream(channel);
        }
        catch (IOException | RuntimeException ex) {
            channel.close();
            throw ex;
        }
    }

    @Override
    public CompletionStage<ByteBuffer> read() {
        return this.chunks.read();
    }

    @Override
    public OptionalLong length() {
        return this.chunks.length();
    }

    @Override
    public Split split(long point) {
        return ByteStream.fallbackSplit(this, point);
    }

    @Override
    public void close() {
        this.chunks.close();
        try {
            this.channel.close();
        }
        catch (IOException ignored) {
            // the transfer is over either way
        }
    }
}
