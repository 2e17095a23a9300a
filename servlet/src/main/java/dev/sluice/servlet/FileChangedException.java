package dev.sluice.servlet;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file changed size while it was being sent: the transfer fails rather than send a body that mixes two versions of
 * the file or ends short.
 */
public final class FileChangedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    private final long expectedSize;

    private final long actualSize;

    /**
     * Creates the exception.
     *
     * @param file the file
     * @param expectedSize its size when the transfer started
     * @param actualSize its size when the change was seen
     */
    public FileChangedException(Path file, long expectedSize, long actualSize) {
        super("File " + file + " changed size during the transfer: expected " + expectedSize + " bytes, now "
                + actualSize + " bytes");
        this.file = file;
        this.expectedSize = expectedSize;
        this.actualSize = actualSize;
    }

    /** The file. */
    public Path file() {
        return this.file;
    }

    /** Its size when the transfer started, in bytes. */
    public long expectedSize() {
        return this.expectedSize;
    }

    /** Its size when the change was seen, in bytes. */
    public long actualSize() {
        return this.actualSize;
    }
}
