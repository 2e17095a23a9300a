package dev.sluice.file;

/**
 * The consumer stopped a {@link FileSender} before the end of the file: the failure of its transfer future, Twisted's
 * {@code Exception("Consumer asked us to stop producing")} (FS-5).
 */
public final class FileTransferStoppedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FileTransferStoppedException() {
        super("Consumer asked us to stop producing");
    }
}
