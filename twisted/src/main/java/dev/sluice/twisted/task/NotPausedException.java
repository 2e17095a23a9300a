package dev.sluice.twisted.task;

/**
 * {@link CooperativeTask#resume()} (or a {@link PullToPush}'s {@code resumeProducing()}) was called without a pause to
 * balance. Twisted's {@code NotPaused}.
 */
public final class NotPausedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public NotPausedException() {
        super("resume() without a matching pause()");
    }
}
