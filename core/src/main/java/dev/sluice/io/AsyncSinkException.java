package dev.sluice.io;

/**
 * An {@link AsyncSink} gave up on an item under {@link AsyncSink.Exhausted#STOP}: the reason its consumer lost the
 * connection. The cause is the item's last failure.
 */
public class AsyncSinkException extends RuntimeException {

    /**
     * Creates the exception.
     *
     * @param message what was given up and what follows
     * @param cause the last failure
     */
    public AsyncSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
