package dev.sluice.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Opens files as {@link FileSender} does and remembers every channel, so tests can check that all were closed. */
final class TrackingOpener implements FileSender.Opener {

    private final List<FileChannel> opened = new CopyOnWriteArrayList<>();

    @Override
    public FileChannel open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        this.opened.add(channel);
        return channel;
    }

    /** How many channels were opened. */
    int openedCount() {
        return this.opened.size();
    }

    /** Whether every channel opened has been closed. */
    boolean allClosed() {
        return this.opened.stream().noneMatch(FileChannel::isOpen);
    }
}
